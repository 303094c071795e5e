package rules

import (
	"fmt"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// noAssets makes a finding name no asset, so that modelling gaps score as
// information rather than by the asset's needs.
var noAssets = []*model.Asset{}

var assetRules = []*rule.Rule{
	{
		ID:       "orphan-sensitive-asset",
		Title:    "Sensitive asset appears nowhere in the design",
		Category: model.InformationDisclosure,
		On:       rule.OnAsset,
		Doc: "A sensitive asset is declared but no component stores or processes it and no flow carries it. " +
			"Either the model is missing where the data lives and travels, so no rule can check how it is protected, or the asset is obsolete and should be removed.",
		CWE:   []int{1059},
		CAPEC: []int{116},
		Mitigations: []string{
			"Add the asset to the `stores`, `processes` or `carries` of the components and flows that handle it.",
			"Remove the asset if the system no longer handles it.",
		},
		References: []string{
			"https://owasp.org/www-community/Threat_Modeling_Process",
			"https://www.threatmodelingmanifesto.org/",
		},
		Exploitability: -2,
		Check: func(x *rule.Ctx) {
			a := x.Target.Asset
			if !a.Sensitive() || len(assetHolders(x.Model, a, true)) > 0 {
				return
			}
			if len(x.Model.CarriedBy(a)) > 0 {
				return
			}
			x.Report(model.Yes, "Sensitive asset "+q(a.ID)+" is not stored, processed or carried anywhere in the model", noAssets)
		},
	},
	{
		ID:       "sensitive-asset-sprawl",
		Title:    "Sensitive asset stored in many places",
		Category: model.InformationDisclosure,
		On:       rule.OnAsset,
		Doc: "The same sensitive data is kept in more than three components. " +
			"Every copy needs its own access control, encryption, retention and deletion, and the weakest copy sets the level of protection for all; copies also make data subject requests and breach scoping harder.",
		CWE:   []int{212, 359},
		CAPEC: []int{150},
		Mitigations: []string{
			"Keep one authoritative store and have other components reference it by id or token instead of copying the data.",
			"Where copies are needed (caches, analytics), minimise or pseudonymise the fields and give them short retention.",
		},
		References: []string{
			"https://owasp.org/www-project-top-10-privacy-risks/",
			"https://cheatsheetseries.owasp.org/cheatsheets/User_Privacy_Protection_Cheat_Sheet.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			a := x.Target.Asset
			if !a.Sensitive() {
				return
			}
			st := assetHolders(x.Model, a, false)
			if len(st) <= 3 {
				return
			}
			x.Report(model.Yes, fmt.Sprintf("Sensitive asset %s is stored in %d places: %s", q(a.ID), len(st), ids(st, compID)), nil)
		},
	},
	{
		ID:       "model-without-assets",
		Title:    "Model names no assets",
		Category: model.InformationDisclosure,
		On:       rule.OnModel,
		Doc: "The model has components but declares no assets. " +
			"Without knowing what is worth protecting, Ward cannot tell which flows and stores matter, so findings are weighed by guesswork and data-protection rules cannot fire.",
		CWE:   []int{1059},
		CAPEC: []int{116},
		Mitigations: []string{
			"Add the data, credentials, money and services the system must protect under `assets`, with classification and needs.",
			"Reference them from the components that store or process them and the flows that carry them.",
		},
		References: []string{
			"https://owasp.org/www-community/Threat_Modeling_Process",
			"https://www.threatmodelingmanifesto.org/",
		},
		Exploitability: -2,
		Check: func(x *rule.Ctx) {
			m := x.Model
			if len(m.Assets) > 0 || len(m.Components) == 0 {
				return
			}
			x.Report(model.Yes, fmt.Sprintf("The model has %d components but names no assets to protect", len(m.Components)), noAssets)
		},
	},
	{
		ID:       "model-without-trust-boundaries",
		Title:    "Internet-facing model has no trust boundaries",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnModel,
		Doc: "The system is reachable from the internet but the model draws no trust boundaries. " +
			"Trust then rests on defaults (people and external systems on the internet, everything else internal), so flows that cross real network, account or privilege boundaries go unexamined.",
		CWE:   []int{1059, 653},
		CAPEC: []int{122},
		Mitigations: []string{
			"Add boundaries for the internet, partner networks, internal networks and restricted zones, and place each component in one.",
			"Mark the boundary that holds the most sensitive data as restricted.",
		},
		References: []string{
			"https://owasp.org/www-community/Threat_Modeling_Process",
			"https://learn.microsoft.com/en-us/azure/security/develop/threat-modeling-tool-threats",
		},
		Exploitability: -2,
		Check: func(x *rule.Ctx) {
			m := x.Model
			if len(m.Boundaries) > 0 || len(m.Components) == 0 {
				return
			}
			var front []*model.Component
			for _, c := range m.Components {
				if !c.OutOfScope && internetExposed(c) && (c.IsProcess() || c.IsStore()) {
					front = append(front, c)
				}
			}
			switch {
			case len(front) > 0:
				x.Report(model.Yes, "The model has internet-facing components ("+ids(front, compID)+") but no trust boundaries", noAssets)
			case m.Context.InternetFacing == model.Yes:
				x.Report(model.Yes, "The system is internet-facing but the model has no trust boundaries", noAssets)
			}
		},
	},
}

// assetHolders returns the components that store a (or also process it,
// when processed is true).
func assetHolders(m *model.Model, a *model.Asset, processed bool) []*model.Component {
	if processed {
		return m.HandledBy(a)
	}
	return m.StoredBy(a)
}
