package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldFurtherHop drops a weakness's further threat (a rule's Also
// category, id rule:target:category) on a component (the first it names:
// for a flow rule's threat, most often the receiver) and hops into or out
// of it, where another rule's threat of that category on the component
// (its own, or a further threat that stays) is listed before it: the hop is the component's edge, and a
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
// order) and has not gone in this pass, and a threat that goes takes no
// other in, so a fold never chains. It runs after foldFurther; the caller
// ranks again.
func foldFurtherHop(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) []*model.Finding {
	own := make(map[string]model.Category, len(rules))
	for _, r := range rules {
		own[r.ID] = r.Category
	}
	type key struct {
		c   *model.Component
		cat model.Category
	}
	// A first pass finds the further threats that may go and the
	// (component, category) pairs they need a threat on; only threats
	// naming those pairs are indexed (most threats name none). It reads
	// every threat (a cache miss or two each at 100,000s), so it runs in
	// chunks on the workers, noting each threat's part (hopFurther with
	// its component, hopOwn for a threat of its rule's own category that
	// may take others in); the pass after it reads those only.
	part := make([]uint8, len(fs))
	comp := make([]*model.Component, len(fs))
	chunks(len(fs), workers, func(lo, hi int) {
		for i, f := range fs[lo:hi] {
			c, ok := own[f.Rule]
			if !ok || f.Origin == model.OriginPeople || !f.Active() || held(f) {
				continue
			}
			if f.Category == c {
				part[lo+i] = hopOwn
			} else if e := firstComponent(f.Targets); e != nil {
				part[lo+i], comp[lo+i] = hopFurther, e
			}
		}
	})
	var byComp map[key][]*model.Finding
	for i, p := range part {
		if p == hopFurther {
			if byComp == nil {
				byComp = map[key][]*model.Finding{}
			}
			byComp[key{comp[i], fs[i].Category}] = nil
		}
	}
	if byComp == nil {
		return fs
	}
	index := func(f *model.Finding) {
		for _, t := range f.Targets {
			if t.Component == nil {
				continue
			}
			k := key{t.Component, f.Category}
			if gs, ok := byComp[k]; ok && (len(gs) == 0 || gs[len(gs)-1] != f) {
				byComp[k] = append(gs, f)
			}
		}
	}
	into := map[*model.Finding]*model.Finding{}
	var jr joiner
	for i, p := range part {
		f := fs[i]
		switch p {
		case 0:
			continue
		case hopOwn:
			index(f)
			continue
		}
		// fs is in rank order, and so is each list: the first that
		// qualifies is the best-ranked.
		e := comp[i]
		var keep *model.Finding
		for _, g := range byComp[key{e, f.Category}] {
			if g.Rule != f.Rule && (!f.Open() || g.Open()) && into[g] == nil {
				keep = g
				break
			}
		}
		if keep == nil || !hopsOf(f.Targets, e, keep) {
			index(f)
			continue
		}
		jr.absorb(keep, f, into)
	}
	return settle(fs, qs, into, workers)
}

// The parts a threat plays in foldFurtherHop.
const (
	hopOwn     = 1 + iota // of its rule's own category: indexed
	hopFurther            // a further threat on a component: may go
)

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
