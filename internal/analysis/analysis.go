// Package analysis runs the whole analysis of a model: built-in and custom
// rules, the team's own threats, decisions, mitigations, assumptions and risk
// ranking. It is the one place that wires rule and risk together, so the CLI
// and the server get the same result.
package analysis

import (
	"context"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// Analysis is the outcome of analysing one model.
type Analysis struct {
	Model     *model.Model
	Findings  []*model.Finding
	Questions []*model.Question
	Warnings  []risk.Warning
	Rules     []*rule.Rule
	Now       time.Time
}

// Options tune Run.
type Options struct {
	// Now is the date acceptances expire against; zero means time.Now().
	Now time.Time
	// Mitigated keeps threats whose controls are stated present (--all).
	Mitigated bool
	// Uncertainty is how many likelihood steps an unverified threat ranks
	// below a stated gap (risk.Options.Uncertainty; 0 = default, <0 = none).
	// The model's policy.uncertainty overrides it when set.
	Uncertainty int
}

// Run analyses m with the given rules.
func Run(ctx context.Context, m *model.Model, rules []*rule.Rule, opt Options) (*Analysis, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	// The elements are numbered while the rules run, off the critical
	// path (the steps after the rules group threats by element).
	numbered := make(chan *numbering, 1)
	go func() { numbered <- numberElements(m) }()
	// The questions are worded at the end (rule.WordQuestions): nothing
	// before reads their text, and it need not be live through the
	// scoring and the listing, where the heap is fullest.
	// They are sorted by id on the side, while the team's threats are
	// merged and scoring starts (the listing is the first to read them):
	// the sort ends in a merge on one core.
	res, err := rule.RunWith(ctx, m, rules, rule.Options{Mitigated: opt.Mitigated, Unworded: true, Unsorted: true})
	els := <-numbered
	if err != nil {
		return nil, err
	}
	sorted := make(chan struct{})
	go func() {
		rule.SortQuestions(res.Questions, workers(ctx))
		close(sorted)
	}()
	findings := res.Findings
	if people := People(m); hintsIgnore(m, people) {
		findings = mergeByID(findings, people)
	} else {
		findings = append(findings, people...)
	}
	unc := opt.Uncertainty
	if m.Policy.Uncertainty != 0 {
		unc = m.Policy.Uncertainty
	}
	// A decision on a merged threat that a hop joined since does not
	// apply: risk.Assess sees the model without it.
	assessed := m
	off, uncovered := uncoveredDecisions(m, findings)
	if len(off) > 0 {
		mm := *m
		mm.Decisions = make([]*model.Decision, 0, len(m.Decisions)-len(off))
		for _, d := range m.Decisions {
			if !off[d] {
				mm.Decisions = append(mm.Decisions, d)
			}
		}
		assessed = &mm
	}
	warns, ranking := risk.AssessRanking(assessed, findings, risk.Options{Now: opt.Now, Uncertainty: unc, Relay: relay})
	warns = append(warns, uncovered...)
	limit := DefaultMaxUnverified
	if m.Policy.MaxUnverified != 0 {
		limit = m.Policy.MaxUnverified
	}
	raised := len(findings)
	<-sorted
	// A model of up to wordAsideMax questions has them worded on the side
	// while the threats are listed, which leaves a core idle much of the
	// time (the listing reads the questions' threats, never their text).
	// A larger one has them worded after the listing: its wording (≈ 90
	// MB at 100,000 components) need not be live at the run's fullest
	// heap.
	var worded chan struct{}
	if len(res.Questions) <= wordAsideMax {
		worded = make(chan struct{})
		go func() {
			rule.WordQuestions(res.Questions)
			close(worded)
		}()
	}
	findings = list(findings, ranking, res.Questions, rules, els, limit, workers(ctx))
	res.Findings = nil // its array may still hold every threat raised
	findings = compactIn(findings, res.Questions, res.Slabs, workers(ctx))
	res.Slabs = nil
	if raised-len(findings) >= collectAfter {
		// The threats not listed are garbage now; collecting them here,
		// rather than when the heap next reaches twice what it held at
		// the last collection (mid-analysis, with them), lets report
		// building reuse their memory instead of growing the heap. The
		// memory freed goes back to the system at once (FreeOSMemory, a
		// collection and a release): left to the background scavenger,
		// the pages report building reuses sat beside free ones it did
		// not, and at 100,000 components the peak RSS was ≈ 250 MB higher
		// (3.31–3.42 against 3.16–3.17 GB, same CPU).
		debug.FreeOSMemory()
	}
	if worded != nil {
		<-worded
	} else {
		rule.WordQuestions(res.Questions)
	}
	// Questions rank by the listed threats they settle.
	risk.AtStake(m, res.Questions)
	return &Analysis{Model: m, Findings: findings, Questions: res.Questions, Warnings: warns, Rules: rules, Now: opt.Now}, nil
}

// wordAsideMax is the most questions worded while the threats are listed
// (Run): ≈ 81,000 at 10,000 components, ≈ 10 MB of text.
const wordAsideMax = 200_000

// list chooses the threats listed from fs (ranked by risk.Assess, in
// ranking) and ranks them again: the per-element cap of unverified
// threats, then the fold of further threats into another threat of their
// category (which takes the better place of the two, RerankMoved). Each
// step that depends on the ranking sees only the
// threats that survive the steps before it: the fold judges "ranked
// before" on the ranking of the threats the cap kept, and the final
// ranking's spread and its rule for a repeated (element, category) pair
// count only the threats listed — a threat the cap or the fold removed no
// longer takes a round of the spread or names a pair that sends a listed
// threat of the same element and category to the end of its band.
//
// The steps mark the threats they remove with rank 0, and ranking ranks
// the rest again without sorting them again. After the fold of further
// threats comes foldFurtherHop (a further threat on a component and its
// hops joins another rule's earlier threat on the component); after the
// fold into a receiver's threat comes the fold of rules that name one attack
// (rule.SameLine, foldSameLine), then the fold of a OneLine rule's readings
// on one element (foldReadings). Last, risk.LowerRepeats moves an unverified threat that repeats an
// (element, category) pair on its own element to the end of the next
// band.
func list(fs []*model.Finding, ranking *risk.Ranking, qs []*model.Question, rules []*rule.Rule, els *numbering, limit, workers int) []*model.Finding {
	n := len(fs)
	raised := n
	if fs = capUnverified(fs, els, limit, workers); len(fs) != n {
		ranking.Rerank(fs)
	}
	n = len(fs)
	fs, moves := foldFurther(fs, rules, els, workers)
	if len(fs) != n {
		ranking.RerankMoved(fs, moves)
	}
	n = len(fs)
	if fs = foldFurtherHop(fs, qs, rules, workers); len(fs) != n {
		ranking.Rerank(fs)
	}
	n = len(fs)
	if fs = foldIntoReceiver(fs, qs, rules, workers); len(fs) != n {
		ranking.Rerank(fs)
	}
	n = len(fs)
	if fs = foldSameLine(fs, qs, rules, els, workers); len(fs) != n {
		ranking.Rerank(fs)
	}
	n = len(fs)
	fs, moves = foldReadings(fs, qs, rules, workers)
	if len(fs) != n {
		ranking.RerankMoved(fs, moves)
	}
	if len(fs) != raised {
		dropFromQuestions(qs, workers)
	}
	risk.LowerRepeats(fs)
	mention(fs, rules, workers)
	return fs
}

// mention adds to each listed threat the elements its rule says it is
// about beyond its targets (rule.Rule.Mentions: a component's callers),
// once the cap and the folds have chosen the threats listed and the
// ranking is settled, so they change neither. A threat that a further
// threat joined (a weakness's further STRIDE reading on a component, now
// listed as the other rule's threat of that category: Finding.Folded)
// stands for it, so it names what the folded threat's rule mentions on
// that component too: object authorization's tampering reading, joined to
// a client-state threat on the same API, still names the callers that can
// change another user's objects through it. A threat's targets may be
// shared with the other threats of its weakness: each gets a new list.
// The threats are taken in chunks on up to workers goroutines (the rules'
// Mentions only read the model, and each threat is written by one).
func mention(fs []*model.Finding, rules []*rule.Rule, workers int) {
	var by map[string]*rule.Rule
	for _, r := range rules {
		if r.Mentions != nil {
			if by == nil {
				by = map[string]*rule.Rule{}
			}
			by[r.ID] = r
		}
	}
	if by == nil {
		return
	}
	chunks(len(fs), workers, func(lo, hi int) {
		for _, f := range fs[lo:hi] {
			if len(f.Targets) == 0 {
				continue
			}
			var ts []model.Target
			add := func(r *rule.Rule, on model.Target) {
				for _, t := range r.Mentions(on) {
					if !slices.Contains(f.Targets, t) && !slices.Contains(ts, t) {
						ts = append(ts, t)
					}
				}
			}
			if r := by[f.Rule]; r != nil && f.Origin == r.Origin {
				add(r, f.Targets[0])
			}
			if f.Origin == model.OriginBuiltin {
				for _, fd := range f.Folded {
					if r, on, ok := foldedOn(f, fd.ID, by); ok {
						add(r, on)
					}
				}
			}
			if len(ts) > 0 {
				f.Targets = append(slices.Clip(f.Targets), ts...)
			}
		}
	})
}

// foldedOn returns the rule of a threat folded into f (its id fold is
// rule:element or rule:element:category) when that rule mentions further
// elements and is built in, and the component it was on, when f is on that
// same component (a receiver's merged threat is on the receiver): a
// zone-wide threat that a component's further threat joined stands for
// many components and names no callers.
func foldedOn(f *model.Finding, fold string, by map[string]*rule.Rule) (*rule.Rule, model.Target, bool) {
	ruleID, _, _ := strings.Cut(fold, ":")
	r := by[ruleID]
	if r == nil || r.Origin != model.OriginBuiltin {
		return nil, model.Target{}, false
	}
	el := onElement(fold, ruleID)
	if el == "" || onElement(f.ID, f.Rule) != el {
		return nil, model.Target{}, false
	}
	for _, t := range f.Targets {
		if t.Component != nil && t.Component.ID == el {
			return r, t, true
		}
	}
	return nil, model.Target{}, false
}

// onElement is the element in a threat's id rule:element[:category].
func onElement(id, ruleID string) string {
	el, ok := strings.CutPrefix(id, ruleID+":")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(el, ':'); i >= 0 && slices.Contains(model.Categories, model.Category(el[i+1:])) {
		el = el[:i]
	}
	return el
}

// collectAfter is how many threats raised and not listed make Run collect
// garbage once the listed ones are compacted: about 110 MB of threats. At
// 100,000 components some 800,000 go.
const collectAfter = 200_000

// compact copies the listed threats fs into one fresh array and points the
// questions at the copies. The rules raise threats in blocks of hundreds
// (internal/rule), so a block stays reachable while any one of its threats
// is listed: at 100,000 components about 1.8 million threats are raised
// and 1 million listed, and without the copy the merged, capped and folded
// ones stay in memory through report building. After compact nothing
// points into the blocks (the ranking is dropped when Run returns), and
// the collector frees them. Their reasons (Rationale) are copied the same
// way, each list to its length (rehome).
//
// The old threats, unreachable once the questions are updated, carry the
// index of their copy in Rank (as -(i+1)) while the questions are mapped:
// no map of a million pointers. A question's threat that is not listed
// (none should be) keeps its pointer.
func compact(fs []*model.Finding, qs []*model.Question, workers int) []*model.Finding {
	if len(fs) == 0 {
		return fs
	}
	arr := make([]model.Finding, len(fs))
	out := make([]*model.Finding, len(fs))
	// The copy is most of the work (≈ 100,000 threats of 550 bytes at
	// 10,000 components): it is split between the workers.
	chunks(len(fs), workers, func(lo, hi int) {
		why := make([]string, 0, whyLen(fs[lo:hi]))
		for i := lo; i < hi; i++ {
			f := fs[i]
			arr[i] = *f
			arr[i].Rationale, why = rehome(f.Rationale, why)
			out[i] = &arr[i]
			f.Rank = -(i + 1)
		}
	})
	remap(qs, out, workers)
	clear(fs)
	return out
}

// remap points the questions' threats at their new places out[i], for the
// threats whose Rank says -(i+1); a threat with another rank is kept.
func remap(qs []*model.Question, out []*model.Finding, workers int) {
	// The questions' lists get fresh storage too, one array for all: a
	// list the rules filtered in place (internal/rule dropMerged) still
	// holds threats merged away past its length, which would keep their
	// blocks.
	start := make([]int, len(qs)+1)
	for i, q := range qs {
		start[i+1] = start[i] + len(q.Threats)
	}
	all := make([]*model.Finding, start[len(qs)])
	chunks(len(qs), workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			q := qs[i]
			ts := all[start[i]:start[i+1]:start[i+1]]
			for j, t := range q.Threats {
				if t.Rank < 0 {
					t = out[-t.Rank-1]
				}
				ts[j] = t
			}
			if len(ts) == 0 {
				// Not q.Threats[:0:0]: an empty slice still points at
				// the old array, whose threats (most not listed) would
				// keep their slabs alive — at 10,000 components 194 of
				// the 237 slabs compactIn frees were kept so (≈ 300 MB
				// at 100,000).
				ts = []*model.Finding{}
			}
			q.Threats = ts
		}
	})
}

// compactIn is compact for threats most of which were cut from slabs (the
// rules' chunks, rule.Result.Slabs): instead of copying every listed threat
// to a fresh array, it moves those in the slabs to the first free slots, in
// slab order, so that the slabs after the last one used are freed and no
// new array is needed — at 100,000 components the copy was ≈ 430 MB
// allocated while the slabs were still live, the run's peak. Listed
// threats not in the slabs (the team's, merged ones) are copied as compact
// does. When a question names a threat that is not listed, whose slot could
// be overwritten, it falls back to compact.
func compactIn(fs []*model.Finding, qs []*model.Question, slabs [][]model.Finding, workers int) []*model.Finding {
	if len(fs) == 0 || len(slabs) == 0 {
		return compact(fs, qs, workers)
	}
	rank := make([]int, len(fs))
	chunks(len(fs), workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rank[i] = fs[i].Rank
			fs[i].Rank = -(i + 1)
		}
	})
	restore := func() {
		for i, f := range fs {
			f.Rank = rank[i]
		}
	}
	var stray atomic.Bool
	chunks(len(qs), workers, func(lo, hi int) {
		for _, q := range qs[lo:hi] {
			for _, t := range q.Threats {
				if t.Rank >= 0 {
					stray.Store(true)
					return
				}
			}
		}
	})
	if stray.Load() {
		restore()
		return compact(fs, qs, workers)
	}
	// Where each listed threat in the slabs goes: the next free slot.
	out := make([]*model.Finding, len(fs))
	b, k := 0, 0
	for _, s := range slabs {
		for j := range s {
			if r := s[j].Rank; r < 0 {
				for k == len(slabs[b]) {
					b, k = b+1, 0
				}
				out[-r-1] = &slabs[b][k]
				k++
			}
		}
	}
	why := make([]string, 0, whyLen(fs))
	// The listed threats not in the slabs are copied out first: the moves
	// below do not touch them.
	extra := 0
	for _, o := range out {
		if o == nil {
			extra++
		}
	}
	if extra > 0 {
		arr := make([]model.Finding, extra)
		for i, o := range out {
			if o == nil {
				f := &arr[len(arr)-extra]
				extra--
				*f = *fs[i]
				f.Rank = rank[i]
				f.Rationale, why = rehome(f.Rationale, why)
				out[i] = f
			}
		}
	}
	// The questions are pointed at the new places while the old ones still
	// say, in Rank, which threat they hold.
	remap(qs, out, workers)
	// Each slot moved to is at or before the one moved from, and every
	// slot before the one being read has been read already.
	for _, s := range slabs {
		for j := range s {
			src := &s[j]
			r := src.Rank
			if r >= 0 {
				continue
			}
			dst := out[-r-1]
			if dst != src {
				*dst = *src
			}
			dst.Rank = rank[-r-1]
			dst.Rationale, why = rehome(dst.Rationale, why)
		}
	}
	if b < len(slabs) {
		clear(slabs[b][k:])
	}
	clear(fs)
	return out
}

// whyLen is the number of reasons fs's threats give.
func whyLen(fs []*model.Finding) int {
	n := 0
	for _, f := range fs {
		n += len(f.Rationale)
	}
	return n
}

// rehome returns a copy of the reasons r cut from room (capacity equal to
// its length) and what is left of room. The risk assessment cuts the
// threats' reasons from chunks shared by hundreds of threats (risk's
// keepWhy), listed and dropped alike: at 100,000 components, where most
// threats raised are dropped, the listed ones kept ≈ 140 MB of chunks
// alive for ≈ 60 MB of reasons (when each had room for 7 + n).
// A nil or empty list stays nil or empty.
func rehome(r, room []string) ([]string, []string) {
	switch {
	case r == nil:
		return nil, room
	case len(r) == 0:
		return []string{}, room
	}
	n := len(room)
	room = append(room, r...)
	return room[n:len(room):len(room)], room
}

// workers is how many goroutines a step of the analysis may use: the
// cores, or fewer when ctx's budget says so (rule.Budget.Workers).
func workers(ctx context.Context) int {
	n := runtime.GOMAXPROCS(0)
	if w := rule.BudgetOf(ctx).Workers; w > 0 {
		n = min(n, w)
	}
	return n
}

// parallelMin is the least number of items a step splits between workers:
// below it, starting goroutines costs more than it saves (a model of a
// few dozen elements is analysed in milliseconds).
const parallelMin = 20_000

// chunks calls fn on consecutive ranges of [0, n) covering it, on up to
// workers goroutines at once when n is at least parallelMin, else once on
// the whole range. fn must write only what its range owns.
func chunks(n, workers int, fn func(lo, hi int)) {
	if workers <= 1 || n < parallelMin {
		fn(0, n)
		return
	}
	per := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := per; lo < n; lo += per {
		wg.Go(func() { fn(lo, min(lo+per, n)) })
	}
	fn(0, min(per, n))
	wg.Wait()
}

// byID is the order risk.Rank starts from: id, then position.
func byID(a, b *model.Finding) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.Pos.String(), b.Pos.String())
}

// mergeByID returns the rules' findings (sorted by id) and the team's
// threats in byID order, as a stable sort of the two lists one after the
// other would, by merging: risk.Rank then finds them sorted instead of
// sorting 100,000s of threats again to place the few the team wrote.
func mergeByID(sorted, more []*model.Finding) []*model.Finding {
	if len(more) == 0 || !slices.IsSortedFunc(sorted, byID) {
		return append(sorted, more...)
	}
	slices.SortStableFunc(more, byID)
	out := make([]*model.Finding, 0, len(sorted)+len(more))
	for len(sorted) > 0 && len(more) > 0 {
		if byID(more[0], sorted[0]) < 0 {
			out, more = append(out, more[0]), more[1:]
		} else {
			out, sorted = append(out, sorted[0]), sorted[1:]
		}
	}
	return append(append(out, sorted...), more...)
}

// hintsIgnore reports whether the hints risk.Assess gives for decisions
// and assumptions naming findings that do not exist cannot list the team's
// threats: those hints list findings sharing the rule or element part of
// the id in the order Assess receives them, so only then may the team's
// threats be merged into place rather than appended.
func hintsIgnore(m *model.Model, people []*model.Finding) bool {
	parts := map[string]bool{}
	for _, f := range people {
		r, t, _ := strings.Cut(f.ID, ":")
		parts["r:"+r], parts["t:"+t] = true, true
	}
	named := func(id string) bool {
		r, t, _ := strings.Cut(id, ":")
		return parts["r:"+r] || parts["t:"+t]
	}
	for _, d := range m.Decisions {
		if named(d.Finding) {
			return false
		}
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			// Only finding ids (with a colon) are checked for staleness.
			if strings.Contains(s, ":") && named(s) {
				return false
			}
		}
	}
	return true
}

// relay says whether a component forwards requests without owning the
// objects behind them (the built-in catalogue's reading of the model).
func relay(c *model.Component) bool { return rules.Relay(c) }

// DefaultMaxUnverified is how many unverified threats Ward lists per
// element by default: a reviewer writes the few that matter most on each
// element, so the rest of what the model leaves unknown stays on the
// question list (the model's to-do list) rather than in the threat list.
const DefaultMaxUnverified = 6

// capUnverified keeps at most limit unverified threats per element (its
// first target; each component of a threat on several components and
// nothing else, such as a zone-wide rule's merged threat, which is listed
// when any of them keeps it), those with the highest inherent risk;
// limit < 0 keeps all.
// The questions lose the threats no longer listed when the listing ends
// (dropFromQuestions; they stay on the list, ranked by what is listed).
// Ranks are renumbered.
//
// It runs on lists of 100,000s of threats, so it groups with counting sorts
// and marks the threats it drops with rank 0 rather than keeping sets.
func capUnverified(fs []*model.Finding, els *numbering, limit, workers int) []*model.Finding {
	if limit < 0 {
		return fs
	}
	// fs is ranked, so the unverified threats are met in rank order; a
	// stable counting sort by inherent score (highest first) gives the
	// order the cap keeps them in: inherent risk, then rank.
	// Reading each threat is a cache miss at 100,000s: the workers note
	// each one's bucket (-1: not capped), the buckets fill here.
	bucket := make([]int8, len(fs))
	chunks(len(fs), workers, func(lo, hi int) {
		for i, f := range fs[lo:hi] {
			b := int8(-1)
			if f.Unverified() && len(f.Targets) > 0 {
				b = int8(25 - max(0, min(25, f.Inherent.Score)))
			}
			bucket[lo+i] = b
		}
	})
	var byScore [26][]*model.Finding
	n := 0
	for i, f := range fs {
		if b := bucket[i]; b >= 0 {
			byScore[b] = append(byScore[b], f)
			n++
		}
	}
	if n == 0 {
		return fs
	}
	unv := make([]*model.Finding, 0, n)
	for _, b := range byScore {
		unv = append(unv, b...)
	}
	// Group by element (first target), keeping that order within groups;
	// a threat on several components (and nothing else) is in each one's
	// group. The groups are the elements' numbers (els: components, then
	// flows); which number a group has does not matter, only that each
	// element has one. Reading each threat's targets is a cache miss at
	// 100,000s: the workers note each one's entries, in order; a target
	// els does not number (a boundary, an asset, the model, or any with
	// no els) is numbered here after them.
	type entry struct {
		i int32 // index in unv
		g int32 // -1: not numbered yet
		t int32 // index of the target in the threat's
	}
	parts := chunkList(len(unv), workers)
	pe := make([][]entry, len(parts))
	each(parts, func(p, lo, hi int) {
		out := make([]entry, 0, hi-lo)
		for i := lo; i < hi; i++ {
			f := unv[i]
			ts := f.Targets[:1]
			if len(f.Targets) > 1 && allComponents(f.Targets) {
				ts = f.Targets
			}
			for j, t := range ts {
				out = append(out, entry{int32(i), els.of(t), int32(j)})
			}
		}
		pe[p] = out
	})
	ng := els.len()
	var other map[model.Target]int32
	nents := 0
	for _, ents := range pe {
		nents += len(ents)
		for k, e := range ents {
			if e.g >= 0 {
				continue
			}
			t := unv[e.i].Targets[e.t]
			g, ok := other[t]
			if !ok {
				if other == nil {
					other = map[model.Target]int32{}
				}
				g = int32(ng)
				other[t] = g
				ng++
			}
			ents[k].g = g
		}
	}
	size := make([]int32, ng)
	for _, ents := range pe {
		for _, e := range ents {
			size[e.g]++
		}
	}
	start := make([]int32, len(size)+1)
	for g, c := range size {
		start[g+1] = start[g] + c
	}
	order := make([]int32, nents)
	fill := append([]int32(nil), start[:len(size)]...)
	for _, ents := range pe {
		for _, e := range ents {
			order[fill[e.g]] = e.i
			fill[e.g]++
		}
	}
	// Per element: first the riskiest threat of each STRIDE category, then
	// the next riskiest whatever their category, up to limit; the rest are
	// marked dropped (rank 0), unless another of their components keeps
	// them.
	var keep []bool
	capped := false
	listed := make([]bool, n)
	for g := range size {
		el := order[start[g]:start[g+1]]
		if len(el) <= limit {
			for _, i := range el {
				listed[i] = true
			}
			continue
		}
		capped = true
		if cap(keep) < len(el) {
			keep = make([]bool, len(el))
		}
		keep = keep[:len(el)]
		clear(keep)
		kept := 0
		var cats [8]bool
		for j, i := range el {
			c := categoryIndex(unv[i].Category)
			if kept < limit && !cats[c] {
				cats[c], keep[j] = true, true
				kept++
			}
		}
		for j := range el {
			if kept < limit && !keep[j] {
				keep[j] = true
				kept++
			}
		}
		for j, i := range el {
			if keep[j] {
				listed[i] = true
			}
		}
	}
	if !capped {
		return fs
	}
	dropped := 0
	for i, f := range unv {
		if !listed[i] {
			f.Rank = 0
			dropped++
		}
	}
	if dropped == 0 {
		return fs
	}
	return dropUnranked(fs, workers)
}

// numbering numbers a model's components (0, 1, …, in model order) and
// flows (after them): an element's number is its index in the model's
// lists (model.CompNum, FlowNum), which the workers may share (it is
// only read). It used to be a map by pointer: at 100,000 components
// 600,000 entries, each look-up a cache miss or two.
type numbering struct {
	m  *model.Model
	nc int32
	n  int32
}

// numberElements numbers m's components and flows (Index has, unless
// the model's lists changed since).
func numberElements(m *model.Model) *numbering {
	m.Number()
	return &numbering{m: m, nc: int32(len(m.Components)), n: int32(len(m.Components) + len(m.Flows))}
}

// of returns the number of a target that is a component or a flow (and
// nothing else) of the model, else -1; a nil numbering numbers nothing.
func (e *numbering) of(t model.Target) int32 {
	if e == nil || t.Boundary != nil || t.Asset != nil {
		return -1
	}
	switch {
	case t.Component != nil && t.Flow == nil:
		return e.m.CompNum(t.Component)
	case t.Flow != nil && t.Component == nil:
		if n := e.m.FlowNum(t.Flow); n >= 0 {
			return e.nc + n
		}
	}
	return -1
}

func (e *numbering) len() int {
	if e == nil {
		return 0
	}
	return int(e.n)
}

// allComponents reports whether every target is a component.
func allComponents(ts []model.Target) bool {
	for _, t := range ts {
		if t.Component == nil {
			return false
		}
	}
	return true
}

// dropUnranked removes the threats a step set to rank 0 from the list and
// numbers the rest 1, 2, … in order. The questions keep naming them until
// the listing ends (dropFromQuestions, once, in list): no step reads a
// question's threats but to find those that joined another in that step,
// which are listed until it ends, so a threat dropped earlier is never
// one of them, and the order of the rest is the same either way. That
// spares a pass over every question's threats per step (each a cache miss
// at 100,000s). The reads and writes of the threats' ranks run in chunks
// on up to workers goroutines; the list is compacted here.
func dropUnranked(fs []*model.Finding, workers int) []*model.Finding {
	keep := make([]bool, len(fs))
	chunks(len(fs), workers, func(lo, hi int) {
		for i, f := range fs[lo:hi] {
			keep[lo+i] = f.Rank != 0
		}
	})
	out := fs[:0]
	for i, f := range fs {
		if keep[i] {
			out = append(out, f)
		}
	}
	clear(fs[len(out):])
	chunks(len(out), workers, func(lo, hi int) {
		for i, f := range out[lo:hi] {
			f.Rank = lo + i + 1
		}
	})
	return out
}

// dropFromQuestions removes from the questions the threats the listing's
// steps dropped (rank 0), in chunks on up to workers goroutines.
func dropFromQuestions(qs []*model.Question, workers int) {
	chunks(len(qs), workers, func(lo, hi int) {
		for _, q := range qs[lo:hi] {
			q.Threats = slices.DeleteFunc(q.Threats, func(f *model.Finding) bool { return f.Rank == 0 })
		}
	})
}

// categoryIndex numbers the STRIDE categories 0–5 (6 for anything else).
func categoryIndex(c model.Category) int {
	if i := slices.Index(model.Categories, c); i >= 0 {
		return i
	}
	return 6
}

// People turns the threats written in the model into findings.
func People(m *model.Model) []*model.Finding {
	out := make([]*model.Finding, 0, len(m.Threats))
	for _, t := range m.Threats {
		f := &model.Finding{ID: t.ID, Rule: model.PeopleRule, Origin: model.OriginPeople, Title: t.Title, Description: t.Description,
			Categories: t.Categories, Targets: t.Targets, Assets: t.Assets, FoundBy: t.FoundBy, Threat: t, Pos: t.Pos}
		if len(t.Categories) > 0 {
			f.Category = t.Categories[0]
			f.Property = worstProperty(t.Categories)
		}
		if len(f.Assets) == 0 {
			for _, tg := range t.Targets {
				f.Assets = append(f.Assets, rule.TargetAssets(tg)...)
			}
		}
		out = append(out, f)
	}
	return out
}

// worstProperty picks confidentiality over integrity over availability when a
// threat spans several categories; impact takes the asset's need for it.
func worstProperty(cs []model.Category) model.Property {
	p := cs[0].Property()
	for _, c := range cs {
		if c.Property() == model.Confidentiality {
			return model.Confidentiality
		}
	}
	return p
}

// Count returns how many open findings are at or above sev. Unverified
// threats do not count: see CountUnverified.
func (a *Analysis) Count(sev model.Severity) int {
	n := 0
	for _, f := range a.Findings {
		if f.Open() && f.Residual.Severity >= sev {
			n++
		}
	}
	return n
}

// CountUnverified returns how many unverified threats are at or above sev
// (for --fail-on-unverified).
func (a *Analysis) CountUnverified(sev model.Severity) int {
	n := 0
	for _, f := range a.Findings {
		if f.Unverified() && f.Residual.Severity >= sev {
			n++
		}
	}
	return n
}

// Rules returns the built-in rules plus the custom rules of a loaded model
// and of any extra rule files.
func Rules(l *spec.Loaded, extra []spec.Source) ([]*rule.Rule, error) {
	rs := append([]*rule.Rule{}, rules.All()...)
	srcs := append(append([]spec.Source{}, l.RuleFiles...), extra...)
	if len(srcs) == 0 {
		return rs, nil
	}
	custom, err := rule.LoadCustom(srcs, rs)
	if err != nil {
		return nil, err
	}
	return append(rs, custom...), nil
}
