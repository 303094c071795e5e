package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var boundaryRules = []*rule.Rule{
	{
		ID:       "restricted-zone-tier-skipping",
		Title:    "Restricted zone receives flows straight from the internet",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnBoundary,
		Doc: "Components in the most trusted zone take flows directly from the internet, skipping the tiers that should stand between them. " +
			"Whoever controls the sender is one flaw away from the system's most sensitive components, and the controls of the intermediate tiers (gateways, validation, monitoring) are bypassed.",
		CWE:   []int{653, 668},
		CAPEC: []int{122, 1},
		Mitigations: []string{
			"Route internet traffic through an internet-facing tier (gateway, API service) that authenticates, validates and monitors it.",
			"Allow only that tier through the restricted zone's network policy.",
		},
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/207/final",
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			b := x.Target.Boundary
			if b.Trust != model.TrustRestricted {
				return
			}
			var fs []*model.Flow
			var at []*model.Asset
			for _, c := range b.Components {
				if c.OutOfScope {
					continue
				}
				direct := storageInternetCallers(c) // reported by store-reachable-from-internet
				for _, f := range c.In {
					if f.From.Trust() != model.TrustInternet || boundaryHas(direct, f) {
						continue
					}
					if c.Kind == model.KindStorage && f.Authentication == model.AuthSignature {
						// A signed URL: the tier that signed it decided
						// the request; no tier is skipped (noise23).
						continue
					}
					fs = append(fs, f)
					at = append(at, sensitive(c.Assets())...)
				}
			}
			if len(fs) == 0 {
				return
			}
			x.Report(model.Yes, "Restricted zone "+q(b.ID)+" takes flows straight from the internet: "+ids(fs, boundaryFlowName), abuseOrNil(distinct(at)))
		},
	},
	{
		ID:       "restricted-zone-not-isolated",
		Title:    "Restricted zone does not restrict network access",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnBoundary,
		Doc: "A zone marked restricted holds components that any workload on the network can reach. " +
			"The zone is restricted on paper only: one compromised service anywhere can connect to its databases and services and move laterally into the most sensitive part of the system. " +
			"Raised where the zone's isolation is stated absent (network_restricted: no); while it is unknown, whether the " +
			"network admits only the zone's named callers is asked as a question.",
		CWE:   []int{653, 923},
		CAPEC: []int{1},
		Mitigations: []string{
			"Enforce the zone with network policy (security groups, Kubernetes NetworkPolicy, private subnets) that admits only named callers.",
			"Deny by default and review the allowed paths when the design changes.",
		},
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/207/final",
			"https://kubernetes.io/docs/concepts/services-networking/network-policies/",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			b := x.Target.Boundary
			if b.Trust != model.TrustRestricted {
				return
			}
			var cs []*model.Component
			for _, c := range b.Components {
				if !c.OutOfScope && !c.IsActor() && !c.ThirdParty {
					cs = append(cs, c)
				}
			}
			gap, which, at := boundaryAnyLacks(x, cs)
			if len(which) == 0 {
				return
			}
			if gap == model.Unknown {
				// The paths the model draws into the zone are their own
				// threats (restricted-zone-tier-skipping, the crossings'
				// authentication); whether the network admits only them
				// is a question until it is stated.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, "Restricted zone "+q(b.ID)+" does not restrict who can reach "+ids(which, compID)+" on the network", at)
			}
		},
	},
	{
		ID:       "sensitive-store-in-untrusted-zone",
		Title:    "Sensitive data stored in an internet or partner zone",
		Category: model.InformationDisclosure,
		On:       rule.OnBoundary,
		Doc: "A data store holding sensitive data sits in a zone of internet or partner trust, such as a DMZ, instead of an internal one. " +
			"It shares the network with the system's most exposed components, so a compromise of any of them, or a permissive network rule, reaches the data.",
		CWE:   []int{653, 668},
		CAPEC: []int{1},
		Mitigations: []string{
			"Move the store into an internal or restricted zone and reach it only through the application tier.",
			"Until then, restrict network access to the store to the components that need it.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Database_Security_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/41/r1/final",
		},
		Check: func(x *rule.Ctx) {
			b := x.Target.Boundary
			if b.Trust > model.TrustPartner {
				return
			}
			var cs []*model.Component
			for _, c := range b.Components {
				if c.OutOfScope || !c.IsStore() || c.Public || c.ThirdParty || len(sensitive(c.Stores)) == 0 {
					continue
				}
				if len(storageInternetCallers(c)) > 0 {
					continue // reported by store-reachable-from-internet
				}
				if callerSideOnly(c) {
					continue // a device's own store, not a server's in a DMZ
				}
				cs = append(cs, c)
			}
			gap, which, at := boundaryAnyLacks(x, cs)
			if len(which) == 0 {
				return
			}
			if x.Reports(gap) {
				x.Report(gap, "Zone "+q(b.ID)+" ("+b.Trust.String()+" trust) holds "+ids(which, compID)+" with sensitive data", at)
			}
		},
	},
}

// boundaryAnyLacks asks whether any of cs lacks network restriction: Yes
// when one is stated to lack it (which lists those), Unknown when none does
// and some are unknown (which lists those), No otherwise. It also returns the
// sensitive assets they hold.
func boundaryAnyLacks(x *rule.Ctx, cs []*model.Component) (model.Tri, []*model.Component, []*model.Asset) {
	var yes, unk []*model.Component
	var at []*model.Asset
	for _, c := range cs {
		switch x.Lacks(c, model.CtlNetworkRestricted) {
		case model.Yes:
			yes = append(yes, c)
			at = append(at, sensitive(c.Assets())...)
		case model.Unknown:
			unk = append(unk, c)
			at = append(at, sensitive(c.Assets())...)
		}
	}
	at = abuseOrNil(distinct(at))
	if len(yes) > 0 {
		return model.Yes, yes, at
	}
	if len(unk) > 0 {
		return model.Unknown, unk, at
	}
	return model.No, nil, nil
}

func boundaryHas(fs []*model.Flow, f *model.Flow) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

func boundaryFlowName(f *model.Flow) string { return f.From.ID + " → " + f.To.ID }
