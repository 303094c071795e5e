package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var authnRules = []*rule.Rule{
	{
		ID:             "unauthenticated-entry-point",
		SameLineShared: true,
		Title:          "Entry point does not authenticate its callers",
		Category:       model.Spoofing,
		On:             rule.OnComponent,
		Doc: "A component that receives requests from a less trusted place accepts them without establishing who is calling. " +
			"Anyone who can reach it can act as any user or service.",
		CWE:            []int{306},
		CAPEC:          []int{115},
		Mitigations:    []string{"Authenticate every request at the entry point (sessions, OAuth tokens, mTLS).", "Deny by default: only explicitly public routes skip authentication."},
		References:     []string{"https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/"},
		Exploitability: 1,
		Property:       model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// Anonymous by design: anyone may call it, so its callers going
			// unauthenticated is the design, not a threat.
			if !entryPointOf(x, c) || c.Public || anonymousByDesign(c) {
				return
			}
			from := lessTrustedSenders(c)
			// Every inbound flow stating an authentication method answers the question.
			allAuth := len(from) > 0
			for _, f := range from {
				if f.Authenticated() != model.Yes {
					allAuth = false
				}
			}
			if allAuth {
				return
			}
			who := "the internet"
			if len(from) > 0 {
				who = ids(senders(from), compID)
			}
			if gap := x.Lacks(c, model.CtlAuthenticates); x.Reports(gap) {
				elevationIf(x, c)
				x.Report(gap, "`"+c.ID+"` accepts requests from "+who+" without authenticating callers", nil)
			}
		},
	},
	{
		ID:             "unauthenticated-inbound-flow",
		SameLineShared: true,
		SameOnReceiver: "unauthenticated-entry-point",
		Title:          "Flow from a less trusted place is not authenticated",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "Data enters a more trusted zone without the receiver knowing who sent it. " +
			"An attacker in the less trusted zone can send forged requests or messages. " +
			"A connection to a database or object store is raised only when the model states authentication: none " +
			"(they log their clients in by default); reading storage meant to be publicly readable (public: true) is anonymous by design, writing to it is not. " +
			"A third party's callback whose authentication is unknown is left to unverified-third-party-callback (one forged sender, one threat). " +
			"Money or records of high integrity that reach a person of ours by email from outside (wire instructions from a settlement agent) " +
			"are acted on as sent: a spoofed domain or a taken-over mailbox sends or alters them (business email compromise); the person is named too.",
		CWE:         []int{306, 290},
		CAPEC:       []int{151},
		Mitigations: []string{"Authenticate the sender on this flow (mTLS, signed tokens, signed messages).", "Reject unauthenticated traffic at the boundary."},
		References:  []string{"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html"},
		Property:    model.Integrity,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if f.Inbound() && authnEmailInstructions(f) {
				// Instructions people act on arrive by email from outside:
				// whoever sends or alters the mail (a spoofed domain, a
				// taken-over mailbox) gives them.
				if gap := x.Unauthenticated(f); x.Reports(gap) {
					x.Enables()
					x.AlsoTarget(model.Target{Component: f.To})
					x.Report(gap, q(f.To.ID)+" acts on what arrives by email from "+q(f.From.ID)+" on "+flowName(f)+"; nothing says the sender is verified", nil)
				}
				return
			}
			if !f.Inbound() || f.From.Kind == model.KindPerson || !f.To.IsProcess() && !f.To.IsStore() || anonymousByDesign(f.To) {
				return
			}
			// Storage meant to be publicly readable, asked for what it
			// serves (the flow carries nothing in): anonymous by design.
			if f.To.Public && len(f.Carries) == 0 {
				return
			}
			// A database or object store logs its clients in by default:
			// an unknown method there is not a spoofing threat (as for
			// unauthenticated-service-to-service); a stated none is.
			if f.Authentication == model.AuthUnknown && (f.To.Kind == model.KindDatastore || f.To.Kind == model.KindStorage) {
				return
			}
			// A third party's callback whose authentication is unknown is
			// unverified-third-party-callback's: the same forged sender,
			// asked as the question that settles it (is the signature
			// verified?). One threat, as a reviewer writes it.
			if f.Authentication == model.AuthUnknown && tpCallback(f) {
				return
			}
			if gap := x.Unauthenticated(f); x.Reports(gap) {
				elevationIf(x, f.To)
				x.Report(gap, "Flow "+flowName(f)+" enters a more trusted zone without authenticating "+q(f.From.ID), nil)
			}
		},
	},
	{
		ID:             "unauthenticated-service-to-service",
		SameLineShared: true,
		SameOnReceiver: "unauthenticated-entry-point",
		SameLine:       "queue-message-tampering",
		Title:          "Service-to-service call without authentication",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "Inside the network, one service calls another without authenticating. " +
			"Any compromised workload on the same network can impersonate the caller; network location is not identity. " +
			"A connection to a database or object store is raised only when the model states authentication: none " +
			"(they log their clients in by default; the credential's own risks are other rules'); brokers and services always. " +
			"A device of ours that a process sends data it must trust (commands, setpoints, alerts: integrity high or more) is such a " +
			"receiver too: it obeys whoever can send it a command. So is such a device fed by another device of ours (a sensor's readings to a gateway, a controller's phase timing to a roadside radio): " +
			"whatever else can transmit on that network or radio link feeds it false data in the sender's name. " +
			"In a model that states no asset's sensitivity at all, whether what a receiver holds or is sent is worth impersonating its caller for is unknown, not \"no\": " +
			"a call that sends or reaches any asset is raised unverified.",
		CWE:         []int{306},
		CAPEC:       []int{151},
		Mitigations: []string{"Use mutual TLS or signed service tokens (workload identity) between services.", "Authorize each caller service for the operations it needs."},
		References:  []string{"https://csrc.nist.gov/pubs/sp/800/207/final", "https://csrc.nist.gov/pubs/sp/800/82/r3/final (authenticating commands to field devices)"},
		Property:    model.Integrity,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			fromDevice := f.From.Kind == model.KindDevice && !f.From.ThirdParty && authnCommandedDevice(f)
			if authnToOutsideStated(f) {
				// A call of ours to a system outside ours that acts on
				// what we send (money, records it relies on), with the
				// method stated: impersonating us there is the threat,
				// and the method settles it (sparse27).
				if gap := x.Unauthenticated(f); x.Reports(gap) {
					x.Enables()
					x.Report(gap, q(f.To.ID)+" acts on, or answers, whoever calls as "+q(f.From.ID)+" on "+q(f.ID), nil)
				}
				return
			}
			if f.Inbound() || !(f.From.IsProcess() || fromDevice) || !(f.To.IsProcess() || f.To.IsStore() || authnCommandedDevice(f)) || f.From.Trust() < model.TrustInternal || !transportNetworkOf(x) {
				return
			}
			// Only a receiver worth impersonating a caller to: one that
			// holds or receives valuable data or offers privileged functions.
			unstated := false
			if !privileged(f.To) && !valuable(f.Carries) && !valuable(f.To.Assets()) {
				if len(f.Carries) == 0 && len(f.To.Assets()) == 0 || !needsUnstated(x) {
					return
				}
				// The model states no asset's sensitivity: whether what
				// the receiver holds or is sent is worth impersonating a
				// caller for is unknown, not "no" (sparse25).
				unstated = true
			}
			// A database or object store logs its clients in by default:
			// an unknown method there is not a spoofing threat (the
			// credential's own risks are: credentials-in-cleartext,
			// unmanaged-secrets). Brokers often take anonymous producers,
			// so queues stay; a stated none stays everywhere.
			if f.Authentication == model.AuthUnknown && (f.To.Kind == model.KindDatastore || f.To.Kind == model.KindStorage) {
				return
			}
			// A third party's callback whose authentication is unknown is
			// unverified-third-party-callback's: the same forged sender,
			// asked as the question that settles it (is the signature
			// verified?). One threat, as a reviewer writes it.
			if f.Authentication == model.AuthUnknown && tpCallback(f) {
				return
			}
			if gap := x.Unauthenticated(f); x.Reports(gap) {
				if !unstated && gap == model.Unknown && (integrityNeeded(f.Carries) || authnCommandedDevice(f)) {
					// What the impostor sends is acted on: records of
					// high integrity, commands to a device (tampering).
					x.Enables(model.Tampering)
				} else {
					x.Enables()
				}
				var why []string
				if unstated {
					gap = model.Unknown
					why = append(why, "the model states no need for what "+q(f.To.ID)+" holds or is sent")
					x.AskNeeds(tpCallbackAssets(f)...)
				}
				x.Report(gap, q(f.From.ID)+" calls "+q(f.To.ID)+" on "+q(f.ID)+" without authenticating", nil, why...)
			}
		},
	},
}

func senders(fs []*model.Flow) []*model.Component {
	seen := map[*model.Component]bool{}
	var out []*model.Component
	for _, f := range fs {
		if !seen[f.From] {
			seen[f.From] = true
			out = append(out, f.From)
		}
	}
	return out
}

// authnCommandedDevice reports whether f brings a device of ours data it
// must be able to trust (commands, setpoints, credentials to enforce: an
// asset needing high integrity or more): a device acts on what it is sent,
// so one that cannot tell its controller from anything else on the network
// obeys whoever sends it a command.
func authnCommandedDevice(f *model.Flow) bool {
	if f.To.Kind != model.KindDevice || f.To.ThirdParty || f.To.OutOfScope || f.Local {
		return false
	}
	for _, a := range f.Carries {
		if a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	return false
}

// authnEmailInstructions reports whether f brings money or records of high
// integrity by email from outside to a person of ours.
func authnEmailInstructions(f *model.Flow) bool {
	switch strings.ToLower(f.Protocol) {
	case "smtp", "email", "e-mail", "mail", "imap":
	default:
		return false
	}
	if f.To.Kind != model.KindPerson || f.To.ThirdParty || f.From.Kind == model.KindPerson {
		return false
	}
	return len(ofKind(f.Carries, model.AssetMoney)) > 0 || integrityNeeded(f.Carries)
}

// authnToOutsideStated reports whether f is a call from a process of ours
// to a system outside ours (an external or a third party's component, in
// scope) that carries money or data of high integrity, or gets sensitive
// data or credentials back, with its authentication stated: the outside
// system acts on it, or answers it, as ours.
func authnToOutsideStated(f *model.Flow) bool {
	if f.Authentication == model.AuthUnknown || !f.From.IsProcess() || f.From.ThirdParty || f.From.OutOfScope ||
		!tpThirdParty(f.To) || f.To.OutOfScope || f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient {
		return false
	}
	for _, a := range f.Carries {
		if a.Kind == model.AssetMoney || a.Kind == model.AssetData && a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	// What it hands back to whoever it takes for us: credentials (the
	// codes that download a subscriber's profile) and sensitive data.
	return len(sensitive(f.Returns)) > 0
}
