package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
)

// foldFurther drops a weakness's further STRIDE threat (a rule's Also
// category, id rule:target:category) where another weakness's own threat
// already lists that category on the same elements: a reviewer writes one
// line per element and category, and the further threat restates, as a
// consequence of a weakness listed under its own category, what the other
// threat states first-hand — "callers can alter another user's orders"
// beside "the shop trusts the price the browser sends", both tampering
// with the shop API. The weakness stays listed (its own threat, with its
// questions); only its repeat in a category the element already has goes.
//
// A further threat f goes when a threat g of another rule has f's
// category, targets every element f targets, ranks before f and says at
// least as much: both open or unverified, and g open when f is open (a
// stated gap never folds into an unknown). g may be a further threat
// itself: if it goes too, the threat it repeats ranks before it, targets
// what it targets and covers f as well. It runs after
// the per-element cap, on the threats listed: the cap has chosen each
// element's lines, and a repeat among them does not make room for a threat
// the cap judged less important. Threats with a decision, a mitigation
// or a reopening stay. The questions lose the threats no longer listed,
// and ranks are renumbered.
func foldFurther(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule) []*model.Finding {
	own := make(map[string]model.Category, len(rules))
	for _, r := range rules {
		own[r.ID] = r.Category
	}
	further := func(f *model.Finding) bool {
		c, ok := own[f.Rule]
		return ok && f.Origin != model.OriginPeople && f.Category != c && f.Active() && len(f.Targets) > 0
	}
	// The (element, category) pairs further threats are listed under; the
	// listed threats of other rules are indexed under those pairs only.
	// Elements are numbered (risk.Elements) and categories too, so a pair
	// is a word, not a Target and a string, to hash.
	var els risk.Elements
	var cats []model.Category
	pair := func(e int, c model.Category) uint64 {
		i := slices.Index(cats, c)
		if i < 0 {
			i = len(cats)
			cats = append(cats, c)
		}
		return uint64(e)<<32 | uint64(i)
	}
	// has marks, per element, the categories it has a pair for (all, for
	// a category past the 64th), so that most lookups end there.
	var slot map[uint64]int32
	var has []uint64
	for _, f := range fs {
		if further(f) {
			if slot == nil {
				slot = make(map[uint64]int32)
				cats = slices.Clone(model.Categories)
			}
			e := els.Add(f.Targets[0])
			k := pair(e, f.Category)
			if _, ok := slot[k]; !ok {
				slot[k] = int32(len(slot))
			}
			if e == len(has) {
				has = append(has, 0)
			}
			has[e] |= catBit(k)
		}
	}
	if slot == nil {
		return fs
	}
	by := make([][]*model.Finding, len(slot))
	for _, g := range fs {
		if _, ok := own[g.Rule]; !ok || g.Origin == model.OriginPeople || !g.Active() {
			continue
		}
		for _, t := range g.Targets {
			if e, ok := els.Get(t); ok {
				k := pair(e, g.Category)
				if has[e]&catBit(k) == 0 {
					continue
				}
				if i, ok := slot[k]; ok {
					by[i] = append(by[i], g)
				}
			}
		}
	}
	// Threats that go are marked with rank 0, as capUnverified does. fs is
	// in rank order, so a threat marked when f is met ranked before f, and
	// still covers it: what it repeats ranks before it and covers f too.
	dropped := 0
	for _, f := range fs {
		if !further(f) || f.Decision != nil || len(f.Mitigations) > 0 || f.Reopened != "" {
			continue
		}
		e, _ := els.Get(f.Targets[0])
		if coveredBy(f, by[slot[pair(e, f.Category)]]) {
			f.Rank = 0
			dropped++
		}
	}
	if dropped == 0 {
		return fs
	}
	return dropUnranked(fs, qs)
}

// catBit is the bit of a pair's category in a mask of categories.
func catBit(pair uint64) uint64 {
	if c := uint32(pair); c < 64 {
		return 1 << c
	}
	return ^uint64(0)
}

// coveredBy reports whether one of gs (other threats of f's category on
// f's first element) is another rule's, ranks before f, targets every
// element f targets and says at least as much (open when f is open).
func coveredBy(f *model.Finding, gs []*model.Finding) bool {
	for _, g := range gs {
		if g.Rule == f.Rule || g.Rank >= f.Rank || f.Open() && !g.Open() {
			continue
		}
		all := true
		for _, t := range f.Targets[1:] {
			if !slices.Contains(g.Targets, t) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
