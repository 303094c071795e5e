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
	guessed := needsGuessed(m)
	i, which, prop := impactMemo(m, f, nil, guessed)
	return i, impactReason(m, f, i, which, prop, guessed)
}

// impactReason says why f's impact is i: asset which's need for prop, or
// what stands in for it when no asset is at stake.
func impactReason(m *model.Model, f *model.Finding, i model.Impact, which string, prop model.Property, guessed bool) string {
	if which == "" {
		if i <= 2 && len(m.Assets) > 0 && !touchData(f) {
			return "its elements hold, carry and reach none of the model's named data"
		}
		reason := "no asset at stake is named"
		if i > 2 {
			reason += "; the system is business-critical"
		}
		return reason
	}
	return impactWhy(f, i, which, prop, guessed)
}

// impactWhy words the impact i that asset which sets for property prop:
// for repudiation, where the need was taken one step lower, it names the
// asset's own need and the step. With guessed (needsGuessed), a need that
// guessedNeed raised says so (guessedIntegrityWhy).
func impactWhy(f *model.Finding, i model.Impact, which string, prop model.Property, guessed bool) string {
	var a *model.Asset
	for _, x := range f.Assets {
		if x.ID == which {
			a = x
			break
		}
	}
	need, guess := model.LevelUnset, ""
	if a != nil {
		need = a.Need(prop)
		if guessed {
			if g := guessedNeed(a, prop, need); g > need {
				need, guess = g, guessedIntegrityWhy
			}
		}
	}
	if a != nil && (f.Category == model.Repudiation || gathered(f)) && levelImpact(need) > i {
		step := "; one step less for repudiation (what is lost is the record of who acted, not the change)"
		if f.Category != model.Repudiation {
			step = gatheredWhy
		}
		return which + " needs " + needName(levelImpact(need)) + " " + prop.String() + guess + step
	}
	if guess != "" && levelImpact(need) != i {
		guess = ""
	}
	return which + " needs " + needName(i) + " " + prop.String() + guess
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

// impactMemo computes the impact, the asset that sets it, and the
// property, remembering in memo (when not nil) the outcome of
// long asset lists: rules put the same list at stake in many threats, and
// it grows with the model, so scanning it per threat would be quadratic.
//
// guessed says the model states nothing of any asset's sensitivity
// (needsGuessed): the integrity its words imply is then read for the
// assets whose data Ward read from their words (guessedIntegrity).
func impactMemo(m *model.Model, f *model.Finding, memo map[stakeKey]stake, guessed bool) (model.Impact, string, model.Property) {
	prop := f.Property
	if prop == 0 {
		prop = f.Category.Property()
	}
	// Repudiation: what is lost is the record of who acted, not the
	// change itself (the tampering threat's): one step below the need.
	// Gathering what callers are shown (gathered): one step below too.
	less := f.Category == model.Repudiation && !ab.repud || gathered(f)
	best, which := stakeMemo(f.Assets, prop, less, guessed, memo)
	if f.Category == model.ElevationOfPrivilege && !ab.elevboth {
		// A privilege gained is the power to read and to change what the
		// role reaches: the larger of the two needs sets the stake (the
		// rule's own property on a tie).
		other := model.Integrity
		if prop == model.Integrity {
			other = model.Confidentiality
		}
		if prop != model.Availability {
			if b, w := stakeMemo(f.Assets, other, false, guessed, memo); b > best {
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
func stakeMemo(assets []*model.Asset, prop model.Property, less, guessed bool, memo map[stakeKey]stake) (model.Impact, string) {
	if memo == nil || len(assets) < 8 {
		return assetImpact(assets, prop, less, guessed)
	}
	k := stakeKey{&assets[0], len(assets), prop, less}
	st, ok := memo[k]
	if !ok {
		st.best, st.which = assetImpact(assets, prop, less, guessed)
		memo[k] = st
	}
	return st.best, st.which
}

// assetImpact is the impact of the most sensitive of the assets for
// property prop, and that asset's id; with less, each need counts one step
// lower (repudiation), the business value still a floor. With guessed (a
// model that states no asset's sensitivity), an asset's integrity is the
// one its words imply (guessedNeed).
func assetImpact(assets []*model.Asset, prop model.Property, less, guessed bool) (model.Impact, string) {
	best, which := model.Impact(0), ""
	for _, a := range assets {
		need := a.Need(prop)
		if guessed {
			need = guessedNeed(a, prop, need)
		}
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
