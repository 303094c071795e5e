package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldSameLine joins the threats of two rules that name one attack
// (rule.Rule.SameLine: "the API does not rate-limit callers" and "the API
// sets no request size limits or timeouts" are both "the API can be
// flooded", stopped by two controls) where both are listed, of the same
// category, on a shared element: a reviewer writes them as one line. The
// better-ranked stays in its place, names the other's elements too, so
// either reading finds it, and carries its questions; the other leaves the
// list. A threat joins at most one other, and a threat that left cannot
// take others in. A rule marked SameLineShared is its own partner: two of
// its threats of one category meet on a shared element or on a component
// at an end of a flow either names (rule.Rule.SameLineShared); marked rules
// of one Family (the transport rules: one weakness, cleartext, reported by
// whichever fits each hop) are one another's partner so: a component
// speaking plain HTTP on one hop and LDAP without TLS on another is one
// missing control, decided where it connects.
//
// Only threats of rules, open or unverified, join; an open threat never
// joins an unverified one (a stated gap never folds into an unknown), and
// a threat with a decision, a mitigation or a reopening stays apart, as in
// foldFurther. No alias is added: a decision on one control must not
// settle the other. It runs after the other folds, on the threats listed;
// the caller ranks again.
func foldSameLine(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) []*model.Finding {
	same := map[string][]string{}
	shared := map[string]bool{}
	// ends: the key a SameLineShared rule's threats are indexed under for
	// meeting at shared elements and flow ends (its family, or itself).
	endsKey := map[string]string{}
	for _, r := range rules {
		if r.SameLine != "" {
			same[r.ID] = append(same[r.ID], r.SameLine)
			same[r.SameLine] = append(same[r.SameLine], r.ID)
		}
		if r.SameLineShared {
			same[r.ID] = append(same[r.ID], r.ID)
			shared[r.ID] = true
			endsKey[r.ID] = r.ID
			if r.Family != "" {
				endsKey[r.ID] = "family " + r.Family
			}
		}
	}
	if len(same) == 0 {
		return fs
	}
	// The candidates, in rank order (fs is), indexed by element: a
	// candidate meets only the earlier candidates of its partner rule on
	// its elements. A SameLineShared rule's threats are indexed for one
	// another apart (ends), by their elements and the components at the
	// ends of the flows they name: a partner rule meets them on their own
	// elements only.
	type key struct {
		t    model.Target
		rule string
		cat  model.Category
		ends bool
	}
	var buf []model.Target
	endsOf := func(f *model.Finding) []model.Target {
		buf = append(buf[:0], f.Targets...)
		for _, t := range f.Targets {
			if t.Flow == nil {
				continue
			}
			for _, c := range []*model.Component{t.Flow.From, t.Flow.To} {
				if e := (model.Target{Component: c}); c != nil && !slices.Contains(buf, e) {
					buf = append(buf, e)
				}
			}
		}
		return buf
	}
	byElem := map[key][]*model.Finding{}
	into := map[*model.Finding]*model.Finding{}
	for _, f := range fs {
		others, ok := same[f.Rule]
		if !ok || f.Origin == model.OriginPeople || !f.Active() || held(f) || len(f.Targets) == 0 {
			continue
		}
		var keep *model.Finding
		for _, other := range others {
			ends, ts, k := other == f.Rule, f.Targets, other
			if ends {
				ts, k = endsOf(f), endsKey[other]
			}
			for _, t := range ts {
				for _, g := range byElem[key{t, k, f.Category, ends}] {
					if into[g] != nil || f.Open() && !g.Open() {
						continue
					}
					if keep == nil || g.Rank < keep.Rank {
						keep = g
					}
				}
			}
		}
		if keep != nil {
			absorb(keep, f, into)
			continue
		}
		for _, t := range f.Targets {
			k := key{t, f.Rule, f.Category, false}
			byElem[k] = append(byElem[k], f)
		}
		if shared[f.Rule] {
			for _, t := range endsOf(f) {
				k := key{t, endsKey[f.Rule], f.Category, true}
				byElem[k] = append(byElem[k], f)
			}
		}
	}
	return settle(fs, qs, into, workers)
}
