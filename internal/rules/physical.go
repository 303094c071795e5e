package rules

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// physicalRules are threats that come from control networks and the
// hardware people carry (family21b): hosts that bridge an isolated control
// zone to a less trusted network, and portable devices that carry other
// people's records out of the building.
var physicalRules = []*rule.Rule{
	{
		ID:       "control-zone-bridge",
		Title:    "A host links an isolated control zone to a less trusted network",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "A zone is kept apart because what runs in it controls equipment or holds records that must not change: controllers and safety systems, " +
			"or a network reached only by carrying media across an air gap. " +
			"A component talks both to that zone and to a less trusted one (office IT, a vendor, the internet): a dual-homed PC, a replication or sync job, a historian copy, " +
			"a workstation that exports from the zone, a firewall host or a vendor gateway. " +
			"Malware or an intruder that reaches it from the less trusted side (phishing, ransomware, a vendor's remote tool, infected media) uses it as a stepping stone into the zone, " +
			"where devices and legacy protocols rarely authenticate anyone: the isolation holds only as well as its weakest bridge, " +
			"and a path drawn as read-only or one-way becomes two-way once the host on it is compromised.",
		CWE:   []int{653, 923, 284},
		CAPEC: []int{1, 555},
		Mitigations: []string{
			"Remove dual-homed hosts: route every path through a DMZ with a firewall that admits only named hosts and ports in each direction, and use a data diode where data need only leave the zone.",
			"Replicate out of the zone (push from inside to a copy in the DMZ) rather than letting outside systems reach in; never reuse accounts or credentials between the zones.",
			"Harden and patch the bridging host, allow-list what it runs, disable remote-access tools except through a monitored, approved jump path, and scan media before it crosses an air gap.",
			"Monitor the crossings (unexpected connections, new protocols) and keep the zone able to run, and to stop safely, when the link is cut.",
		},
		References: []string{
			"https://www.isa.org/standards-and-publications/isa-standards/isa-iec-62443-series-of-standards (zones and conduits)",
			"https://csrc.nist.gov/pubs/sp/800/82/r3/final (OT security, segmentation)",
			"https://cwe.mitre.org/data/definitions/653.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			zones := controlZones(x)
			if len(zones) == 0 || c.OutOfScope || c.ThirdParty || c.Kind == model.KindPerson || c.Kind == model.KindExternal || c.Boundary == nil {
				return
			}
			var cross []*model.Flow
			var at []*model.Asset
			for _, f := range append(slices.Clip(c.In), c.Out...) {
				if bridgeEnd(zones, f) == c {
					cross = append(cross, f)
					at = append(at, f.Carries...)
					at = append(at, f.Returns...)
				}
			}
			if len(cross) == 0 {
				return
			}
			// What is at stake is what the zone controls: the assets of the
			// components in it that the bridge talks to.
			for _, p := range peersOf(c, append(slices.Clip(c.In), c.Out...)) {
				if p.Boundary != nil && zones[rootZone(p.Boundary)] {
					at = append(at, p.Assets()...)
				}
			}
			if zones[rootZone(c.Boundary)] {
				at = append(at, c.Assets()...)
			}
			if gap := x.Lacks(c, model.CtlNetworkRestricted); x.Reports(gap) {
				for _, f := range cross {
					x.AlsoTarget(model.Target{Flow: f})
				}
				x.Report(gap, q(c.ID)+" carries data out of the isolated zone "+q(rootZone(cross[0].From.Boundary).ID)+" to "+ids(distinct(peersOf(c, cross)), compID)+" and talks to both sides; a compromise on the less trusted side crosses back through it", orNoAssets(distinct(at)))
			}
		},
	},
	{
		ID:            "portable-device-loss",
		SensitiveOnly: true,
		Title:         "A portable device of ours carries other people's records out of the building",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		Doc: "Staff use phones, tablets, handhelds or laptops the organisation issues (a rescue team's tablets, a housekeeping phone, a field engineer's laptop) to show or keep people's personal data. " +
			"Portable devices are left in vehicles, lost, stolen, lent to a colleague or sent for repair; a device on a shared desk or in a locker is picked up by whoever passes. " +
			"Without a screen lock, storage encryption and a way to wipe it remotely, whoever holds the device reads what it shows and what it cached, and uses the session still open on it. " +
			"A device the organisation does not manage, used by people outside its network, is unmanaged-device-holds-records' line.",
		CWE:   []int{922, 311, 359},
		CAPEC: []int{37, 545},
		Mitigations: []string{
			"Enrol the devices in device management: enforced screen lock with a short timeout, storage encryption, remote lock and wipe, and an inventory that says who holds each one.",
			"Cache as little as the work needs, and for as short as it needs; clear it at the end of a shift or when the app is idle.",
			"Give each person their own sign-in on shared devices, keep sessions short, and revoke a device's sessions and keys as soon as it is reported missing.",
		},
		References: []string{
			"https://mas.owasp.org/MASVS/ (MASVS-STORAGE)",
			"https://csrc.nist.gov/pubs/sp/800/124/r2/final (managing mobile devices)",
			"https://cwe.mitre.org/data/definitions/922.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			k := x.Target.Component
			if k.Kind != model.KindClient && k.Kind != model.KindDevice || k.OutOfScope || k.ThirdParty {
				return
			}
			// The organisation's own device: drawn in an internal zone of
			// ours, and portable by what the model names it.
			if k.Trust() != model.TrustInternal || !reviewerWords(k, portableWords...) {
				return
			}
			shown := k.Assets()
			for _, f := range k.Out {
				shown = append(shown, f.Returns...)
			}
			at := distinct(withData(sensitive(shown), model.DataPII, model.DataPHI, model.DataFinancial))
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(k, model.CtlHardened); x.Reports(gap) {
				x.Report(gap, q(k.ID)+" is a portable device that shows or keeps "+ids(at, assetID)+"; lost, stolen or picked up, it gives them to whoever holds it", at)
			}
		},
	},
}

// portableWords name devices people carry about: phones, tablets,
// handhelds and laptops.
var portableWords = []string{"phone", "phones", "smartphone", "smartphones", "tablet", "tablets", "ipad", "ipads", "handheld", "handhelds", "laptop", "laptops", "mobile", "pda", "mdt"}

// bridgeEnd returns the component that bridges a control zone through f,
// or nil: f leaves a control zone (its sender is in one) for a less trusted
// zone that is not one, and the bridge is the sender when it also talks to
// others in its zone (a dual-homed host, a firewall, a replicating
// historian), else the receiver when it also talks to others on its side
// (an export workstation on the office network).
func bridgeEnd(zones map[*model.Boundary]bool, f *model.Flow) *model.Component {
	a, b := f.From, f.To
	if a.Boundary == nil || b.Boundary == nil || a.Kind == model.KindPerson || b.Kind == model.KindPerson || a.OutOfScope || b.OutOfScope {
		return nil
	}
	za, zb := rootZone(a.Boundary), rootZone(b.Boundary)
	if !zones[za] || zones[zb] || zb.Trust >= model.TrustRestricted {
		return nil
	}
	side := func(c *model.Component, other *model.Component) bool {
		z := rootZone(c.Boundary)
		for _, g := range append(slices.Clip(c.In), c.Out...) {
			for _, p := range []*model.Component{g.From, g.To} {
				if p != c && p != other && p.Kind != model.KindPerson && p.Boundary != nil && rootZone(p.Boundary) == z {
					return true
				}
			}
		}
		return false
	}
	switch {
	case !a.ThirdParty && a.Kind != model.KindExternal && side(a, b):
		return a
	case !b.ThirdParty && b.Kind != model.KindExternal && side(b, a):
		return b
	}
	return nil
}

// peersOf returns the other ends of fs seen from c.
func peersOf(c *model.Component, fs []*model.Flow) []*model.Component {
	var out []*model.Component
	for _, f := range fs {
		if f.From == c {
			out = append(out, f.To)
		} else {
			out = append(out, f.From)
		}
	}
	return out
}

// controlZones returns the outermost restricted zones kept apart for what
// they control: one that holds a device the team runs (controllers,
// sensors, safety systems), one that talks to such a zone, and one that
// is air-gapped (every flow across its edge is local: media carried by
// hand).
func controlZones(x *rule.Ctx) map[*model.Boundary]bool {
	return x.Memo(controlZonesKey{}, func() any { return findControlZones(x.Model) }).(map[*model.Boundary]bool)
}

type controlZonesKey struct{}

func findControlZones(m *model.Model) map[*model.Boundary]bool {
	out := map[*model.Boundary]bool{}
	devices := map[*model.Boundary]bool{}
	crossings := map[*model.Boundary]int{}
	local := map[*model.Boundary]int{}
	for _, c := range m.Components {
		if c.Boundary == nil || c.OutOfScope || c.ThirdParty {
			continue
		}
		// A key store (an HSM, an offline CA's laptop) is a device too, but
		// what it guards is keys, not equipment.
		if z := rootZone(c.Boundary); z.Trust == model.TrustRestricted && c.Kind == model.KindDevice && !credentialsOnly(c.Assets()) {
			devices[z] = true
		}
	}
	for _, f := range m.Flows {
		if f.From.Boundary == nil || f.To.Boundary == nil {
			continue
		}
		a, b := rootZone(f.From.Boundary), rootZone(f.To.Boundary)
		if a == b {
			continue
		}
		for _, z := range []*model.Boundary{a, b} {
			if z.Trust != model.TrustRestricted {
				continue
			}
			crossings[z]++
			if f.Local {
				local[z]++
			}
		}
		// A restricted zone that talks to one with devices is part of the
		// control system (a control room over its field sites).
		if a.Trust == model.TrustRestricted && b.Trust == model.TrustRestricted && (devices[a] || devices[b]) {
			out[a], out[b] = true, true
		}
	}
	for z := range devices {
		out[z] = true
	}
	for z, n := range crossings {
		if n > 0 && local[z] == n {
			out[z] = true
		}
	}
	return out
}
