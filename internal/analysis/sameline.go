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
func foldSameLine(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, els *numbering, workers int) []*model.Finding {
	same := map[string][]string{}
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
			endsKey[r.ID] = r.ID
			if r.Family != "" {
				endsKey[r.ID] = "family " + r.Family
			}
		}
	}
	if len(same) == 0 {
		return fs
	}
	ix := newLineIndex(same, endsKey, els)
	// The candidates, in rank order (fs is), indexed by element: a
	// candidate meets only the earlier candidates of its partner rule on
	// its elements. A SameLineShared rule's threats are indexed for one
	// another apart (ends), by their elements and the components at the
	// ends of the flows they name: a partner rule meets them on their own
	// elements only.
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
	into := map[*model.Finding]*model.Finding{}
	for i, f := range fs {
		lr, ok := ix.rules[f.Rule]
		if !ok || f.Origin == model.OriginPeople || !f.Active() || held(f) || len(f.Targets) == 0 {
			continue
		}
		cat := ix.category(f.Category)
		open := f.Open()
		var keep *model.Finding
		for _, p := range lr.partners {
			ts := f.Targets
			if p.ends {
				ts = endsOf(f)
			}
			for _, t := range ts {
				g := ix.first(t, p.group, cat, open)
				if g < 0 {
					continue
				}
				if h := fs[g]; into[h] == nil && (keep == nil || h.Rank < keep.Rank) {
					keep = h
				}
			}
		}
		if keep != nil {
			absorb(keep, f, into)
			continue
		}
		if lr.own >= 0 {
			for _, t := range f.Targets {
				ix.add(t, lr.own, cat, i, open)
			}
		}
		if lr.ends >= 0 {
			for _, t := range endsOf(f) {
				ix.add(t, lr.ends, cat, i, open)
			}
		}
	}
	return settle(fs, qs, into, workers)
}

// lineIndex is foldSameLine's index of the candidates kept so far: for
// each element, key group (a rule's own threats, or a SameLineShared
// rule's or family's threats with the components at their flows' ends)
// and category, the first candidate indexed there and the first open one.
// The candidates come in rank order, so the first a threat may meet is
// the better-ranked: the first, or for an open threat (which never joins
// an unverified one) the first open. Two numbers per key in one map of
// integers, where a map of lists keyed by target, rule and category held
// millions of strings and lists at 100,000 components.
type lineIndex struct {
	rules  map[string]lineRule
	cats   map[model.Category]uint64
	els    *numbering
	extra  map[model.Target]uint64 // targets els does not number
	firsts map[uint64][2]int32     // the first candidate's index + 1, the first open one's
}

// lineRule is one rule's place in a lineIndex: the key groups its threats
// look in (partners, in the rule's order of partners) and the groups they
// are indexed under (own, for partner rules; ends, when it is
// SameLineShared), -1 when none.
type lineRule struct {
	partners  []linePartner
	own, ends int32
}

type linePartner struct {
	group int32
	ends  bool
}

// newLineIndex numbers the key groups of same (each rule's partners) and
// endsKey (the ends key of each SameLineShared rule).
func newLineIndex(same map[string][]string, endsKey map[string]string, els *numbering) *lineIndex {
	ix := &lineIndex{rules: make(map[string]lineRule, len(same)), cats: map[model.Category]uint64{}, els: els,
		extra: map[model.Target]uint64{}, firsts: map[uint64][2]int32{}}
	own, ends := map[string]int32{}, map[string]int32{}
	group := func(m map[string]int32, k string) int32 {
		g, ok := m[k]
		if !ok {
			g = int32(len(own) + len(ends))
			m[k] = g
		}
		return g
	}
	// A rule's own threats are indexed only when another rule looks for
	// them there.
	for id, others := range same {
		for _, o := range others {
			if o != id {
				group(own, o)
			}
		}
	}
	for id, others := range same {
		lr := lineRule{own: -1, ends: -1}
		for _, o := range others {
			if o == id {
				lr.partners = append(lr.partners, linePartner{group(ends, endsKey[o]), true})
			} else {
				lr.partners = append(lr.partners, linePartner{own[o], false})
			}
		}
		if g, ok := own[id]; ok {
			lr.own = g
		}
		if k, ok := endsKey[id]; ok {
			lr.ends = group(ends, k)
		}
		ix.rules[id] = lr
	}
	return ix
}

// category numbers c.
func (ix *lineIndex) category(c model.Category) uint64 {
	n, ok := ix.cats[c]
	if !ok {
		n = uint64(len(ix.cats))
		ix.cats[c] = n
	}
	return n
}

// key is the map key of element t, group and category number cat.
func (ix *lineIndex) key(t model.Target, group int32, cat uint64) uint64 {
	var e uint64
	if n := ix.els.of(t); n >= 0 {
		e = uint64(n)
	} else {
		var ok bool
		if e, ok = ix.extra[t]; !ok {
			e = uint64(ix.els.len() + len(ix.extra))
			ix.extra[t] = e
		}
	}
	return e<<32 | uint64(group)<<16 | cat
}

// first returns the index of the first candidate on t under group and
// cat, the first open one when open, or -1.
func (ix *lineIndex) first(t model.Target, group int32, cat uint64, open bool) int {
	v := ix.firsts[ix.key(t, group, cat)]
	if open {
		return int(v[1]) - 1
	}
	return int(v[0]) - 1
}

// add indexes candidate i (open or not) on t under group and cat.
func (ix *lineIndex) add(t model.Target, group int32, cat uint64, i int, open bool) {
	k := ix.key(t, group, cat)
	v := ix.firsts[k]
	if v[0] != 0 && (v[1] != 0 || !open) {
		return
	}
	if v[0] == 0 {
		v[0] = int32(i + 1)
	}
	if open && v[1] == 0 {
		v[1] = int32(i + 1)
	}
	ix.firsts[k] = v
}
