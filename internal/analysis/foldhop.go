package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldFurtherHop drops a weakness's further threat (a rule's Also
// category, id rule:target:category) on a component (the first it names:
// for a flow rule's threat, most often the receiver) and hops into or out
// of it, where another rule's own threat of that category on the
// component is listed before it: the hop is the component's edge, and a
// reviewer writes the category once on the component (a payout job that
// may pay a run twice, its tampering on the job and its upload, beside the
// job paying out without a person's approval). foldFurther needs the other
// threat to name every element; here it names the component and takes the
// hops from the further threat, so either reading finds it, and asks its
// questions. The weakness stays listed under its own category.
//
// Only threats of rules that are listed join; an open further threat joins
// only an open one (a stated gap never folds into an unknown), and a
// threat with a decision, a mitigation or a reopening stays, on either
// side. The other threat ranks before the further one (fs is in rank
// order), and is a rule's own threat, which never goes in this pass, so a
// fold never chains. It runs after foldFurther; the caller ranks again.
func foldFurtherHop(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) []*model.Finding {
	own := make(map[string]model.Category, len(rules))
	for _, r := range rules {
		own[r.ID] = r.Category
	}
	type key struct {
		c   *model.Component
		cat model.Category
	}
	byComp := map[key][]*model.Finding{}
	into := map[*model.Finding]*model.Finding{}
	for _, f := range fs {
		c, ok := own[f.Rule]
		if !ok || f.Origin == model.OriginPeople || !f.Active() || len(f.Targets) == 0 || held(f) {
			continue
		}
		if f.Category == c {
			for _, t := range f.Targets {
				if t.Component != nil {
					k := key{t.Component, f.Category}
					byComp[k] = append(byComp[k], f)
				}
			}
			continue
		}
		e := firstComponent(f.Targets)
		if e == nil {
			continue
		}
		var keep *model.Finding
		for _, g := range byComp[key{e, f.Category}] {
			if g.Rule == f.Rule || f.Open() && !g.Open() {
				continue
			}
			if keep == nil || g.Rank < keep.Rank {
				keep = g
			}
		}
		if keep == nil || !hopsOf(f.Targets, e, keep) {
			continue
		}
		for _, t := range f.Targets {
			if !slices.Contains(keep.Targets, t) {
				keep.Targets = append(keep.Targets, t)
			}
		}
		f.Rank = 0
		into[f] = keep
	}
	if len(into) == 0 {
		return fs
	}
	for _, q := range qs {
		repoint(q, into)
	}
	return dropUnranked(fs, qs, workers)
}

// hopsOf reports whether each of ts is named by g or is a flow into or out
// of e.
func hopsOf(ts []model.Target, e *model.Component, g *model.Finding) bool {
	for _, t := range ts {
		if slices.Contains(g.Targets, t) {
			continue
		}
		if t.Component == e {
			continue
		}
		if t.Flow == nil || t.Flow.From != e && t.Flow.To != e {
			return false
		}
	}
	return true
}

// firstComponent returns the first component among ts, or nil.
func firstComponent(ts []model.Target) *model.Component {
	for _, t := range ts {
		if t.Component != nil {
			return t.Component
		}
	}
	return nil
}
