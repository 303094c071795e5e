package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var adminRules = []*rule.Rule{
	{
		ID:       "admin-interface-exposed",
		Title:    "Administrative interface reachable from the internet",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "An administrative or privileged interface can be reached from the internet and network access to it is not restricted. " +
			"Every attacker can probe it for weak or stolen credentials and unpatched flaws, and a single success grants control over the whole system.",
		CWE:   []int{284, 668},
		CAPEC: []int{122, 1},
		Mitigations: []string{
			"Put admin interfaces behind a VPN, zero-trust access proxy or IP allow-list, never on the public edge.",
			"Serve admin functions from a separate host or deployment from the public application.",
		},
		References: []string{
			"https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Attack_Surface_Analysis_Cheat_Sheet.html",
		},
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.Admin || c.IsActor() || !internetExposed(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlNetworkRestricted); x.Reports(gap) {
				x.Report(gap, "Admin interface "+q(c.ID)+" is reachable from the internet", nil)
			}
		},
	},
	{
		ID:       "admin-without-mfa",
		Title:    "Administrators sign in without multi-factor authentication",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "An administrative interface used by people accepts a password alone. " +
			"Phished, reused or guessed administrator passwords are a leading cause of full compromise, and nothing stands between a stolen password and privileged control.",
		CWE:   []int{308},
		CAPEC: []int{560, 600},
		Mitigations: []string{
			"Require phishing-resistant MFA (FIDO2/WebAuthn) for every administrative login, through single sign-on.",
			"Re-authenticate with the second factor before the most sensitive actions.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet.html",
			"https://pages.nist.gov/800-63-4/sp800-63b.html",
		},
		Property: model.Integrity,
		// Reused passwords are replayed by bots (credential stuffing,
		// CAPEC-600), as against any login.
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// An admin client (an operations or support console) is where
			// people sign in to the privileged functions it drives; where
			// the model states that sign-in (a session, a password), the
			// sign-in rules weigh it instead.
			if !c.Admin || c.IsActor() && (c.Kind != model.KindClient || !signInUndrawn(c)) {
				return
			}
			// With nothing drawn calling it, the model stating that its
			// administrators sign in without a second factor says people
			// do sign in.
			if !adminUsedByPeople(c) && (len(c.In) > 0 || c.Controls.Get(model.CtlMFAForAdmins) != model.No) {
				return
			}
			if gap := x.Lacks(c, model.CtlMFAForAdmins); x.Reports(gap) {
				// The threat is also on the sign-in: the flows people use.
				for _, f := range c.In {
					if f.From.Kind == model.KindPerson || f.From.Kind == model.KindClient {
						x.AlsoTarget(model.Target{Flow: f})
					}
				}
				x.Report(gap, "Administrators of "+q(c.ID)+" sign in without a second factor", nil)
			}
		},
	},
	{
		ID:       "staff-password-without-mfa",
		Title:    "Staff or partner users sign in to a console with a password alone",
		Category: model.Spoofing,
		On:       rule.OnFlow,
		Doc: "People who work with many others' records (staff, a customer organisation's administrators, a vendor's operators) sign in to their console with a password, and nothing says a second factor is required. " +
			"Their accounts are worth phishing: one reused or phished password opens every record the role can see and every action it can take (inviting users, changing payees, watching live sessions), " +
			"and the attacker looks like the member of staff. " +
			"A password sign-in to a jump host or a vendor's remote-access broker whose remote sessions (RDP, SSH, VNC, a VPN tunnel) go on into a restricted zone is raised whoever signs in: " +
			"the password is the way into the zone (a plant's control network, a machine network); " +
			"so is a remote session a person outside opens straight onto a host in a restricted zone (a vendor's remote-desktop tool) whose sign-in is not stated.",
		CWE:   []int{308, 287},
		CAPEC: []int{560, 600, 98},
		Mitigations: []string{
			"Require a second factor for every staff, partner and vendor account that reaches other people's data or money; prefer phishing-resistant factors (FIDO2/WebAuthn) through single sign-on with the organisation's identity provider.",
			"Ask for the second factor again before the most sensitive actions (exports, payee or limit changes, adding users).",
			"Alert on sign-ins from new devices or places and on bursts of failed logins.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet.html",
			"https://owasp.org/www-project-application-security-verification-standard/ (V2 authentication)",
			"https://pages.nist.gov/800-63-4/sp800-63b.html",
		},
		Property:       model.Integrity,
		Receiver:       true,
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if f.Authentication == model.AuthUnknown && remoteSessionInto(f) {
				// A person outside opens a remote session (a vendor's
				// remote-desktop tool) straight onto a host of ours in a
				// restricted zone: how the session signs in is asked.
				if gap := x.Lacks(f.To, model.CtlMFAForAdmins); x.Reports(gap) {
					x.Report(gap, q(f.From.ID)+" opens a remote session straight onto "+q(f.To.ID)+" on "+q(f.ID)+" in a restricted zone; neither its sign-in nor a second factor is stated", f.To.Assets())
				}
				return
			}
			if f.Authentication != model.AuthPassword {
				return
			}
			if into, at := remoteAccessInto(f); len(into) > 0 {
				// A person signs in to a jump host or a remote-access
				// broker whose sessions go on into a restricted zone:
				// the password is the way into that zone.
				if gap := x.Lacks(f.To, model.CtlMFAForAdmins); x.Reports(gap) {
					x.Report(gap, q(f.From.ID)+" signs in to "+q(f.To.ID)+" on "+q(f.ID)+" with a password and no stated second factor; its sessions go on into "+ids(into, compID), at)
				}
				return
			}
			console, people := staffSignIn(f)
			if console == nil || len(people) == 0 {
				return
			}
			// The receiver checks the password: the second factor is its.
			r := f.To
			if r.Admin && r.IsProcess() || r.OutOfScope || r.ThirdParty && !r.IsActor() {
				return // admin-without-mfa asks the same of an admin interface
			}
			at := staffStake(console, r)
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(r, model.CtlMFAForAdmins); x.Reports(gap) {
				// The console is where the account is used: the threat
				// names it, whether it sends the password or sits
				// between the people and the receiver.
				if console != r {
					x.AlsoTarget(model.Target{Component: console})
				}
				x.Report(gap, ids(people, compID)+" sign in to "+q(console.ID)+" on "+q(f.ID)+" with a password and no stated second factor; a phished account reaches "+ids(at, assetID), at)
			}
		},
	},
	{
		ID:       "shared-terminal-sign-in",
		Title:    "People share an on-site terminal, its account or its open session",
		Category: model.Spoofing,
		Also:     []model.Category{model.Repudiation, model.ElevationOfPrivilege},
		On:       rule.OnComponent,
		Doc: "A terminal on the premises (a front-desk or security-desk PC, a ward or dispensing station, a console at a counter) " +
			"is used by several people in turn: it is stated shared, or more than one role signs in at it. Such terminals drift to " +
			"one account per desk or shift, a PIN or password everyone knows, and a session that stays open while the next person " +
			"works or the desk is empty. Anyone at the desk then acts as whoever signed in last (spoofing), and what was done " +
			"(an admit, an override, a refund, a key issued) cannot be tied to a person (repudiation). Where roles with different " +
			"rights sign in at the same terminal, the one with fewer rights uses the other's open session or shared PIN " +
			"(an override, a card issued, a refund above their limit): elevation of privilege.",
		CWE:   []int{287, 613, 778, 1390},
		CAPEC: []int{21, 60},
		Mitigations: []string{
			"Give every person their own account and a fast, strong sign-in at the terminal (badge plus PIN, a tap with a token) so that sharing is not the easy path; forbid shared logins in the contract with outsourced staff.",
			"Lock the session after a short idle time and at shift change, and sign the person out when the badge is removed.",
			"Record the person, not the terminal, on every consequential action; ask for a second person's sign-in on overrides.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/1390.html",
			"https://pages.nist.gov/800-63-4/sp800-63b.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindClient && c.Kind != model.KindDevice || c.ThirdParty || c.OutOfScope || !sharedTerminal(c) {
				return
			}
			// What is done as another reaches what the terminal holds and
			// what it sends on.
			at := append(append([]*model.Asset(nil), c.Processes...), c.Stores...)
			for _, f := range c.Out {
				for _, a := range f.Carries {
					if !containsAsset(at, a) {
						at = append(at, a)
					}
				}
			}
			if gap := x.Lacks(c, model.CtlSecureSessions); x.Reports(gap) {
				if len(terminalRoles(c)) < 2 {
					x.Enables(model.Repudiation)
				}
				x.Report(gap, "People at "+q(c.ID)+" may share its account or its open session; what one does is done as another, and no one answers for it", at)
			}
		},
	},
	{
		ID:       "admin-access-not-reviewed",
		Title:    "Access to an administrative interface is not reviewed",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "Nobody regularly checks who holds access to an administrative interface. " +
			"Privileges accumulate, and people who changed roles or left keep them; each stale account is a privileged identity that can be taken over or misused without anyone noticing.",
		CWE:   []int{269, 272},
		CAPEC: []int{122},
		Mitigations: []string{
			"Review admin access at least quarterly, with the owner signing off, and remove it automatically when people leave or move.",
			"Prefer just-in-time, time-limited elevation over standing admin rights.",
		},
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// A component stated without access reviews that is not a
			// store (privileged-store-access reads stores) grants access
			// nobody reviews: the model says so, admin or not (sparse27).
			// An outside system we grant access in (an identity
			// service's assignments) counts when the model says so.
			stated := c.Controls.Get(model.CtlAccessReviewed) == model.No && !c.IsStore() && c.Kind != model.KindPerson && c.Kind != model.KindClient
			if !c.Admin && !stated || c.IsActor() && !stated || len(c.In) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlAccessReviewed); x.Reports(gap) {
				if !c.Admin {
					x.Report(gap, "Nobody regularly reviews who holds access granted in "+q(c.ID), nil)
					return
				}
				x.Report(gap, "Nobody regularly reviews who can use admin interface "+q(c.ID), nil)
			}
		},
	},
	{
		ID:       "admin-actions-not-logged",
		ZoneWide: true,
		SameLine: "no-security-event-logging",
		Title:    "Administrative actions are not logged",
		Category: model.Repudiation,
		On:       rule.OnComponent,
		Doc: "An administrative interface does not record who did what and when. " +
			"Privileged changes (permission grants, configuration, data fixes) can be made and denied without trace, and misuse by an insider or an intruder with admin access cannot be investigated.",
		CWE:   []int{778},
		CAPEC: []int{268},
		Mitigations: []string{
			"Log every administrative action with the administrator's identity, the object, before and after values, time and source.",
			"Send admin audit logs to storage the administrators themselves cannot change, and review them.",
		},
		References: []string{
			"https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// An admin interface is used by people whether or not the
			// model draws them; a client marked admin is the console
			// they act through.
			if !c.Admin || !c.IsProcess() && c.Kind != model.KindClient || c.ThirdParty || c.OutOfScope {
				return
			}
			if gap := x.Lacks(c, model.CtlLogsSecurityEvents); x.Reports(gap) {
				x.Report(gap, "Actions taken through admin interface "+q(c.ID)+" are not logged", nil)
			}
		},
	},
}

// signInUndrawn reports whether people use the client and none of their
// flows into it states how they authenticate.
func signInUndrawn(c *model.Component) bool {
	used := false
	for _, f := range c.In {
		if f.From.Kind != model.KindPerson {
			continue
		}
		if f.Authentication != model.AuthUnknown {
			return false
		}
		used = true
	}
	return used
}

// adminUsedByPeople reports whether people or their clients reach c. An
// admin interface nothing is drawn calling is used by people the model
// leaves out: rules that ask it treat that case as used too.
func adminUsedByPeople(c *model.Component) bool {
	for _, f := range c.In {
		if userSide(f.From) {
			return true
		}
	}
	return false
}

// staffSignIn returns, for a flow on which people sign in, the console
// they use and the people, when they are neither the public nor the
// organisation's own staff inside its network: people in a partner's
// network (a customer organisation's administrators, an outsourcer's
// agents), or anyone using a vendor's or an administrative console.
// Members of the public signing in are credential-stuffing's.
func staffSignIn(f *model.Flow) (*model.Component, []*model.Component) {
	var console *model.Component
	var people []*model.Component
	switch f.From.Kind {
	case model.KindPerson:
		console = f.To
		people = []*model.Component{f.From}
	case model.KindClient:
		console = f.From
		for _, g := range f.From.In {
			if g.From.Kind == model.KindPerson {
				people = append(people, g.From)
			}
		}
	default:
		return nil, nil
	}
	var out []*model.Component
	for _, p := range people {
		if p.ThirdParty && !console.ThirdParty {
			continue
		}
		// Staff inside the network were measured too (session 10 of
		// issue 7): more threats than reviewers list on the seen sets.
		if p.Trust() == model.TrustPartner || console.Admin || console.ThirdParty {
			out = append(out, p)
		}
	}
	return console, distinct(out)
}

// staffStake returns what a staff console's account reaches: many people's
// personal data and money held by the console or the component behind it.
func staffStake(console, r *model.Component) []*model.Asset {
	var out []*model.Asset
	for _, c := range []*model.Component{console, r} {
		for _, a := range c.Assets() {
			if (a.Kind == model.AssetMoney || containsAsset(handoffPersonal([]*model.Asset{a}), a)) && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// sharedTerminal reports whether people use terminal c in turn: stated
// shared (or used per shift) in its name, description or tech, or, on the
// premises, signed in at by more than one role.
func sharedTerminal(c *model.Component) bool {
	text := strings.ToLower(c.Name + " " + c.Description + " " + c.Tech)
	if strings.Contains(text, "shared") || strings.Contains(text, "per shift") {
		return true
	}
	if c.Trust() == model.TrustInternet {
		return false // several roles on one app at home are not one desk
	}
	return len(terminalRoles(c)) >= 2
}

// terminalRoles returns the people (roles) the model draws signing in at
// terminal c.
func terminalRoles(c *model.Component) []*model.Component {
	var people []*model.Component
	for _, f := range c.In {
		if f.From.Kind == model.KindPerson && !containsComp(people, f.From) {
			people = append(people, f.From)
		}
	}
	return people
}

// remoteSessionProtocols are protocols that carry a person's interactive
// session to another host: remote desktop, shells and VPN tunnels.
var remoteSessionProtocols = []string{"rdp", "ssh", "vnc", "openvpn", "ipsec", "wireguard", "vpn", "citrix", "remote-desktop", "remote desktop"}

// remoteSession reports whether f carries an interactive session onward.
func remoteSession(f *model.Flow) bool {
	p := strings.ToLower(f.Protocol)
	for _, s := range remoteSessionProtocols {
		if p == s || strings.Contains(p, s) && len(s) > 3 {
			return true
		}
	}
	return false
}

// sessionHost reports whether c is reached only through interactive
// sessions (remote desktop, shells, VPN tunnels): a person works on it
// (a jump host, a remote desktop gateway), and it answers no requests of
// its own, so rules about how a component handles requests — whose
// objects it returns, how it validates and bounds input, what its errors
// show — have nothing to read there (noise22).
func sessionHost(c *model.Component) bool {
	if len(c.In) == 0 {
		return false
	}
	for _, f := range c.In {
		if !remoteSession(f) {
			return false
		}
	}
	return true
}

// remoteAccessInto returns, for a person's sign-in f, the components of
// ours in a restricted zone that the receiver's remote sessions (RDP, SSH,
// VNC, a VPN tunnel) reach, when the person and the receiver sit outside
// that zone: a jump host or a vendor's remote-access broker. It returns
// too what those components hold and the components they send to in
// their zone hold (the programs and controllers a session can change).
func remoteAccessInto(f *model.Flow) (into []*model.Component, at []*model.Asset) {
	if f.From.Kind != model.KindPerson || f.From.Trust() >= model.TrustRestricted || f.To.Trust() >= model.TrustRestricted {
		return nil, nil
	}
	for _, g := range f.To.Out {
		r := g.To
		if !remoteSession(g) || r.ThirdParty || r.OutOfScope || r.Trust() < model.TrustRestricted {
			continue
		}
		into = appendComp(into, r)
		at = append(at, r.Assets()...)
		for _, h := range r.Out {
			if h.To.Trust() >= model.TrustRestricted && !h.To.ThirdParty {
				at = append(at, h.To.Assets()...)
			}
		}
	}
	return into, distinct(at)
}

// remoteSessionInto reports whether f is a person's remote session (RDP,
// SSH, VNC, a remote-desktop tool) from a less trusted zone straight onto
// a component of ours in a restricted zone.
func remoteSessionInto(f *model.Flow) bool {
	return f.From.Kind == model.KindPerson && remoteSession(f) && f.To.Trust() >= model.TrustRestricted &&
		f.From.Trust() < f.To.Trust() && !f.To.ThirdParty && !f.To.OutOfScope
}
