package rules

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var authzRules = []*rule.Rule{
	{
		ID:       "missing-object-authorization",
		Title:    "Entry point does not authorize access to each object",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "The component receives requests from a less trusted place and may not check, on every request, that the caller " +
			"may perform that action on that particular object. Changing an id in a URL or body then reads or changes other " +
			"users' data (insecure direct object references, broken object-level authorization), the most common API flaw. " +
			"A process inside the network that operators drive through consoles and that handles what others rely on (commands to equipment, " +
			"money, decisions) is included: without per-role and per-scope checks every operator can act on everything it controls.",
		CWE:   []int{639, 862, 285},
		CAPEC: []int{1, 122},
		Mitigations: []string{
			"Check ownership or permission for the object on every request, in one shared authorization layer; deny by default.",
			"Derive the user and tenant from the authenticated session, never from request parameters.",
			"Add tests that call each endpoint with another user's object ids.",
		},
		References: []string{
			"https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html",
		},
		Property:       model.Confidentiality,
		Exploitability: 1,
		Mentions:       authzCallers,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// A relay forwards without owning objects: the check is owed by
			// the component behind it.
			if !injectionCode(c) || c.Public || reviewerRelay(c) || sessionHost(c) {
				return
			}
			if !entryPointOf(x, c) {
				authzConsoleServed(x, c)
				return
			}
			// Anonymous by design and touching none of the model's named
			// data: there are no objects of one caller that another could
			// reach (a public calculator). With data it still applies:
			// anyone can then ask for any object by its id.
			if c.Anonymous && len(x.Model.Assets) > 0 && !c.TouchesData() {
				return
			}
			// Who owns per-user objects is read from the structure
			// (authz_owner.go): only the team's own jobs calling, there is
			// no other caller's object to reach; no sensitive data within
			// reach, the threat is one step less likely.
			var why []string
			switch ownerOf(x, c) {
			case ownerNone:
				x.Lacks(c, model.CtlAuthorizes)
				x.Ask()
				return
			case ownerUnlikely:
				x.Ease(0)
				why = append(why, "none of the model's sensitive data or money is within its reach: it may own no one's objects")
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				in := injectionUntrusted(c)
				if len(in) == 0 { // an entry point only through relays in its own zone
					in = c.In
				}
				callers := throughRelays(senders(in))
				// Reading another's objects takes what the entry point
				// returns to its callers; changing them, what callers send
				// (elevation: all it holds); each only where below its
				// holdings. Unstated by its callers, what the stores it
				// reads from and writes to hold, even above its own (its
				// data sits behind it). Otherwise its holdings stand.
				sent, shown := objectStakes(c, in)
				var read, written []*model.Asset
				if len(sent) == 0 || len(shown) == 0 {
					read, written = storeStakes(c, len(shown) == 0, len(sent) == 0)
				}
				held := c.Assets()
				if len(sent) == 0 {
					x.Stake(model.Tampering, written)
				} else if topNeed(sent, model.Integrity) < topNeed(held, model.Integrity) {
					x.Stake(model.Tampering, sent)
				}
				if len(shown) == 0 {
					x.Stake(model.InformationDisclosure, read)
				} else if topNeed(shown, model.Confidentiality) < topNeed(held, model.Confidentiality) {
					x.Stake(model.InformationDisclosure, shown)
				}
				x.Report(gap, q(c.ID)+" serves "+ids(callers, compID)+" without checking access to each object", nil, why...)
			}
		},
	},
	{
		ID:            "internal-service-trusts-caller",
		SensitiveOnly: true,
		Title:         "Internal service relies on its caller for authorization",
		Category:      model.ElevationOfPrivilege,
		On:            rule.OnComponent,
		Doc: "A service behind an internet-facing component handles sensitive data and may act on whatever its caller asks, " +
			"trusting that the front end already checked permissions. Any flaw or missing check in the front end, or any other " +
			"workload that can call the service, then reaches every user's data (a confused deputy). " +
			"Raised where the service is stated not to authorize (authorizes: no); while that is unknown, whether it " +
			"authorizes is asked: the requests are the front end's, whose object checks are its own threat " +
			"(missing-object-authorization), and where its caller serves end users without passing their identity " +
			"confused-deputy raises the call.",
		CWE:   []int{862, 441},
		CAPEC: []int{1, 122},
		Mitigations: []string{
			"Propagate the end user's identity (a signed token) to internal services and authorize each object there too.",
			"Let each internal service accept only the callers and operations it expects (service-level authorization).",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
		},
		Property: model.Confidentiality,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || entryPointOf(x, c) {
				return
			}
			var front []*model.Flow
			for _, f := range c.In {
				if f.From.IsProcess() && entryPointOf(x, f.From) && internetExposed(f.From) {
					front = append(front, f)
				}
			}
			if len(front) == 0 {
				return
			}
			at := sensitive(c.Assets())
			for _, f := range c.Out {
				if f.To.IsStore() {
					at = append(at, sensitive(f.To.Stores)...)
				}
			}
			at = distinct(at)
			if len(at) == 0 {
				return
			}
			gap := x.Lacks(c, model.CtlAuthorizes)
			if gap == model.Unknown {
				// Whether the service authorizes is asked: the requests
				// are the front end's, whose object checks are its own
				// threat, and a caller serving end users without passing
				// their identity is confused-deputy's. Listed unknown, the
				// threat was on no reviewer's list (0 of 9 in the seen
				// sets, noise23).
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" trusts "+ids(senders(front), compID)+" to have authorized requests for "+ids(at, assetID), at)
			}
		},
	},
	{
		ID:       "tenant-isolation",
		Title:    "Tenants' data may not be kept apart",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "The component serves or stores data for several tenants. Unless the tenant is enforced on every request and every " +
			"query, one missed filter, a cache keyed without the tenant, or a guessed id shows one customer another's data, " +
			"a breach that usually reaches many customers at once. Where their data needs high integrity, one tenant can change another's " +
			"too (tampering, a further threat).",
		CWE:   []int{639, 668},
		CAPEC: []int{1},
		Mitigations: []string{
			"Take the tenant from the authenticated identity and enforce it centrally (row-level security, a tenant-scoped data layer).",
			"Include the tenant in every cache key, object path, queue and encryption key; consider separate schemas or stores for large tenants.",
			"Test cross-tenant access on every endpoint.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Multi_Tenant_Security_Cheat_Sheet.html",
			"https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.HasTag("multi-tenant") || !(c.IsProcess() || c.IsStore()) {
				return
			}
			if gap := x.Lacks(c, model.CtlTenantIsolation); x.Reports(gap) {
				if !integrityNeeded(c.Assets()) && !unknownData(x.Model) {
					// One tenant changing another's data is a threat of its
					// own where that data needs high integrity (noise21).
					x.Enables()
				}
				x.Report(gap, q(c.ID)+" handles several tenants' data without enforcing tenant isolation", nil,
					"the component is shared by tenants")
			}
		},
	},
	{
		ID:       "overprivileged-entry-point",
		Title:    "Exposed component runs with more privilege than it needs",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "The component processes input from a less trusted place, so it is the likeliest to be compromised, and may hold " +
			"broader permissions (database grants, cloud IAM roles, file system access) than its job requires. A single flaw in " +
			"it then becomes control of everything those permissions reach. Where it calls a system outside ours with a credential of its own " +
			"(a token, an API key or a password), everyone who can use it acts there with that credential's rights: those calls are named too. " +
			"A relay (a CDN, WAF, proxy or API gateway) is left out: it forwards requests without holding grants to the data behind it, " +
			"and the entry points behind it raise the threat.",
		CWE:   []int{250, 269},
		CAPEC: []int{233, 122},
		Mitigations: []string{
			"Give the component its own identity with only the permissions its operations need (read-only where it only reads).",
			"Run it as a non-root user with a read-only file system, and without access to cloud metadata it does not use.",
			"Review its permissions against what it uses (IAM access analysis) and remove the rest.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/250.html",
			"https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || !entryPointOf(x, c) || len(c.Out) == 0 && len(c.Assets()) == 0 {
				return
			}
			if reviewerRelay(c) {
				// A relay (a CDN, WAF, proxy or API gateway) forwards
				// requests without owning what is behind them: it holds no
				// grants to the data; the entry points behind it do, and
				// raise the threat.
				return
			}
			for _, f := range c.Out {
				if authzIntoAdmin(f) {
					return // less-trusted-caller-into-admin asks the same of this flow
				}
			}
			if gap := x.Lacks(c, model.CtlLeastPrivilege); x.Reports(gap) {
				callers := senders(injectionUntrusted(c))
				if len(callers) == 0 { // an entry point only through relays in its own zone
					callers = throughRelays(senders(c.In))
				}
				// Where it calls a system outside ours with a credential of
				// its own, callers act there with it: the call is named.
				for _, f := range c.Out {
					if authzCredentialedCall(f) {
						x.AlsoTarget(model.Target{Flow: f})
					}
				}
				x.Report(gap, q(c.ID)+" takes input from "+ids(callers, compID)+
					" and may run with broader permissions than it needs", nil)
			}
		},
	},
	{
		ID:       "less-trusted-caller-into-admin",
		Title:    "Less trusted system can call an administrative component",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnFlow,
		Doc: "A system in a less trusted zone calls an administrative or privileged component. Whoever compromises that system " +
			"inherits a path to administrative operations, skipping the controls meant for administrators, unless the caller's " +
			"access is narrowed to the few operations it needs.",
		CWE:   []int{269, 441},
		CAPEC: []int{233},
		Mitigations: []string{
			"Remove the flow if possible: expose the needed operation through a non-administrative interface.",
			"Otherwise authorize the caller's identity for that operation only, and give it no other administrative permission.",
			"Alert on administrative operations made by service identities.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/269.html",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !authzIntoAdmin(f) || f.To.OutOfScope {
				return
			}
			var gap model.Tri
			if f.From.IsProcess() && !f.From.OutOfScope {
				gap = x.Lacks(f.From, model.CtlLeastPrivilege)
			} else {
				gap = x.Lacks(f.To, model.CtlAuthorizes)
			}
			if x.Reports(gap) {
				x.Report(gap, q(f.From.ID)+" in "+transportZone(f.From)+" can call administrative "+q(f.To.ID)+" on "+q(f.ID), nil,
					"a less trusted system reaches an administrative interface")
			}
		},
	},
}

// authzConsoleServed raises missing-object-authorization on a process
// inside the network that people drive through consoles (clients) and that
// handles what others rely on being right (commands to equipment, money,
// decisions): every operator can then act on every object it controls
// unless it checks, per request, the operator's role and scope.
func authzConsoleServed(x *rule.Ctx, c *model.Component) {
	var consoles []*model.Component
	for _, f := range c.In {
		if f.From.Kind == model.KindClient && !f.From.ThirdParty {
			consoles = append(consoles, f.From)
		}
	}
	if len(consoles) == 0 {
		return
	}
	// What operators act on; the component's own keys are not theirs.
	var at []*model.Asset
	for _, a := range loggingReliedOn(c.Assets()) {
		if a.Kind != model.AssetCredential {
			at = append(at, a)
		}
	}
	if len(at) == 0 {
		return
	}
	if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
		x.Report(gap, q(c.ID)+" takes operators' requests from "+ids(distinct(consoles), compID)+
			" without checking which of "+ids(at, assetID)+" each may act on", at)
	}
}

// authzIntoAdmin reports whether f lets one of the team's systems in a less
// trusted zone (not a person, their device, or a third party) call an
// administrative component.
func authzIntoAdmin(f *model.Flow) bool {
	if !f.To.Admin || f.To.Kind == model.KindPerson || f.From.Trust() >= f.To.Trust() {
		return false
	}
	if f.From.ThirdParty {
		return false // third-party-direct-data-access covers third parties
	}
	switch f.From.Kind {
	case model.KindService, model.KindFunction, model.KindQueue, model.KindAgent:
		return true
	}
	return false
}

// authzCredentialedCall reports whether f is a call of ours to a system
// outside ours (a third party's or one outside the model's scope) made with
// a credential the caller holds: one named on the flow, or a token, API key
// or password it authenticates with.
func authzCredentialedCall(f *model.Flow) bool {
	if !f.To.ThirdParty && !f.To.OutOfScope || f.To.IsStore() || f.To.Kind == model.KindPerson {
		return false
	}
	switch f.Authentication {
	case model.AuthToken, model.AuthAPIKey, model.AuthPassword:
		return true
	}
	return len(ofKind(f.Carries, model.AssetCredential)) > 0
}

// objectStakes are the assets callers of entry point c send it over the
// flows in (what a caller changing another's objects writes) and the
// assets it returns to them (what one reading another's objects sees): the
// responses of those flows and c's flows back to their senders.
func objectStakes(c *model.Component, in []*model.Flow) (sent, shown []*model.Asset) {
	for _, f := range in {
		sent = append(sent, f.Carries...)
		if !f.OneWay {
			shown = append(shown, f.Returns...)
		}
	}
	for _, f := range c.Out {
		// An answer to its users' side; a push, or a call to a service
		// that also calls it (a provider's webhook), shows no caller
		// another's objects.
		if f.OneWay || !userSide(f.To) {
			continue
		}
		for _, g := range in {
			if g.From == f.To {
				shown = append(shown, f.Carries...)
				break
			}
		}
	}
	return distinct(sent), distinct(shown)
}

// storeStakes are the assets of the stores entry point c reads from (a
// flow from the store, or a flow of c's to it that returns data) and of
// those it writes to (a flow of c's to it carrying data), each only where
// wanted.
func storeStakes(c *model.Component, wantRead, wantWritten bool) (read, written []*model.Asset) {
	for _, f := range c.In {
		if wantRead && f.From.IsStore() {
			read = addStakes(read, f.From.Assets())
		}
	}
	for _, f := range c.Out {
		if !f.To.IsStore() {
			continue
		}
		if wantRead && len(f.Returns) > 0 {
			read = addStakes(read, f.To.Assets())
		}
		if wantWritten && len(f.Carries) > 0 {
			written = addStakes(written, f.To.Assets())
		}
	}
	return read, written
}

// addStakes adds to list the assets it lacks. The first store's list is
// shared, not copied (clipped: a later addition copies it).
func addStakes(list, assets []*model.Asset) []*model.Asset {
	if len(list) == 0 {
		return slices.Clip(assets)
	}
	for _, a := range assets {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

// topNeed is the highest need of property p among assets.
func topNeed(assets []*model.Asset, p model.Property) model.Level {
	var l model.Level
	for _, a := range assets {
		l = max(l, a.Need(p))
	}
	return l
}

// userSide reports whether c is a person, client or device: where a
// caller reading others' objects sits, and where people's input comes from.
func userSide(c *model.Component) bool {
	switch c.Kind {
	case model.KindPerson, model.KindClient, model.KindDevice:
		return true
	}
	return false
}

// authzCallers returns the callers a missing-object-authorization threat
// on component t serves, which its title names: the clients, devices and
// systems that send it requests from a less trusted place, or all that
// call it when none does, seen through relays. People and stores are left
// out. Reviewers write a missing object check on the service, or on the
// caller that can ask for any object through it (a console that looks up
// any record, an issuer's clients that request any name); the threat names
// both (rule.Rule.Mentions).
func authzCallers(t model.Target) []model.Target {
	c := t.Component
	if c == nil {
		return nil
	}
	in := injectionUntrusted(c)
	if len(in) == 0 {
		in = c.In
	}
	var out []model.Target
	for _, k := range throughRelays(senders(in)) {
		if k.Kind != model.KindPerson && !k.IsStore() && k != c {
			out = append(out, model.Target{Component: k})
		}
	}
	return out
}
