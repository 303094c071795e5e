package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldIntoReceiver joins a flow threat into its receiver's threat where a
// rule says the two are one weakness (rule.Rule.SameOnReceiver): "flow f
// from the partner zone is not authenticated" and "the API does not
// authenticate its callers" are one missing check, fixed once at the
// receiver, and a reviewer writes it once, on the flow or on the
// component. Of the receiver's threat (id SameOnReceiver:receiver,
// listed, of the flow threats' category) and the flow threats joining it,
// the best-ranked stays and names the others' targets too, so either
// reading finds it, and carries their questions; the others leave the list.
//
// Only unverified flow threats join, and only when every flow such a
// threat targets goes into that receiver; an open receiver's threat always
// stays (a stated gap never folds into an unknown), and so does one with a
// decision, a mitigation or a reopening. Threats with a
// decision, a mitigation or a reopening stay, as in foldFurther; no alias
// is added (a decision on the flow threat must not transfer). It runs
// after the cap and the fold of further threats, on the threats listed.
func foldIntoReceiver(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) []*model.Finding {
	same := map[string]string{}
	for _, r := range rules {
		if r.SameOnReceiver != "" && r.On == rule.OnFlow {
			same[r.ID] = r.SameOnReceiver
		}
	}
	if len(same) == 0 {
		return fs
	}
	// The flow threats that may join, and the ids of the receivers'
	// threats they would join: only those few are looked up among fs.
	type cand struct {
		f    *model.Finding
		want string
	}
	var cands []cand
	var byID map[string]*model.Finding
	for _, f := range fs {
		other, ok := same[f.Rule]
		if !ok || !f.Unverified() || f.Decision != nil || len(f.Mitigations) > 0 || f.Reopened != "" || len(f.Targets) == 0 {
			continue
		}
		var to *model.Component
		for _, t := range f.Targets {
			switch {
			case t.Flow != nil && (to == nil || t.Flow.To == to):
				to = t.Flow.To
			case t.Component != nil && t.Component == to:
			default:
				to = nil
			}
			if to == nil {
				break
			}
		}
		if to == nil {
			continue
		}
		if byID == nil {
			byID = map[string]*model.Finding{}
		}
		w := other + ":" + to.ID
		byID[w] = nil
		cands = append(cands, cand{f, w})
	}
	if len(cands) == 0 {
		return fs
	}
	for _, g := range fs {
		if _, ok := byID[g.ID]; ok && g.Active() && g.Origin != model.OriginPeople {
			byID[g.ID] = g
		}
	}
	groups := map[*model.Finding][]*model.Finding{}
	var order []*model.Finding
	for _, c := range cands {
		f, g := c.f, byID[c.want]
		if g == nil || g.Category != f.Category || g.Rank == 0 {
			continue
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], f)
	}
	if len(order) == 0 {
		return fs
	}
	// Per receiver's threat, the best-ranked of it and its flow threats
	// stays (the receiver's when it is open) and names the others'
	// targets; fs is in rank order, so a group's flow threats are too.
	into := map[*model.Finding]*model.Finding{}
	for _, g := range order {
		grp := groups[g]
		keep := g
		held := g.Decision != nil || len(g.Mitigations) > 0 || g.Reopened != ""
		if !g.Open() && !held && grp[0].Rank < g.Rank {
			keep = grp[0]
		}
		ts := slices.Clone(keep.Targets)
		for _, x := range append([]*model.Finding{g}, grp...) {
			if x == keep {
				continue
			}
			for _, t := range x.Targets {
				if !slices.Contains(ts, t) {
					ts = append(ts, t)
				}
			}
			x.Rank = 0
			into[x] = keep
		}
		keep.Targets = ts
	}
	for _, q := range qs {
		for i, t := range q.Threats {
			if g := into[t]; g != nil {
				if slices.Contains(q.Threats, g) {
					continue // dropUnranked removes t
				}
				q.Threats[i] = g
				if !slices.Contains(g.Questions, q.ID) {
					g.Questions = append(g.Questions, q.ID)
				}
			}
		}
	}
	return dropUnranked(fs, qs, workers)
}
