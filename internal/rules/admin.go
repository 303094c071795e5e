package rules

import (
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
			if !c.Admin || c.IsActor() || !adminUsedByPeople(c) {
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
			if !c.Admin || c.IsActor() || len(c.In) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlAccessReviewed); x.Reports(gap) {
				x.Report(gap, "Nobody regularly reviews who can use admin interface "+q(c.ID), nil)
			}
		},
	},
	{
		ID:       "admin-actions-not-logged",
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
			if !c.Admin || !c.IsProcess() || len(c.In) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlLogsSecurityEvents); x.Reports(gap) {
				x.Report(gap, "Actions taken through admin interface "+q(c.ID)+" are not logged", nil)
			}
		},
	},
}

// adminUsedByPeople reports whether people or their clients reach c.
func adminUsedByPeople(c *model.Component) bool {
	for _, f := range c.In {
		switch f.From.Kind {
		case model.KindPerson, model.KindClient, model.KindDevice:
			return true
		}
	}
	return false
}
