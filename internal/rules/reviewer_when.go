// Preconditions of the reviewer families (reviewer.go): what the model
// says about an element that makes a family apply — relays, clients,
// builds, firmware, clouds, link-local services, availability needs.

package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// deputyRecords returns the sensitive records of f's receiver when f is
// a call confused-deputy examines: a process that serves end users calls
// an internal process or store of ours that holds their records (a store
// only where the model says whether the user's identity goes along).
func deputyRecords(f *model.Flow) []*model.Asset {
	if !f.From.IsProcess() || !(f.To.IsProcess() || f.To.IsStore()) || f.To.ThirdParty || reviewerRelay(f.From) || f.Inbound() {
		return nil
	}
	users := false
	for _, in := range f.From.In {
		users = users || in.From.Kind == model.KindPerson || in.From.Kind == model.KindClient || in.From.Kind == model.KindDevice
	}
	if !users || f.To.IsStore() && f.ForwardsIdentity == model.Unknown {
		return nil
	}
	return sensitive(f.To.Assets())
}

// systemAssets returns the model's most valuable assets (highest integrity
// or confidentiality need), for threats whose reach is the whole system.
func systemAssets(x *rule.Ctx) []*model.Asset {
	return x.Memo(systemAssetsKey{}, func() any { return findSystemAssets(x.Model) }).([]*model.Asset)
}

type systemAssetsKey struct{}

func findSystemAssets(m *model.Model) []*model.Asset {
	var best model.Level
	for _, a := range m.Assets {
		best = max(best, a.Need(model.Integrity), a.Need(model.Confidentiality))
	}
	out := []*model.Asset{}
	for _, a := range m.Assets {
		if max(a.Need(model.Integrity), a.Need(model.Confidentiality)) == best {
			out = append(out, a)
		}
	}
	return out
}

// reviewerBearer reports whether an authentication method is a bearer
// credential that works for whoever holds it.
func reviewerBearer(a model.Auth) bool {
	return a == model.AuthSession || a == model.AuthToken || a == model.AuthAPIKey
}

// privilegedStoreStaffPath reports whether the model draws people with
// direct access to store c: a person, an administrative console or an
// application staff use inside the network reads or writes it.
func privilegedStoreStaffPath(c *model.Component) bool {
	for _, f := range c.In {
		if w := f.From; w.IsActor() && !w.ThirdParty || w.Admin || insiderUsedByStaff(w) {
			return true
		}
	}
	for _, f := range c.Out {
		if r := f.To; r.IsActor() && !r.ThirdParty || r.Admin || insiderUsedByStaff(r) {
			return true
		}
	}
	// Staff by role, one application away: an administrator or operator
	// who uses a service that writes the store.
	for _, f := range c.In {
		for _, g := range f.From.In {
			if p := g.From; p.Kind == model.KindPerson && !p.ThirdParty && reviewerWords(p, privilegedStoreRoles...) {
				return true
			}
		}
	}
	return false
}

var privilegedStoreRoles = []string{"admin", "admins", "administrator", "administrators", "operator", "operators", "staff", "support", "dba", "ops"}

// sharedStorePeopleWrite reports whether people's changes reach store c
// directly (a person, an administrative console or an application staff use
// inside the network writes it) or c keeps the record of who did what (an
// audit trail or evidence among its assets): where a change is a person's, a
// missing record of who made it is repudiation.
func sharedStorePeopleWrite(c *model.Component, writers []*model.Component) bool {
	for _, w := range writers {
		if w.IsActor() && !w.ThirdParty || w.Admin || insiderUsedByStaff(w) {
			return true
		}
	}
	for _, a := range c.Stores {
		if hasWord(a.ID, sharedStoreAuditWords) || hasWord(a.Name, sharedStoreAuditWords) {
			return true
		}
	}
	return false
}

// sharedStoreWriterNames names the credentials that write a store with at
// most one writer.
func sharedStoreWriterNames(writers []*model.Component) string {
	if len(writers) == 0 {
		return "jobs and tools with its credentials"
	}
	return "the credentials of " + q(writers[0].ID)
}

var sharedStoreAuditWords = []string{"audit", "trail", "evidence", "journal"}

// reviewerRestricted returns the stored assets worth an insider's abuse:
// restricted or critical-confidentiality data, credentials, money.
func reviewerRestricted(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.Need(model.Confidentiality) >= model.Critical || a.Need(model.Integrity) >= model.Critical ||
			a.Kind == model.AssetMoney || len(withData([]*model.Asset{a}, model.DataPaymentCard, model.DataPHI, model.DataCredentials)) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// reviewerWords reports whether a word of the component's id, name, tech or
// tags (runs of ASCII letters and digits, case-folded) is one of words. It
// scans in place: rules call it for every element.
func reviewerWords(c *model.Component, words ...string) bool {
	if hasWord(c.ID, words) || hasWord(c.Name, words) || hasWord(c.Tech, words) {
		return true
	}
	for _, t := range c.Tags {
		if hasWord(t, words) {
			return true
		}
	}
	return false
}

// hasWord reports whether a word of s, compared case-insensitively, is one
// of words (given in lower case).
func hasWord(s string, words []string) bool {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := s[start:i]
			for _, x := range words {
				if len(x) == len(w) && strings.EqualFold(x, w) {
					return true
				}
			}
			start = -1
		}
	}
	return false
}

// reviewerRelay reports whether c forwards requests without owning the
// objects behind them: stated relay, or a CDN, WAF, load balancer or proxy.
func reviewerRelay(c *model.Component) bool { return Relay(c) }

// Relay reports whether c forwards requests without owning the objects
// behind them (a CDN, WAF, proxy, load balancer or gateway): stated with
// relay, or inferred from its id, name and tech when not stated. Risk uses
// it to expose the components behind a relay to whatever reaches it.
func Relay(c *model.Component) bool {
	if c.Relay != model.Unknown {
		return c.Relay == model.Yes
	}
	return c.Guessed(model.GuessRelay, relayGuess)
}

// relayGuess is Relay's reading of the component's words, when it does not
// state relay.
func relayGuess(c *model.Component) bool {
	// The tech names what the component is built with first ("Envoy + a
	// Go plugin"); what follows may describe what is in front of it
	// ("Node.js behind the company ingress"), so only its first word counts.
	tech, _, _ := strings.Cut(strings.TrimSpace(c.Tech), " ")
	if hasWord(c.ID, relayWords) || hasWord(c.Name, relayWords) || hasWord(tech, relayWords) || slices.ContainsFunc(c.Tags, func(t string) bool { return hasWord(t, relayWords) }) {
		return true
	}
	// "Gateway" alone names many things that own what passes through them
	// (a payment, SMS, SFTP, VPN, IoT or EHR gateway): only an API gateway
	// is read as a relay.
	return apiGateway(c.ID) || apiGateway(c.Name) || slices.ContainsFunc(c.Tags, apiGateway)
}

// apiGateway reports whether s names an API gateway ("api-gateway",
// "Public API gateway", "api-gw").
func apiGateway(s string) bool {
	return hasWord(s, []string{"api", "apis"}) && hasWord(s, []string{"gateway", "gw"})
}

// relayWords name relays: CDNs, WAFs, proxies, load balancers, ingress
// controllers and gateway products. The word "gateway" is not among them:
// see apiGateway.
var relayWords = []string{"cdn", "waf", "proxy", "lb", "loadbalancer", "cloudfront",
	"akamai", "fastly", "cloudflare", "ingress", "envoy", "nginx", "haproxy", "apigee", "kong", "traefik"}

// throughRelays names, for titles, who is really behind each caller: a
// relay is replaced by those who send to it (two relays deep).
func throughRelays(cs []*model.Component) []*model.Component {
	var out []*model.Component
	var add func(c *model.Component, depth int)
	add = func(c *model.Component, depth int) {
		if depth < 2 && reviewerRelay(c) && len(c.In) > 0 {
			for _, f := range c.In {
				add(f.From, depth+1)
			}
			return
		}
		if !senderIn(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range cs {
		add(c, 0)
	}
	return out
}

// anonymousByDesign reports whether entry point c is meant to be used
// without an account: stated anonymous, or every caller is an end user
// (person or client) on a flow that states authentication none, and c
// offers no privileged function. Stating "none" for end users is a design
// choice the team made knowingly; for services or privileged components it
// stays a gap.
func anonymousByDesign(c *model.Component) bool {
	if c.Anonymous {
		return true
	}
	if c.Admin || privileged(c) || len(c.In) == 0 {
		return false
	}
	for _, f := range c.In {
		if f.From.Kind != model.KindPerson && f.From.Kind != model.KindClient || f.Authentication != model.AuthNone {
			return false
		}
	}
	return true
}

// unknownData reports whether the model names no assets at all (a diagram
// imported from another tool): what its stores hold and its flows carry is
// unknown, which is not the same as worthless.
func unknownData(m *model.Model) bool { return len(m.Assets) == 0 }

// reviewerBuilds reports whether c builds, stores or ships artefacts.
func reviewerBuilds(c *model.Component) bool {
	// A store whose records are only credentials is a secrets store (a
	// "build-secrets" vault, a token registry), whatever its name says:
	// nothing it holds is built, shipped or run.
	if c.IsStore() && credentialsOnly(c.Stores) {
		return false
	}
	// "ci" and "cd" name a builder in an id, name or tag; in tech they are
	// too ambiguous (tool template ids such as CD-MICROSOFT-AZURE-DB-...).
	if hasWord(c.ID, buildShortWords) || hasWord(c.Name, buildShortWords) ||
		slices.ContainsFunc(c.Tags, func(t string) bool { return hasWord(t, buildShortWords) }) ||
		reviewerWords(c, buildWords...) {
		return true
	}
	// "Registry" names an artefact registry, unless what it stores are
	// only credentials (a token, client or key registry).
	return reviewerWords(c, "registry") && !credentialsOnly(c.Stores)
}

// reviewerClientFetches returns the flows on which client c receives code
// or configuration it runs, and where they come from: storage, a CDN or
// another relay, or an outside service, delivering assets that need high
// integrity (an update manifest, flag snapshots), or a relay delivering
// nothing named (a script served from a CDN).
func reviewerClientFetches(c *model.Component) ([]*model.Flow, []*model.Component) {
	if c.Kind != model.KindClient {
		return nil, nil
	}
	var via []*model.Flow
	var from []*model.Component
	add := func(f *model.Flow, s *model.Component, as []*model.Asset) {
		if s.Kind != model.KindStorage && s.Kind != model.KindExternal && !reviewerRelay(s) {
			return
		}
		ok := len(as) == 0 && reviewerRelay(s)
		for _, a := range as {
			if a.Need(model.Integrity) >= model.High {
				ok = true
			}
		}
		if ok {
			via = append(via, f)
			if !containsComp(from, s) {
				from = append(from, s)
			}
		}
	}
	for _, f := range c.Out {
		if !f.OneWay && len(f.Returns) > 0 {
			add(f, f.To, f.Returns)
		}
	}
	for _, f := range c.In {
		add(f, f.From, f.Carries)
	}
	return via, from
}

// credentialsOnly reports whether as is not empty and holds credentials only.
func credentialsOnly(as []*model.Asset) bool {
	for _, a := range as {
		if a.Kind != model.AssetCredential {
			return false
		}
	}
	return len(as) > 0
}

var (
	buildShortWords = []string{"ci", "cd"}
	buildWords      = []string{"build", "builds", "pipeline", "pipelines", "jenkins", "artifactory", "artefact", "artifact", "artifacts", "artefacts", "signing", "firmware"}
)

// reviewerMediaWords are protocols of removable media carried by hand.
var reviewerMediaWords = []string{"usb", "removable", "sd-card", "sdcard", "dvd", "cd-rom"}

// reviewerCarriedIn returns the local flows into c (a client or device)
// over removable media from a less trusted zone that carry software (an
// infrastructure asset or firmware) needing high integrity or more.
func reviewerCarriedIn(c *model.Component) []*model.Flow {
	if c.Kind != model.KindClient && c.Kind != model.KindDevice {
		return nil
	}
	var out []*model.Flow
	for _, f := range c.In {
		if !f.Local || f.From.Trust() >= c.Trust() || !slices.Contains(reviewerMediaWords, strings.ToLower(f.Protocol)) {
			continue
		}
		for _, a := range f.Carries {
			if (a.Kind == model.AssetInfrastructure || strings.Contains(strings.ToLower(a.ID+" "+a.Name), "firmware")) &&
				a.Need(model.Integrity) >= model.High {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// reviewerFirmware reports whether device c receives software updates.
func reviewerFirmware(c *model.Component) bool {
	for _, f := range c.In {
		for _, a := range f.Carries {
			if a.Kind == model.AssetInfrastructure || strings.Contains(strings.ToLower(a.ID+" "+a.Name), "firmware") {
				return true
			}
		}
		if f.From.Trust() == model.TrustInternet || f.From.ThirdParty || f.From.Kind == model.KindStorage {
			return true
		}
	}
	return false
}

// reviewerOwnSigningKey returns the signing key a builder keeps in itself
// (a code-signing certificate or key it stores), or nil: with the key on
// the build host, signed artefacts prove only that the host signed them.
func reviewerOwnSigningKey(c *model.Component) *model.Asset {
	if !reviewerBuilds(c) {
		return nil
	}
	for _, a := range c.Stores {
		if a.Kind == model.AssetCredential && strings.Contains(strings.ToLower(a.ID+" "+a.Name), "sign") {
			return a
		}
	}
	return nil
}

// reviewerVendorFirmware reports whether c is a vendor's device deployed in
// the system (in scope, handling the system's own data) to which firmware is
// pushed on a flow: the vendor's update channel decides what runs on every
// such device in the field.
func reviewerVendorFirmware(c *model.Component) bool {
	if c.Kind != model.KindDevice || c.OutOfScope || len(c.Assets()) == 0 {
		return false
	}
	for _, f := range c.In {
		for _, a := range f.Carries {
			if strings.Contains(strings.ToLower(a.ID+" "+a.Name), "firmware") {
				return true
			}
		}
	}
	return false
}

// reviewerCloud reports whether c runs in a public cloud, as far as the
// model says: its tech, its boundary or the system names a cloud.
func reviewerCloud(m *model.Model, c *model.Component) bool {
	words := []string{"aws", "gcp", "azure", "ec2", "ecs", "eks", "gke", "aks", "lambda", "cloud", "k8s", "kubernetes", "fargate"}
	if reviewerWords(c, words...) {
		return true
	}
	for b := c.Boundary; b != nil; b = b.Parent {
		if reviewerWords(&model.Component{ID: b.ID, Name: b.Name}, words...) {
			return true
		}
	}
	return reviewerWords(&model.Component{ID: m.System.ID, Name: m.System.Name, Tech: m.System.Description}, words...)
}

// reviewerIssuesCodes reports whether c issues short secrets: it signs
// people in or handles credentials.
func reviewerIssuesCodes(c *model.Component) bool {
	if len(withData(c.Assets(), model.DataCredentials)) > 0 && c.Kind != model.KindAgent {
		for _, f := range c.In {
			if f.From.Kind == model.KindPerson || f.From.Kind == model.KindClient {
				return true
			}
		}
	}
	return reviewerAuthServer(c)
}

// redirectingAuthServer reports whether c is an authorization server that
// sends codes or tokens to redirect URIs: its id, name or tags say so (its
// technology may say only how its own users sign in: "Okta SSO", "Google
// Workspace SSO" on a console is a relying party), or its technology names
// an identity product and not sign-in through one; and a person, a client
// or another party's system sends it requests (an identity-resolution job
// fed by the warehouse redirects no one). noise23.
func redirectingAuthServer(c *model.Component) bool {
	named := reviewerWords(&model.Component{ID: c.ID, Name: c.Name, Tags: c.Tags}, authServerWords...)
	if !named && (!hasWord(c.Tech, authServerWords) || hasWord(c.Tech, []string{"sso"})) {
		return false
	}
	for _, f := range c.In {
		if f.From.IsActor() || f.From.ThirdParty {
			return true
		}
	}
	return false
}

var authServerWords = []string{"oauth", "oidc", "sso", "idp", "keycloak", "auth0", "okta", "cognito", "authz", "authorization", "identity"}

// reviewerAuthServer reports whether c is an identity or authorization
// server.
func reviewerAuthServer(c *model.Component) bool {
	return reviewerWords(c, authServerWords...)
}

// reviewerAvailability returns the assets whose availability need is high
// or critical that c holds, or that flows through c carry (a component on
// the only path to them).
// spofDeviceCritical returns the assets of critical availability a device
// holds, processes or receives.
func spofDeviceCritical(c *model.Component) []*model.Asset {
	var out []*model.Asset
	add := func(as []*model.Asset) {
		for _, a := range as {
			if a.Availability >= model.Critical && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	add(c.Assets())
	for _, f := range c.In {
		add(f.Carries)
	}
	return out
}

func reviewerAvailability(x *rule.Ctx, c *model.Component) []*model.Asset {
	var out []*model.Asset
	add := func(as []*model.Asset) {
		for _, a := range as {
			if a.Availability >= model.High && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	add(c.Assets())
	for _, f := range c.In {
		add(f.Carries)
	}
	if len(out) > 0 || !c.IsProcess() || reviewerRelay(c) {
		return out
	}
	// The system's availability, stated as an asset of its own: a process
	// many components depend on (three or more senders), or one that drives
	// others on its own (a scheduler: no senders, two or more receivers),
	// carries it.
	if at := handoffServesOtherSystems(x.Model, c); len(at) > 0 {
		return at
	}
	senders := map[*model.Component]bool{}
	for _, f := range c.In {
		senders[f.From] = true
	}
	if len(senders) < 3 && !(len(c.In) == 0 && len(c.Out) >= 2) {
		return out
	}
	// out is empty here: the list is the model's, found once per run and
	// shared by every threat that puts it at stake.
	return x.Memo(availabilityKey{}, func() any {
		var all []*model.Asset
		for _, a := range x.Model.Assets {
			if a.Kind == model.AssetAvailability && a.Need(model.Availability) >= model.High {
				all = append(all, a)
			}
		}
		return all
	}).([]*model.Asset)
}

type availabilityKey struct{}

// orNoAssets returns as, or an empty list (no asset at stake, rather than
// the target's own) when as is nil.
func orNoAssets(as []*model.Asset) []*model.Asset {
	if as == nil {
		return noAssets
	}
	return as
}

func containsAsset(as []*model.Asset, a *model.Asset) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func senderIn(cs []*model.Component, c *model.Component) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// reviewerLinkLocal reports whether c is a link-local or same-host service
// (the cloud instance metadata endpoint, a local agent or sidecar).
func reviewerLinkLocal(c *model.Component) bool {
	if c.IsStore() || c.Kind == model.KindPerson {
		return false
	}
	return c.Guessed(model.GuessLinkLocal, linkLocalGuess)
}

// linkLocalGuess is reviewerLinkLocal's reading of the component's words.
func linkLocalGuess(c *model.Component) bool {
	return reviewerWords(c, linkLocalWords...) ||
		reviewerWords(c, "metadata") && reviewerWords(c, "instance", "ec2", "gce", "cloud", "vm", "compute")
}

var (
	linkLocalWords = []string{"imds", "localhost", "sidecar", "169"}
	flowLocalWords = []string{"imds", "localhost", "loopback"}
)

// reviewerLinkLocalFlow reports whether flow f goes to a link-local or
// same-host service, by its receiver or its own id and name.
func reviewerLinkLocalFlow(f *model.Flow) bool {
	return reviewerLinkLocal(f.To) || hasWord(f.ID, flowLocalWords) || hasWord(f.Name, flowLocalWords)
}

// reviewerBrowserBehind reports whether a relay forwards browser traffic.
func reviewerBrowserBehind(c *model.Component) bool {
	for _, f := range c.In {
		if injectionBrowser(f.From) {
			return true
		}
	}
	return false
}

// staticCredential reports whether an authentication method rests on a
// credential the caller keeps for months or years: an API key, a password or
// an SSH key pair (a key file copied between machines is as long-lived as a
// shared secret, although it never crosses the wire).
func staticCredential(a model.Auth) bool {
	return a == model.AuthAPIKey || a == model.AuthPassword || a == model.AuthSSHKey
}

// reviewerDevicePassword reports whether f is a password people use to get
// into a device of ours: from a person, or from a client people use, to a
// device the organisation runs (a gateway's SSH, a cabinet's Wi-Fi, a
// panel), authenticated with a password.
func reviewerDevicePassword(f *model.Flow) bool {
	if f.Authentication != model.AuthPassword || f.To.Kind != model.KindDevice || f.To.ThirdParty || f.To.OutOfScope || f.From.ThirdParty {
		return false
	}
	return len(reviewerDeviceUsers(f)) > 0
}

// reviewerDeviceUsers returns the people who use flow f's sender: the
// sender itself when it is a person, or the people drawn using it.
func reviewerDeviceUsers(f *model.Flow) []*model.Component {
	switch f.From.Kind {
	case model.KindPerson:
		return []*model.Component{f.From}
	case model.KindClient:
		var out []*model.Component
		for _, g := range f.From.In {
			if g.From.Kind == model.KindPerson && !g.From.ThirdParty && !containsComp(out, g.From) {
				out = append(out, g.From)
			}
		}
		return out
	}
	return nil
}

// sameSite reports whether a and b sit in the same outermost zone (the
// top-level boundary they are nested in), or either has no zone: a device
// and the service it joins on one site's network.
func sameSite(a, b *model.Component) bool {
	if a.Boundary == nil || b.Boundary == nil {
		return true
	}
	return rootZone(a.Boundary) == rootZone(b.Boundary)
}

// rootZone returns the top-level boundary b is nested in (b itself at top
// level).
func rootZone(b *model.Boundary) *model.Boundary {
	for b.Parent != nil {
		b = b.Parent
	}
	return b
}

// bearerUnstated reports whether flow f is someone signing in to a process
// of ours by a method the model does not state: sent by a client of ours, or
// by a person (not a third party's) sending it data. What a login leaves in
// their hands is most often a session or token (sparse26b).
func bearerUnstated(f *model.Flow) bool {
	k := f.From
	if f.Authentication != model.AuthUnknown || k.ThirdParty || k.OutOfScope {
		return false
	}
	return k.Kind == model.KindClient || k.Kind == model.KindPerson && len(f.Carries) > 0
}
