package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// hostRules are about the machines components run on, where the design
// names them.
var hostRules = []*rule.Rule{
	{
		ID:       "ransomware-on-critical-host",
		Title:    "Malware or ransomware stops a host the system cannot work without",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		// Malware spreads across the Windows hosts of one flat zone, and
		// their patching and hardening is the zone's practice: one line.
		ZoneWide: true,
		Doc: "The component runs on Windows, the platform commodity ransomware and network worms are built for, and the system cannot work without it: " +
			"a critical or highly available system, or what it holds must stay available. Such hosts (vendor software on Windows servers, " +
			"Windows-based devices and workstations in a clinical, industrial or branch network) are often patched on a vendor's schedule and sit on flat networks, " +
			"so one infected machine or a phished user spreads to all of them and everything that depends on them stops at once, " +
			"as in the WannaCry outage of hospital devices. " +
			"Such hosts in one zone are one threat (one infection spreads to all of them; their patching is one practice), naming each host.",
		CWE:   []int{1395, 1104, 693},
		CAPEC: []int{549, 441},
		Mitigations: []string{
			"Patch the operating system and the vendor software on a set schedule (agree it in the vendor contract), and remove what the component does not need (hardening baseline, application allow-listing).",
			"Segment the hosts into their own network zone that reaches only what they need, and block lateral protocols (SMB, RDP) between them.",
			"Run endpoint protection, keep offline or immutable backups of the hosts' data and configuration, and rehearse rebuilding them and working without them (downtime procedures).",
		},
		References: []string{
			"https://www.cisa.gov/stopransomware/ransomware-guide",
			"https://csrc.nist.gov/pubs/ir/8374/final",
			"https://attack.mitre.org/techniques/T1486/",
		},
		Property: model.Availability,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.OutOfScope || c.ThirdParty || !(c.IsProcess() || c.Kind == model.KindDevice) || !reviewerWords(c, "windows") {
				return
			}
			at := reviewerAvailability(x, c)
			if len(at) == 0 && x.Model.System.Criticality < model.High && x.Model.Context.Criticality < model.High {
				return
			}
			if len(at) == 0 {
				at = c.Assets()
			}
			if gap := x.Lacks(c, model.CtlHardened); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" runs on Windows: malware or ransomware on the network can stop it and what depends on it", at)
			}
		},
	},
}
