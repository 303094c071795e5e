package rules

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// The reviewer families about staying up and who may act (split from
// reviewer.go, in the same order in the catalogue): single points of
// failure, long-lived keys, unattested joins and confused deputies.

var reviewerLifecycleRules = []*rule.Rule{
	{
		ID:       "single-point-of-failure",
		Title:    "Availability-critical component is a single point of failure",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		ZoneWide: true,
		Doc: "The design depends on one component for something that must stay available, and nothing says it runs " +
			"redundantly. One crash, a bad deploy, a zone outage or a flood stops the service for everyone who needs it. " +
			"In a system rated business-critical, a service that other systems call (a scoring or pricing API behind loan or " +
			"order decisions) stops them too. " +
			"A device of ours that something of critical availability runs through (an emergency alarm line, a lift, a " +
			"door, a safety interlock) is one unit whose power, software, update and link are the service. " +
			"So is a process of ours whose job is to raise alerts or alarms (its name says so, or what it sends out is named alerts or alarms: " +
			"a notification hub relaying them) and send them out to people, their devices or a messaging service: when it crashes, stalls or drops messages, nobody is alerted, and nothing tells anyone " +
			"that the alerts stopped unless the path is watched end to end (a test alert that must arrive).",
		CWE:   []int{654, 1088, 400},
		CAPEC: []int{607},
		Mitigations: []string{
			"Run several instances across failure domains behind health-checked load balancing; test failover.",
			"Degrade gracefully: queue work, serve cached answers, alert when the component stops.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/654.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind == model.KindDevice && !c.ThirdParty && !c.OutOfScope {
				// A device of ours that a critical service runs through
				// (an alarm line, a lift, a door): one unit, its power,
				// software and link are the service.
				if at := spofDeviceCritical(c); len(at) > 0 {
					if gap := x.Lacks(c, model.CtlRedundant); x.Reports(gap) {
						x.Report(gap, q(c.ID)+" is the only path for "+ids(at, assetID)+"; a crash, a bad update or a lost link stops it", at)
					}
				}
				return
			}
			if !(c.IsProcess() || c.IsStore()) || c.ThirdParty || c.Kind == model.KindLLM {
				return
			}
			at := reviewerAvailability(x, c)
			if len(at) == 0 {
				if to := spofAlerting(c); len(to) > 0 {
					// A process of ours that raises alerts or alarms and
					// sends them out: when it stops, nobody is told, and
					// nobody is told that nobody is told (family27).
					if gap := x.Lacks(c, model.CtlRedundant); x.Reports(gap) {
						x.Report(gap, q(c.ID)+" is the only path for the alerts it sends to "+ids(to, compID)+"; when it stops or drops them, nobody is told", c.Assets())
					}
					return
				}
				creds, users := credentialSource(c)
				if len(creds) == 0 {
					return
				}
				if gap := x.Lacks(c, model.CtlRedundant); x.Reports(gap) {
					x.Report(gap, q(c.ID)+" hands out "+ids(creds, assetID)+" to "+ids(users, compID)+"; while it is down, whatever signs in with them stops", creds)
				}
				return
			}
			if gap := x.Lacks(c, model.CtlRedundant); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" is a single point of failure for "+ids(at, assetID), at)
			}
		},
	},
	{
		ID:             "long-lived-credentials",
		SameLineShared: true,
		ZoneWide:       true,
		SameLine:       "bearer-token-replay",
		Title:          "Long-lived keys or credentials are never rotated",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "The caller authenticates with a static credential (an API key, a password, a shared secret) that lives in " +
			"configuration for months or years. It is copied into scripts, logs and laptops; when it leaks, whoever holds it " +
			"is the caller until someone notices and rotates it. Our key for an API billed per use whose spending is not " +
			"known to be capped is that API's threat (paid-api-no-spending-limit, llm-denial-of-wallet: whoever holds the key " +
			"runs up the bill), and the key's rotation is asked as a question. " +
			"A password people use to get into a device of ours (a gateway's SSH, a roadside cabinet's Wi-Fi, a panel) is such a credential too: " +
			"the device has no account per person, so one password is known to every technician and contractor, past and present, and cannot be revoked per person.",
		CWE:   []int{798, 324, 522},
		CAPEC: []int{560, 70},
		Mitigations: []string{
			"Replace static keys with short-lived credentials (workload identity, OAuth client credentials with short tokens, mTLS).",
			"Where keys must stay, keep them in a secrets manager, rotate them on a schedule and on every staff change, and scope each key narrowly.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/324.html",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if reviewerDevicePassword(f) {
				// A password people type into a device of ours: the
				// device has no per-person accounts, so it is shared.
				if gap := x.Lacks(f.To, model.CtlSecretsManaged); x.Reports(gap) {
					x.Report(gap, "The password "+ids(reviewerDeviceUsers(f), compID)+" use on "+q(f.ID)+" is "+q(f.To.ID)+"'s, not a person's: one password for everyone who uses it, kept after they leave", nil)
				}
				return
			}
			// Static keys between organisations: ours at a vendor, or a
			// partner's into us.
			if !staticCredential(f.Authentication) || f.From.Kind == model.KindPerson || !f.CrossesBoundary() ||
				!tpThirdParty(f.To) && !tpThirdParty(f.From) {
				return
			}
			holder := f.From
			if holder.IsActor() {
				holder = f.To // the key is issued and must be rotated by the receiver
			}
			gap := x.Lacks(holder, model.CtlSecretsManaged)
			if gap == model.Unknown && holder == f.From && f.To.Paid && f.To.Controls.Get(model.CtlSpendingLimits) != model.Yes {
				// Our key for an API billed per use: whoever holds it runs
				// up our bill, the paid API's threat (paid-api-no-spending-
				// limit, llm-denial-of-wallet); its rotation is asked.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, "The "+secretsAuthName(f.Authentication)+" that "+q(f.From.ID)+" uses on "+q(f.ID)+" may be long-lived and never rotated", nil)
			}
		},
	},
	{
		ID:             "unattested-join",
		SameOnReceiver: "unauthenticated-entry-point",
		SameLine:       "unauthenticated-service-to-service",
		Title:          "Devices, nodes or workloads join without attestation",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "Devices, cluster nodes or workloads register themselves with a broker, a fleet service or a cluster. Without " +
			"attestation of a hardware- or platform-backed identity, a cloned device, a rogue node or a manufacturer's spare " +
			"identity joins as a legitimate one, then receives data and commands meant for others. " +
			"Raised for devices out in the field (an internet or partner zone: homes, vehicles, partners' sites); for a device on the " +
			"organisation's own network (an internal or restricted zone) joining a service on the same site (the same outermost zone) " +
			"whether the service attests it is asked, and a stated gap (attestation: no) is a threat; one joining a service in another " +
			"zone (a shop's, club's or building's device joining a cloud broker or a data centre) is raised, since a device taken from " +
			"any site joins as itself.",
		CWE:   []int{290, 1188, 287},
		CAPEC: []int{151, 633},
		Mitigations: []string{
			"Provision identities in a secure element or TPM and attest them on join; allow-list serials and revoke on loss.",
			"For clusters, use node and workload attestation (for example SPIFFE/SPIRE, cloud instance identity documents).",
		},
		References: []string{
			"https://owasp.org/www-project-internet-of-things-top-10/",
			"https://spiffe.io/docs/latest/spiffe-about/overview/",
		},
		Receiver: true,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if f.From.Kind != model.KindDevice || f.From.ThirdParty || !(f.To.IsProcess() || f.To.Kind == model.KindQueue) {
				return
			}
			gap := x.Lacks(f.To, model.CtlAttestation)
			if gap == model.Unknown && f.From.Trust() >= model.TrustInternal && sameSite(f.From, f.To) {
				// A device on the organisation's own network joins a
				// service on the same site, from behind the site's
				// physical and network access: whether the service
				// attests it is a question, not a threat. A device at
				// one of many sites joining a service elsewhere (a cloud
				// broker, a data centre) is reached from every site: a
				// device taken from any of them joins as itself.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(f.To.ID)+" may admit a cloned or rogue "+q(f.From.ID)+" on "+q(f.ID)+" without attesting its identity", nil)
			}
		},
	},
	{
		ID:             "confused-deputy",
		SameOnReceiver: "missing-object-authorization",
		Title:          "Service acts for users without their identity (confused deputy)",
		Category:       model.ElevationOfPrivilege,
		On:             rule.OnFlow,
		Doc: "A component that serves end users calls another service with its own service identity only. The receiver " +
			"cannot tell which user the call is for, so it cannot check that user's rights: any user who steers the caller " +
			"(a crafted request, a prompt injection, a bug) reads or changes other users' records with the caller's full access.",
		CWE:   []int{441, 639, 863},
		CAPEC: []int{122, 233},
		Mitigations: []string{
			"Forward the end user's identity (a user token, token exchange or on-behalf-of flow) and authorize each call against it.",
			"Where only the service can be authenticated, pass the user and tenant in a signed context and check object ownership in the receiver.",
			"Scope the caller's service identity to the operations it needs.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://datatracker.ietf.org/doc/html/rfc8693",
			"https://cwe.mitre.org/data/definitions/441.html",
		},
		Receiver: true,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			at := deputyRecords(f)
			if len(at) == 0 {
				return
			}
			if gap := x.IdentityDropped(f); x.Reports(gap) {
				x.Report(gap, q(f.From.ID)+" calls "+q(f.To.ID)+" on "+q(f.ID)+" with its own identity; any user it serves can reach others' "+ids(at, assetID), at)
			}
		},
	},
}

// spofAlerting returns where a process of ours whose name says it raises
// alerts or alarms sends them: the people, clients, devices and third
// parties (a push or SMS service) its flows go to; for any other process
// of ours, those its flows carry an asset named alerts or alarms to (a
// notification hub relaying them). Nil for other components, and for one
// that sends alerts nowhere outside the system.
func spofAlerting(c *model.Component) []*model.Component {
	if !c.IsProcess() || c.ThirdParty || c.OutOfScope || c.Kind == model.KindLLM {
		return nil
	}
	alerting := alertWords(c.ID + " " + c.Name)
	var out []*model.Component
	for _, f := range c.Out {
		t := f.To
		if !(t.IsActor() || t.ThirdParty) || t.IsStore() || slices.Contains(out, t) {
			continue
		}
		// A relay drawn under its product's name (a push hub, a
		// notification service) that sends out what the model names
		// alerts or alarms is an alerting process too (family27b).
		sends := alerting
		for _, a := range f.Carries {
			sends = sends || alertWords(a.ID+" "+a.Name)
		}
		if sends {
			out = append(out, t)
		}
	}
	return out
}

// alertWords reports whether s names alerts or alarms.
func alertWords(s string) bool {
	for _, w := range []string{"alert", "alerts", "alerting", "alarm", "alarms"} {
		if tpPhrase(s, w) {
			return true
		}
	}
	return false
}
