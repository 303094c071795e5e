package analysis

import (
	"slices"
	"strings"
	"sync"

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
		for o := range strings.SplitSeq(r.SameLine, ",") {
			if o = strings.TrimSpace(o); o != "" {
				same[r.ID] = append(same[r.ID], o)
				same[o] = append(same[o], r.ID)
			}
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
	for _, r := range rules {
		ix.category(r.Category)
		for _, c := range r.Also {
			ix.category(c)
		}
	}
	// The candidates, in rank order (fs is), indexed by element: a
	// candidate meets only the earlier candidates of its partner rule on
	// its elements. A SameLineShared rule's threats are indexed for one
	// another apart (ends), by their elements and the components at the
	// ends of the flows they name: a partner rule meets them on their own
	// elements only.
	//
	// What the fold reads of each threat (its rule, category, status and
	// the numbers of its elements and of its flows' ends) is read on the
	// workers first: each read is a cache miss or two at 100,000s of
	// threats, and the fold below, which must run in order, then reads
	// only these.
	parts := chunkList(len(fs), workers)
	cands := make([]lineCand, len(fs))
	codes := make([][]uint32, len(parts))
	each(parts, func(p, lo, hi int) { codes[p] = ix.read(fs, cands, lo, hi) })
	ncand := 0
	for _, c := range cands {
		if c.rule >= 0 {
			ncand++
		}
	}
	ix.firsts = make(map[uint64][2]int32, ncand)
	gone := make([]bool, len(fs))
	// The joins are noted here and made after the loop (joinAll): the
	// loop reads only the candidates' own targets, which no join changes
	// before it comes to them (a threat that joins another never takes
	// one in, and one that takes others in comes first).
	var joins [][2]int32
	for p, part := range parts {
		code := codes[p]
		for i := part[0]; i < part[1]; i++ {
			c := &cands[i]
			if c.rule < 0 {
				continue
			}
			f := fs[i]
			lr := &ix.list[c.rule]
			cat, open := uint64(c.cat), c.open
			if c.cat == noCategory {
				cat = ix.category(f.Category)
			}
			tcodes := code[c.off : c.off+c.nt]
			ecodes := code[c.off+c.nt : c.off+c.nt+c.ne]
			keep := -1
			for _, pt := range lr.partners {
				cs := tcodes
				if pt.ends {
					cs = ecodes
				}
				for j, n := range cs {
					e := uint64(n)
					if n == noNumber {
						e = ix.elem(ix.target(f, pt.ends, j))
					}
					g := ix.firstAt(e, pt.group, cat, open)
					if g < 0 {
						continue
					}
					if !gone[g] && (keep < 0 || cands[g].rank < cands[keep].rank) {
						keep = g
					}
				}
			}
			if keep >= 0 {
				joins = append(joins, [2]int32{int32(keep), int32(i)})
				gone[i] = true
				continue
			}
			if lr.own >= 0 {
				for j, n := range tcodes {
					e := uint64(n)
					if n == noNumber {
						e = ix.elem(f.Targets[j])
					}
					ix.addAt(e, lr.own, cat, i, open)
				}
			}
			if lr.ends >= 0 {
				for j, n := range ecodes {
					e := uint64(n)
					if n == noNumber {
						e = ix.elem(ix.target(f, true, j))
					}
					ix.addAt(e, lr.ends, cat, i, open)
				}
			}
		}
	}
	return settle(fs, qs, joinAll(fs, joins, workers), workers)
}

// joinAll makes the joins (keep, f) of foldSameLine, in order, as absorb
// would one after another, and returns where each joined threat went.
// The joins into different threats touch different threats: they are
// split between up to workers goroutines by the threat that stays, each
// taking its joins in order, while this one fills the map.
func joinAll(fs []*model.Finding, joins [][2]int32, workers int) map[*model.Finding]*model.Finding {
	into := make(map[*model.Finding]*model.Finding, len(joins))
	if workers <= 1 || len(joins) < joinAsideMin {
		var jr joiner
		for _, j := range joins {
			jr.absorb(fs[j[0]], fs[j[1]], into)
		}
		return into
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var jr joiner
			for _, j := range joins {
				if int(j[0])%workers == w {
					jr.join(fs[j[0]], fs[j[1]])
				}
			}
		})
	}
	for _, j := range joins {
		into[fs[j[1]]] = fs[j[0]]
	}
	wg.Wait()
	return into
}

// joinAsideMin is the fewest joins joinAll splits between goroutines.
const joinAsideMin = 2_000

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
	rules  map[string]int32 // a rule's place in list
	list   []lineRule
	cats   map[model.Category]uint64
	els    *numbering
	extra  map[model.Target]uint64 // targets els does not number
	firsts map[uint64][2]int32     // the first candidate's index + 1, the first open one's
}

// lineRule is one rule's place in a lineIndex: the key groups its threats
// look in (partners, in the rule's order of partners) and the groups they
// are indexed under (own, for partner rules; ends, when it is
// SameLineShared), -1 when none; ends also when a partner is looked for
// at the ends (its threats' ends are read).
type lineRule struct {
	partners  []linePartner
	own, ends int32
	readEnds  bool
}

type linePartner struct {
	group int32
	ends  bool
}

// lineCand is what foldSameLine reads of one threat (lineIndex.read):
// its rule's place in the index (-1: the threat does not take part), its
// category's number (noCategory: not numbered yet), status and rank, and
// where the numbers of its elements (nt) and then of its elements and
// its flows' ends (ne, when its rule reads them) lie in its part's codes.
type lineCand struct {
	rule   int32
	rank   int32
	off    int32
	nt, ne int32
	cat    uint8
	open   bool
}

// noNumber stands for an element els does not number (lineIndex.elem
// numbers it, in order); noCategory for a category the index has not
// numbered.
const (
	noNumber   = ^uint32(0)
	noCategory = ^uint8(0)
)

// newLineIndex numbers the key groups of same (each rule's partners) and
// endsKey (the ends key of each SameLineShared rule).
func newLineIndex(same map[string][]string, endsKey map[string]string, els *numbering) *lineIndex {
	ix := &lineIndex{rules: make(map[string]int32, len(same)), cats: map[model.Category]uint64{}, els: els,
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
				lr.readEnds = true
			} else {
				lr.partners = append(lr.partners, linePartner{own[o], false})
			}
		}
		if g, ok := own[id]; ok {
			lr.own = g
		}
		if k, ok := endsKey[id]; ok {
			lr.ends = group(ends, k)
			lr.readEnds = true
		}
		ix.rules[id] = int32(len(ix.list))
		ix.list = append(ix.list, lr)
	}
	return ix
}

// read fills cands[lo:hi] for fs[lo:hi] and returns the element numbers
// (noNumber for those els does not number)
// they point into. It only reads the index, so parts of fs may be read
// at once.
func (ix *lineIndex) read(fs []*model.Finding, cands []lineCand, lo, hi int) []uint32 {
	// About four numbers a threat at 5,000 and 10,000 components:
	// sized so that the list is seldom grown (each growth copies it).
	codes := make([]uint32, 0, 4*(hi-lo)+16)
	var ends []model.Target
	for i := lo; i < hi; i++ {
		f := fs[i]
		c := &cands[i]
		c.rule = -1
		r, ok := ix.rules[f.Rule]
		if !ok || f.Origin == model.OriginPeople || !f.Active() || held(f) || len(f.Targets) == 0 {
			continue
		}
		c.rule, c.rank, c.open, c.cat = r, int32(f.Rank), f.Open(), noCategory
		if n, ok := ix.cats[f.Category]; ok {
			c.cat = uint8(n)
		}
		c.off = int32(len(codes))
		for _, t := range f.Targets {
			codes = append(codes, ix.number(t))
		}
		c.nt = int32(len(f.Targets))
		if !ix.list[r].readEnds {
			continue
		}
		ends = endsOf(ends[:0], f.Targets)
		for _, t := range ends {
			codes = append(codes, ix.number(t))
		}
		c.ne = int32(len(ends))
	}
	return codes
}

// endsOf appends to buf the targets ts and the components at the ends of
// the flows among them, each once, in that order.
func endsOf(buf, ts []model.Target) []model.Target {
	buf = append(buf, ts...)
	for _, t := range ts {
		if t.Flow == nil {
			continue
		}
		for _, c := range [2]*model.Component{t.Flow.From, t.Flow.To} {
			if e := (model.Target{Component: c}); c != nil && !slices.Contains(buf, e) {
				buf = append(buf, e)
			}
		}
	}
	return buf
}

// target returns f's j-th element, among its targets and, with ends, its
// flows' ends (endsOf).
func (ix *lineIndex) target(f *model.Finding, ends bool, j int) model.Target {
	if !ends {
		return f.Targets[j]
	}
	return endsOf(nil, f.Targets)[j]
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

// number returns t's number from els, or noNumber.
func (ix *lineIndex) number(t model.Target) uint32 {
	if n := ix.els.of(t); n >= 0 {
		return uint32(n)
	}
	return noNumber
}

// elem numbers t, which els does not number, after els's elements.
func (ix *lineIndex) elem(t model.Target) uint64 {
	if n := ix.els.of(t); n >= 0 {
		return uint64(n)
	}
	e, ok := ix.extra[t]
	if !ok {
		e = uint64(ix.els.len() + len(ix.extra))
		ix.extra[t] = e
	}
	return e
}

// firstAt returns the index of the first candidate on element number e
// under group and cat, the first open one when open, or -1.
func (ix *lineIndex) firstAt(e uint64, group int32, cat uint64, open bool) int {
	v := ix.firsts[e<<32|uint64(group)<<16|cat]
	if open {
		return int(v[1]) - 1
	}
	return int(v[0]) - 1
}

// addAt indexes candidate i (open or not) on element number e under
// group and cat.
func (ix *lineIndex) addAt(e uint64, group int32, cat uint64, i int, open bool) {
	k := e<<32 | uint64(group)<<16 | cat
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
