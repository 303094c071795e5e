package risk

import (
	"github.com/wardtm/ward/internal/model"
)

// This file is the impact side of the risk model: what the assets a
// threat concerns need (confidentiality, integrity, availability, value),
// memoised per asset set; docs/risk.md explains it with worked examples.

// levelImpact converts a need to an impact.
func levelImpact(l model.Level) model.Impact {
	switch l {
	case model.Critical:
		return 5
	case model.High:
		return 4
	case model.Medium:
		return 3
	case model.Low:
		return 2
	}
	return 2
}

// ImpactOf estimates a finding's impact from the assets at stake and says why.
func ImpactOf(m *model.Model, f *model.Finding) (model.Impact, string) {
	i, which, prop := impact(m, f)
	if which == "" {
		if i <= 2 && len(m.Assets) > 0 && !touchData(f) {
			return i, "its elements hold, carry and reach none of the model's named data"
		}
		reason := "no asset at stake is named"
		if i > 2 {
			reason += "; the system is business-critical"
		}
		return i, reason
	}
	return i, impactWhy(f, i, which, prop)
}

// impactWhy words the impact i that asset which sets for property prop:
// for repudiation, where the need was taken one step lower, it names the
// asset's own need and the step.
func impactWhy(f *model.Finding, i model.Impact, which string, prop model.Property) string {
	if f.Category == model.Repudiation || gathered(f) {
		step := "; one step less for repudiation (what is lost is the record of who acted, not the change)"
		if f.Category != model.Repudiation {
			step = gatheredWhy
		}
		for _, a := range f.Assets {
			if a.ID == which && levelImpact(a.Need(prop)) > i {
				return which + " needs " + needName(levelImpact(a.Need(prop))) + " " + prop.String() + step
			}
		}
	}
	return which + " needs " + needName(i) + " " + prop.String()
}

// gatheredRules are the built-in rules whose attacker gathers what callers
// are shown rather than breaking into what they may not see: scraping
// harvests in bulk the records the service serves to each caller, and a
// validation oracle tells whether an account or a card exists, not what it
// holds. The records' need is against those who may not read them (object
// authorization's and the store's threats); what these attacks take is
// one step less (docs/risk.md, Impact: what any caller is shown).
var gatheredRules = map[string]bool{
	"scraping":          true,
	"validation-oracle": true,
}

// gatheredWhy is the step gathered adds to the impact's reason.
const gatheredWhy = "; one step less for what callers are shown (harvested or enumerated, not broken into)"

// gathered reports whether f's attacker gathers what callers are shown.
func gathered(f *model.Finding) bool {
	return !ab.gathered && f.Origin == model.OriginBuiltin && gatheredRules[f.Rule]
}

// impact computes the impact, the asset that sets it, and the property.
func impact(m *model.Model, f *model.Finding) (model.Impact, string, model.Property) {
	return impactMemo(m, f, nil)
}

// stakeKey names one list of assets at stake (rules share a list among
// many threats: an element's assets, the system's most valuable ones) and
// the property a threat is against.
type stakeKey struct {
	first *(*model.Asset)
	n     int
	prop  model.Property
	less  bool
}

type stake struct {
	best  model.Impact
	which string
}

// impactMemo is impact, remembering in memo (when not nil) the outcome of
// long asset lists: rules put the same list at stake in many threats, and
// it grows with the model, so scanning it per threat would be quadratic.
func impactMemo(m *model.Model, f *model.Finding, memo map[stakeKey]stake) (model.Impact, string, model.Property) {
	prop := f.Property
	if prop == 0 {
		prop = f.Category.Property()
	}
	// Repudiation: what is lost is the record of who acted, not the
	// change itself (the tampering threat's): one step below the need.
	// Gathering what callers are shown (gathered): one step below too.
	less := f.Category == model.Repudiation && !ab.repud || gathered(f)
	best, which := stakeMemo(f.Assets, prop, less, memo)
	if f.Category == model.ElevationOfPrivilege && !ab.elevboth {
		// A privilege gained is the power to read and to change what the
		// role reaches: the larger of the two needs sets the stake (the
		// rule's own property on a tie).
		other := model.Integrity
		if prop == model.Integrity {
			other = model.Confidentiality
		}
		if prop != model.Availability {
			if b, w := stakeMemo(f.Assets, other, false, memo); b > best {
				best, which, prop = b, w, other
			}
		}
	}
	// Denial of wallet: the price per call of a paid API sets the stake.
	if f.Category == model.DenialOfService {
		for _, t := range f.Targets {
			c := t.Component
			if t.Flow != nil {
				c = t.Flow.To
			}
			if c != nil && c.Paid && c.Price != model.LevelUnset && levelImpact(c.Price) > best {
				best, which = levelImpact(c.Price), c.ID+"'s price per call"
			}
		}
	}
	if best == 0 {
		if len(m.Assets) > 0 && !touchData(f) {
			// The model names its data and the threat's elements hold,
			// carry and reach none of it (a public calculator): what is
			// at stake is minor, however critical the system.
			return 2, "", prop
		}
		if m.System.Criticality >= model.High {
			return 3, "", prop
		}
		return 2, "", prop
	}
	return best, which, prop
}

// stakeMemo is assetImpact, remembered in memo (when not nil) for long
// asset lists.
func stakeMemo(assets []*model.Asset, prop model.Property, less bool, memo map[stakeKey]stake) (model.Impact, string) {
	if memo == nil || len(assets) < 8 {
		return assetImpact(assets, prop, less)
	}
	k := stakeKey{&assets[0], len(assets), prop, less}
	st, ok := memo[k]
	if !ok {
		st.best, st.which = assetImpact(assets, prop, less)
		memo[k] = st
	}
	return st.best, st.which
}

// assetImpact is the impact of the most sensitive of the assets for
// property prop, and that asset's id; with less, each need counts one step
// lower (repudiation), the business value still a floor.
func assetImpact(assets []*model.Asset, prop model.Property, less bool) (model.Impact, string) {
	best, which := model.Impact(0), ""
	for _, a := range assets {
		need := a.Need(prop)
		if prop == model.Availability && a.Availability == model.LevelUnset && !ab.dosavail {
			// Unstated, an asset's availability need is the one its kind
			// implies (medium; high for an asset of kind availability),
			// whatever the system's business criticality: an outage is
			// temporary and neither discloses nor changes the asset, and
			// reviewers rate four denial of service threats in five
			// medium or low. Only a stated availability need or a value
			// makes a denial of service critical.
			need = min(need, model.High)
		}
		if less && need > model.Low {
			need--
		}
		// The asset's business value is a floor whatever the property.
		i := levelImpact(max(need, a.Value))
		if i > best {
			best, which = i, a.ID
		}
	}
	return best, which
}

func needName(i model.Impact) string {
	switch i {
	case 5:
		return "critical"
	case 4:
		return "high"
	case 3:
		return "medium"
	}
	return "low"
}
