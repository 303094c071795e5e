// Ranking: the order threats are listed in (rank key, spreads) and the
// element numbering the steps after the ranking share.

package risk

import (
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/model"
)

// Rank orders findings: the active ones (open or unverified) first, then
// by residual severity band and, within it, by ranking value (rankValue:
// the residual score, the data within reach and what a reviewer reads
// first; less three eighths of a point per
// element of its rule ranked before the threat's own, repeatValues), open before unverified
// at equal value, then residual impact, inherent score, the data at stake
// (stakeValue), a weakness's own reading before a further one
// (furtherReading) and id, spreads them (spread) and numbers them from 1.
func Rank(fs []*model.Finding) { NewRanking(fs) }

// Ranking is the order Rank gave a list of findings, kept so that the list
// can be ranked again after a step removes some of its threats (Rerank)
// without sorting it again: removing threats does not change how the rest
// compare, only what the spread makes of them.
type Ranking struct {
	// items holds the findings in the order Rank sorts them into before
	// the spread (rank key, then id), with what the spread asks of each
	// worked out once: the element and rule as small numbers, not map
	// keys, so that spreading 100,000s of threats indexes slices.
	items []item
	// nElem and nRule count the distinct elements and rules.
	nElem, nRule int
	// work is the spread's scratch space, reused by Rerank, and scratch
	// the spread's own (spreadScratch).
	work    []item
	scratch spreadScratch
}

// spreadScratch is what spread works in, kept by the Ranking for the
// next spread (Rerank runs it three times more): at 100,000 components
// its lists, grown anew by each call, were ≈ 80 MB allocated while the
// analysis's memory is at its peak. seen and rules are all zero between
// calls (each run resets the entries it touched); pairs is cleared by
// each call.
type spreadScratch struct {
	buf         []item
	round, at   []int
	seen, rules []int32
	pairs       []uint8
}

// Elements numbers elements 0, 1, … in the order first added, keyed by
// the component's or flow's pointer (a word to hash, not a 32-byte
// Target): the ranking and the steps after it index slices by element.
// The zero value is empty and ready to use.
type Elements struct {
	comp  map[*model.Component]int32
	flow  map[*model.Flow]int32
	other map[model.Target]int32
	n     int32
}

// Add returns t's number, numbering it if new.
func (e *Elements) Add(t model.Target) int {
	if n, ok := e.Get(t); ok {
		return n
	}
	switch {
	case isComponent(t):
		if e.comp == nil {
			e.comp = map[*model.Component]int32{}
		}
		e.comp[t.Component] = e.n
	case isFlow(t):
		if e.flow == nil {
			e.flow = map[*model.Flow]int32{}
		}
		e.flow[t.Flow] = e.n
	default:
		if e.other == nil {
			e.other = map[model.Target]int32{}
		}
		e.other[t] = e.n
	}
	e.n++
	return int(e.n - 1)
}

// Get returns t's number, if it has one.
func (e *Elements) Get(t model.Target) (int, bool) {
	var n int32
	var ok bool
	switch {
	case isComponent(t):
		n, ok = e.comp[t.Component]
	case isFlow(t):
		n, ok = e.flow[t.Flow]
	default:
		n, ok = e.other[t]
	}
	return int(n), ok
}

// Len returns how many elements are numbered.
func (e *Elements) Len() int { return int(e.n) }

func isComponent(t model.Target) bool {
	return t.Component != nil && t.Flow == nil && t.Boundary == nil && t.Asset == nil
}

func isFlow(t model.Target) bool {
	return t.Flow != nil && t.Component == nil && t.Boundary == nil && t.Asset == nil
}

// item is one finding of a Ranking.
type item struct {
	f *model.Finding
	// elem numbers the finding's first target (zero Target included),
	// rule its rule.
	elem, rule int32
	// bit is its category's bit (pairOf).
	bit uint8
	// counts says whether it counts as an instance of its rule (not the
	// team's own threat); later says whether it comes a round later (a
	// further threat or a merged weakness).
	counts, later bool
	// start numbers where the attack starts (startOf; 0: not counted).
	start uint8
	// class is the finding's status class (classOf), sev its residual
	// severity and score its ranking value (rankValue), copied so that the
	// spread compares items without reading the findings: at 100,000
	// threats each read is a cache miss, on the one goroutine that ranks.
	// The steps between NewRanking and Rerank change neither status nor
	// residual risk. The three fit in item's padding.
	class, sev uint8
	score      int16
}

// classOf numbers f's status class for the spread: 1 open, 2 unverified,
// 0 closed (not active).
func classOf(f *model.Finding) uint8 {
	switch {
	case f.Open():
		return 1
	case f.Active():
		return 2
	}
	return 0
}

// startSupply is startOf's number for a supply-chain attack, after the
// trust levels.
const startSupply = uint8(model.TrustRestricted) + 1

// startOf numbers where f's attack starts, for the spread: the trust level
// the likelihood found it reaching the element from (Finding.Start), or
// startSupply for an attack that arrives in what the element runs; 0 for
// the team's own threats and a likelihood the model states, which the
// spread does not count.
func startOf(f *model.Finding) uint8 {
	switch {
	case f.Origin == model.OriginPeople:
		return 0
	case f.Vector == model.VectorSupplyChain && f.Start == model.TrustUnset:
		return startSupply
	}
	return uint8(f.Start)
}

// NewRanking ranks fs as Rank does and returns the ranking for Rerank.
func NewRanking(fs []*model.Finding) *Ranking {
	// Order by id first (the rules' threats arrive in id order; only the
	// team's threats, appended after them, may need moving), then place
	// the findings by their precomputed key with a stable counting sort:
	// the lists run to 100,000s of threats but keys take few values.
	byID := func(a, b *model.Finding) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Pos.String(), b.Pos.String())
	}
	if !slices.IsSortedFunc(fs, byID) {
		slices.SortStableFunc(fs, byID)
	}
	if tieSeed != 0 {
		shuffleTies(fs)
	}
	keys, pre, tgt, newRule := rankKeys(fs)
	var elems Elements
	rules := map[string]int32{}
	var lastRule int32
	for i := range pre {
		it := &pre[i]
		it.elem = int32(elems.Add(tgt[i]))
		// fs is in id order, so a rule's threats come one after another.
		if newRule[i] {
			var ok bool
			if lastRule, ok = rules[it.f.Rule]; !ok {
				lastRule = int32(len(rules))
				rules[it.f.Rule] = lastRule
			}
		}
		it.rule = lastRule
	}
	// A rule's threats on its further elements are worth a little less:
	// their keys and values change before the sort, once; Rerank keeps
	// them.
	repeatValues(pre, keys, elems.Len(), len(rules))
	count := map[uint64]int{}
	for _, k := range keys {
		count[k]++
	}
	distinct := make([]uint64, 0, len(count))
	for k := range count {
		distinct = append(distinct, k)
	}
	slices.Sort(distinct)
	next := make(map[uint64]*int, len(distinct))
	at := 0
	for _, k := range distinct {
		next[k] = new(at)
		at += count[k]
	}
	r := &Ranking{items: make([]item, len(fs))}
	for i := range pre {
		p := next[keys[i]]
		r.items[*p] = pre[i]
		*p++
	}
	r.nElem, r.nRule = elems.Len(), len(rules)
	r.rank(fs, r.items)
	return r
}

// Rerank ranks fs again, the threats of the ranking that a step kept: the
// step marked those it removed with rank 0 and fs holds the others. It
// gives the order Rank would give fs.
func (r *Ranking) Rerank(fs []*model.Finding) {
	// Reading each threat's rank is a cache miss per threat: the reads
	// run in chunks on the workers, the items are kept here.
	keep := make([]bool, len(r.items))
	inChunks(len(r.items), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			keep[i] = r.items[i].f.Rank != 0
		}
	})
	kept := r.items[:0]
	for i, it := range r.items {
		if keep[i] {
			kept = append(kept, it)
		}
	}
	clear(r.items[len(kept):])
	r.items = kept
	if len(kept) != len(fs) {
		panic(fmt.Sprintf("risk: Rerank of %d findings, %d kept of the ranking", len(fs), len(kept)))
	}
	r.rank(fs, kept)
}

// RerankMoved is Rerank where some threats kept stand for one removed
// (moves: the threat kept, the removed one whose place it takes): each
// takes the removed threat's place in the order and what the spread asks
// of it (band, value, element and category, round), keeping only its rule,
// and leaves its own. A threat folded into another ranked after it so
// keeps the pair's best place.
func (r *Ranking) RerankMoved(fs []*model.Finding, moves map[*model.Finding]*model.Finding) {
	if len(moves) == 0 {
		r.Rerank(fs)
		return
	}
	from := make(map[*model.Finding]*model.Finding, len(moves))
	for kept, gone := range moves {
		from[gone] = kept
	}
	at := make(map[*model.Finding]int, len(moves))
	for i := range r.items {
		if _, ok := moves[r.items[i].f]; ok {
			at[r.items[i].f] = i
		}
	}
	for i := range r.items {
		kept, ok := from[r.items[i].f]
		if !ok {
			continue
		}
		j := at[kept]
		it := r.items[i]
		it.f, it.rule, it.counts = kept, r.items[j].rule, r.items[j].counts
		r.items[i] = it
		r.items[j].f = nil
	}
	kept := r.items[:0]
	for _, it := range r.items {
		if it.f != nil {
			kept = append(kept, it)
		}
	}
	clear(r.items[len(kept):])
	r.items = kept
	r.Rerank(fs)
}

// rank spreads items (in key order) into fs and numbers them from 1.
func (r *Ranking) rank(fs []*model.Finding, items []item) {
	r.work = spread(append(r.work[:0], items...), r.nElem, r.nRule, &r.scratch)
	work := r.work
	inChunks(len(work), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fs[i] = work[i].f
			work[i].f.Rank = i + 1
		}
	})
}

// splitMin is the length from which inChunks splits a loop over the
// workers: below it, one goroutine (a small model pays for none).
const splitMin = 20_000

// inChunks calls fn on the ranges [lo, hi) that cover [0, n): for n below
// splitMin as fn(0, n) on the calling goroutine, else in chunks of
// keysChunk on GOMAXPROCS workers. fn must touch only what its range
// names.
func inChunks(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/keysChunk)
	if n < splitMin {
		workers = 1
	}
	workParts(n, keysChunk, workers, func() func(lo, hi int) { return fn })
}

// keysChunk is how many items a worker takes at a time (inChunks).
const keysChunk = 8192

// rankKeys returns rankKey of every finding, in fs's order, and what
// NewRanking reads of each: its item but for the element and rule numbers,
// its first target (pairOf) and whether its rule differs from the finding
// before it. Each reads its finding (and the one before) only, so long
// lists are done in chunks on GOMAXPROCS workers (as inChunks), each
// remembering the stake of the long asset lists it meets (stakeValues).
func rankKeys(fs []*model.Finding) (keys []uint64, pre []item, tgt []model.Target, newRule []bool) {
	keys = make([]uint64, len(fs))
	pre = make([]item, len(fs))
	tgt = make([]model.Target, len(fs))
	newRule = make([]bool, len(fs))
	workers := min(runtime.GOMAXPROCS(0), len(fs)/keysChunk)
	if len(fs) < splitMin {
		workers = 1
	}
	workParts(len(fs), keysChunk, workers, func() func(lo, hi int) {
		stakes := stakeValues{}
		return func(lo, hi int) {
			for i := lo; i < hi; i++ {
				f := fs[i]
				keys[i] = rankKeyStake(f, stakes.of(f))
				t, bit := pairOf(f)
				tgt[i] = t
				newRule[i] = i == 0 || f.Rule != fs[i-1].Rule
				people := f.Origin == model.OriginPeople
				pre[i] = item{f: f, bit: bit, counts: !people, later: len(f.Aliases) > 0 && !people, start: startOf(f),
					class: classOf(f), sev: uint8(f.Residual.Severity), score: int16(rankValue(f))}
			}
		}
	})
	return keys, pre, tgt, newRule
}

// rankKey orders findings, smallest first: active (open or unverified)
// before closed, then by residual severity band and ranking value
// (rankValue: the residual score, the data within reach and what a
// reviewer reads first; highest first), open before unverified at equal value, then what is worse if it
// happens (residual impact), then inherent score, then the value of the
// data at stake (stakeValue, highest first), then a weakness's own
// reading before a further STRIDE reading of one (furtherReading). Without
// data within reach the band and value order as the residual score alone.
func rankKey(f *model.Finding) uint64 { return rankKeyStake(f, stakeValue(f)) }

// rankKeyStake is rankKey of f, whose stakeValue is stake.
func rankKeyStake(f *model.Finding, stake int) uint64 {
	if ab.stake {
		stake = 0
	}
	var inactive, notOpen, further uint64
	if !f.Active() {
		inactive = 1
	}
	if !f.Open() {
		notOpen = 1
	}
	if furtherReading(f) && !ab.further {
		further = 1
	}
	return inactive<<56 | uint64(15-min(15, f.Residual.Severity))<<52 | uint64(maxRankValue-rankValue(f))<<32 | notOpen<<24 |
		uint64(63-clampKey(int(f.Residual.Impact)))<<16 | uint64(63-clampKey(int(f.Inherent.Score)))<<9 |
		uint64(255-min(255, stake))<<1 | further
}

// furtherReading reports whether f is a further STRIDE reading of a rule's
// weakness: a threat the rule raises in a category other than its own
// (its id is the weakness's id with the category appended,
// "missing-object-authorization:api:tampering", and it has aliases: the
// weakness's id, or the ids of the threats merged into it). At an equal
// rank key, every threat's own reading comes before a further one
// (docs/risk.md, "Ties: the weakness's own reading first"): the further
// reading restates a weakness, the own reading names one.
func furtherReading(f *model.Finding) bool {
	if f.Origin == model.OriginPeople || len(f.Aliases) == 0 {
		return false
	}
	id, c := f.ID, string(f.Category)
	return len(id) > len(c) && id[len(id)-len(c)-1] == ':' && id[len(id)-len(c):] == c
}

func clampKey(v int) int { return max(0, min(63, v)) }

// stakeValue is how much data a threat puts at stake: over the assets its
// element holds or carries (Finding.Assets), the sum of each asset's
// larger need of confidentiality and integrity, or its business value if
// higher (low 1 … critical 4), each asset once. It breaks ties of score
// and impact: the impact follows the one most sensitive asset, so an API that handles
// five high-need assets and one that handles a single one score alike,
// and without it equal threats came in id order, which decided through
// the spread which element's threat of a rule came first (docs/risk.md,
// "Ties").
func stakeValue(f *model.Finding) int {
	v := 0
	// Each asset once: a threat's list can name one twice (carried and
	// held), and a model written out and read back lists it once. Short
	// lists are searched, long ones kept in a set reused from a pool (a
	// zone-wide threat of a large model names hundreds of assets, and a
	// set made per threat was gigabytes of garbage at 100,000 components).
	var seen map[*model.Asset]struct{}
	if len(f.Assets) > 8 {
		seen = stakeSeen.Get().(map[*model.Asset]struct{})
		defer func() {
			clear(seen)
			stakeSeen.Put(seen)
		}()
	}
	for i, a := range f.Assets {
		if seen != nil {
			if _, dup := seen[a]; dup {
				continue
			}
			seen[a] = struct{}{}
		} else if slices.Contains(f.Assets[:i], a) {
			continue
		}
		v += int(max(a.Need(model.Confidentiality), a.Need(model.Integrity), a.Value))
		if v >= 255 {
			return 255
		}
	}
	return v
}

// stakeValues remembers stakeValue of the long asset lists (over 8
// assets, the ones stakeValue keeps in a set) one worker of rankKeys has
// seen, by the list's first element and length: rules share a list among
// many threats (an element's assets, a zone's), a zone's list grows with
// the model, and counting it for each of its threats was 9 times the work
// for 3 times the model (10,000 → 30,000 components: 2.4 → 22 million
// assets named by 9,400 → 28,000 threats, of 3,900 → 11,700 lists).
type stakeValues map[listKey]int

// listKey names a list of assets: its first element and its length.
type listKey struct {
	first **model.Asset
	n     int
}

// of returns stakeValue(f), remembered for a long list.
func (s stakeValues) of(f *model.Finding) int {
	if len(f.Assets) <= 8 {
		return stakeValue(f)
	}
	k := listKey{&f.Assets[0], len(f.Assets)}
	v, ok := s[k]
	if !ok {
		v = stakeValue(f)
		s[k] = v
	}
	return v
}

// stakeSeen holds the sets stakeValue marks a long list's assets in.
var stakeSeen = sync.Pool{New: func() any { return map[*model.Asset]struct{}{} }}

// scoreRound is how many points of ranking value (residual score and data
// within reach) below the best of its band cost a threat one round of the
// spread: a band is wide (medium runs from 6 to 11), and without it an
// element's first threat scoring 6 came before another element's second
// scoring 10.
const scoreRound = 2

// A large design's list must not repeat one kind of threat: on a design
// whose threats name at least categoryMinElems elements, a run's
// categoryRepeat-th threat of a STRIDE category, and every later one,
// waits categoryRounds rounds more (docs/risk.md, "One kind of threat").
const (
	categoryMinElems = 25
	categoryRepeat   = 4
	categoryRounds   = 3
)

// maxRankValue bounds rankValue (128ths of a point: the largest score
// clampKey keeps, and the most reach and focus add).
const maxRankValue = 63*128 + reachWeight + jewelWeight + physicalWeight

// spread reorders each run of findings in the same severity band (and the
// same status class: open, unverified, closed) so that every element's first
// threat comes before any element's second, every rule's first instance
// before any rule's second and every place an attack starts from (item.start:
// the internet, a partner network, the internal network, the supply chain)
// before any place's second: a reviewer's list covers the design, its
// families and its attackers rather than repeating one component, one rule
// or the most exposed way in. A weakness's
// further STRIDE threats come a round later still, and a threat a round
// later per scoreRound points below the band's best. Within those rounds
// the order by score is kept. Last, an open or unverified threat that names
// the same element and STRIDE category as one ranked before it (in its run
// or an earlier one) moves after every other threat of its run: a reviewer
// writes one line per element and category, and a second tampering threat
// on the same API tells the team less than the first threat of another
// pair.
//
// fs is in rank-key order; nElem and nRule bound its items' element and
// rule numbers. It returns fs, reordered. sc is the scratch space, nil for
// a fresh one.
func spread(fs []item, nElem, nRule int, sc *spreadScratch) []item {
	same := func(a, b *item) bool { return a.class == b.class && a.sev == b.sev }
	if sc == nil {
		sc = &spreadScratch{}
	}
	buf, round, at := sc.buf[:0], sc.round[:0], sc.at[:0]
	defer func() { sc.buf, sc.round, sc.at = buf, round, at }()
	// seen and rules count, within a run, the threats met so far per
	// element and per rule; each run resets the entries it touched.
	if len(sc.seen) != nElem || len(sc.rules) != nRule {
		sc.seen, sc.rules, sc.pairs = make([]int32, nElem), make([]int32, nRule), make([]uint8, nElem)
	}
	seen, rules := sc.seen, sc.rules
	// pairs holds the (element, category) pairs that the threats ranked so
	// far name, kept from one run to the next: per element, one bit per
	// category.
	pairs := sc.pairs
	clear(pairs)
	// starts says, within a run, which places an attack starts from
	// (startOf) a threat so far has named: one bit per place.
	var starts uint8
	// cats counts, within a run, the threats of each STRIDE category
	// (item.bit) so far, on a large design only.
	var cats [8]int32
	large := nElem >= categoryMinElems && !ab.catround
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && same(&fs[i], &fs[j]) {
			j++
		}
		if j-i > 2 {
			run := fs[i:j]
			buf = append(buf[:0], run...)
			round = slices.Grow(round[:0], len(buf))[:len(buf)]
			top := int(buf[0].score) // the run is ordered by ranking value
			most := 0
			for k, it := range buf {
				// A weakness's further STRIDE threats (aliased to it) and
				// a weakness merged from parallel hops (aliased to the
				// hops' threats, rule.Run) come one round later than
				// their place on the element would put them; a rule's
				// second instance after every rule's first.
				round[k] = 0
				if !ab.elemround {
					round[k] += int(seen[it.elem])
				}
				if !ab.ruleround {
					round[k] += int(rules[it.rule])
				}
				if it.later && !ab.later {
					round[k]++
				}
				// Coverage does not outweigh a clear difference in risk:
				// a threat waits one round more per scoreRound points
				// (of ranking value, in 128ths) below the band's best.
				if !ab.scoreround {
					round[k] += (top - int(it.score)) / (128 * scoreRound)
				}
				// Every place an attack starts from (the internet, a
				// partner network, the internal network, the supply
				// chain) has its first threat of the run before any
				// place's second: a reviewer's list covers who can
				// attack, not only the most exposed way in.
				if it.start != 0 && !ab.starts {
					if starts&(1<<it.start) != 0 {
						round[k]++
					}
					starts |= 1 << it.start
				}
				// One kind of threat does not fill a large design's
				// head: a category's fourth threat of the run, and
				// every later one, waits categoryRounds rounds more.
				if large && it.counts {
					c := bits.TrailingZeros8(it.bit)
					if cats[c] >= categoryRepeat-1 {
						round[k] += categoryRounds
					}
					cats[c]++
				}
				most = max(most, round[k])
				seen[it.elem]++
				if it.counts {
					rules[it.rule]++
				}
			}
			for _, it := range buf {
				seen[it.elem], rules[it.rule] = 0, 0
			}
			starts = 0
			cats = [8]int32{}
			// A stable counting sort by round keeps the order by score
			// within each round.
			at = slices.Grow(at[:0], most+2)[:most+2]
			clear(at)
			for _, r := range round {
				at[r+1]++
			}
			for r := 1; r < len(at); r++ {
				at[r] += at[r-1]
			}
			for k, it := range buf {
				run[at[round[k]]] = it
				at[round[k]]++
			}
		}
		if fs[i].class != 0 && !ab.lastrep {
			buf = lastRepeats(fs[i:j], pairs, buf)
		}
		i = j
	}
	return fs
}

// lastRepeats moves the threats of run that name an (element, category)
// pair already named — by a threat before them in run or in an earlier
// run (pairs, per element the categories named) — after the others,
// keeping each group's order, and adds the run's pairs to pairs. buf is
// scratch space, returned for reuse.
func lastRepeats(run []item, pairs []uint8, buf []item) []item {
	buf = buf[:0]
	n := 0
	for _, it := range run {
		if pairs[it.elem]&it.bit != 0 {
			buf = append(buf, it)
			continue
		}
		pairs[it.elem] |= it.bit
		run[n] = it
		n++
	}
	copy(run[n:], buf)
	return buf
}

// pairOf returns the element a finding names first (its first target; for a
// flow threat the flow) and its category's bit.
func pairOf(f *model.Finding) (model.Target, uint8) {
	var t model.Target
	if len(f.Targets) > 0 {
		t = f.Targets[0]
	}
	bit := uint8(1) << len(model.Categories) // a category outside STRIDE
	if i := slices.Index(model.Categories, f.Category); i >= 0 {
		bit = 1 << i
	}
	return t, bit
}
