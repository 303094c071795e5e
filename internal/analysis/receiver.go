package analysis

import (
	"slices"
	"sync"

	"github.com/wardtm/ward/internal/listset"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldIntoReceiver joins a flow threat into its receiver's threat where a
// rule says the two are one weakness (rule.Rule.SameOnReceiver): "flow f
// from the partner zone is not authenticated" and "the API does not
// authenticate its callers" are one missing check, fixed once at the
// receiver, and a reviewer writes it once, on the flow or on the
// component. Of the receiver's threat (id SameOnReceiver:receiver,
// listed, of the flow threats' category; for a flow threat's further
// category, the receiver's further threat of that category,
// SameOnReceiver:receiver:category) and the flow threats joining it,
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
	own := map[string]model.Category{}
	for _, r := range rules {
		if r.SameOnReceiver != "" && r.On == rule.OnFlow {
			same[r.ID] = r.SameOnReceiver
			own[r.ID] = r.Category
		}
	}
	if len(same) == 0 {
		return fs
	}
	// The flow threats that may join, and the ids of the receivers'
	// threats they would join: only those few are looked up among fs.
	// Reading each threat is a cache miss at 100,000s: the list is split
	// between the workers, each noting its part's candidates in order.
	type cand struct {
		f    *model.Finding
		want string
	}
	parts := chunkList(len(fs), workers)
	cs := make([][]cand, len(parts))
	each(parts, func(p int, lo, hi int) {
		var out []cand
		for _, f := range fs[lo:hi] {
			other, ok := same[f.Rule]
			if !ok || !f.Unverified() || held(f) || len(f.Targets) == 0 {
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
			// A further threat (the weakness's elevation: a caller
			// nobody authenticates acts with the receiver's rights)
			// joins the receiver's further threat of its category.
			want := other + ":" + to.ID
			if f.Category != own[f.Rule] {
				want += ":" + string(f.Category)
			}
			out = append(out, cand{f, want})
		}
		cs[p] = out
	})
	var cands []cand
	for _, c := range cs {
		cands = append(cands, c...)
	}
	if len(cands) == 0 {
		return fs
	}
	byID := make(map[string]*model.Finding, len(cands))
	for _, c := range cands {
		byID[c.want] = nil
	}
	// The receivers' threats, found by the workers (the map is only read),
	// set in list order: a later threat of the same id wins, as in one pass.
	found := make([][]*model.Finding, len(parts))
	each(parts, func(p int, lo, hi int) {
		var out []*model.Finding
		for _, g := range fs[lo:hi] {
			if _, ok := byID[g.ID]; ok && g.Active() && g.Origin != model.OriginPeople {
				out = append(out, g)
			}
		}
		found[p] = out
	})
	for _, gs := range found {
		for _, g := range gs {
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
		if !g.Open() && !held(g) && grp[0].Rank < g.Rank {
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
			fold(keep, x)
		}
		keep.Targets = ts
	}
	// The questions that name a threat that joined another, found by the
	// workers (into is only read), are updated in order here: the threats
	// they join may be shared.
	qparts := chunkList(len(qs), workers)
	hit := make([][]int32, len(qparts))
	each(qparts, func(p int, lo, hi int) {
		var out []int32
		for k, q := range qs[lo:hi] {
			for _, t := range q.Threats {
				if into[t] != nil {
					out = append(out, int32(lo+k))
					break
				}
			}
		}
		hit[p] = out
	})
	for _, k := range slices.Concat(hit...) {
		repoint(qs[k], into)
	}
	return dropUnranked(fs, workers)
}

// absorb folds threat f into keep: keep names f's targets too, and f
// leaves the list (rank 0, removed by settle); into records where it went.
func (j *joiner) absorb(keep, f *model.Finding, into map[*model.Finding]*model.Finding) {
	j.join(keep, f)
	into[f] = keep
}

// join is absorb but for recording where f went, scanning keep's targets.
func join(keep, f *model.Finding) {
	for _, t := range f.Targets {
		if !slices.Contains(keep.Targets, t) {
			keep.Targets = append(keep.Targets, t)
		}
	}
	joined(keep, f)
}

// joined ends a join once keep names f's targets: f leaves the ranking and
// keep records the fold.
func joined(keep, f *model.Finding) {
	f.Rank = 0
	fold(keep, f)
}

// joiner makes joins (join) into threats that may take in many others:
// once a threat names more targets than listset scans, they are kept as a
// list set beside it. A threat merged across an estate takes in thousands
// of threats, and at 100,000 components foldSameLine's scan of its targets
// for each join was quadratic (≈ 1 s of CPU on one worker).
type joiner struct {
	sets map[*model.Finding]*listset.Set[model.Target]
}

// join is absorb but for recording where f went: the package's join while
// keep names few targets, a list set's add past joinScanMax.
func (j *joiner) join(keep, f *model.Finding) {
	s := j.sets[keep]
	if s == nil {
		if len(keep.Targets)+len(f.Targets) <= joinScanMax {
			join(keep, f)
			return
		}
		if j.sets == nil {
			j.sets = map[*model.Finding]*listset.Set[model.Target]{}
		}
		s = &listset.Set[model.Target]{List: keep.Targets}
		j.sets[keep] = s
	}
	s.Add(f.Targets...)
	keep.Targets = s.List
	joined(keep, f)
}

// joinScanMax is the most targets a join scans (join) rather than keeping
// them as a set (joiner).
const joinScanMax = 32

// fold records on keep that f, with its status, and what had folded into
// f, folded into it.
func fold(keep, f *model.Finding) {
	keep.Folded = append(append(keep.Folded, model.Fold{ID: f.ID, Status: f.Status}), f.Folded...)
	f.Folded = nil
}

// settle ends a fold: the questions of the folded threats settle the
// threats they went into, and the folded threats leave fs.
func settle(fs []*model.Finding, qs []*model.Question, into map[*model.Finding]*model.Finding, workers int) []*model.Finding {
	if len(into) == 0 {
		return fs
	}
	// The questions are repointed on the workers (each writes only its
	// own list of threats; into is only read); the questions are then
	// recorded on the threats they now settle here, in the questions'
	// order, as repoint would one question after another.
	parts := chunkList(len(qs), workers)
	moved := make([][]repointed, len(parts))
	each(parts, func(p, lo, hi int) {
		for k := lo; k < hi; k++ {
			moved[p] = repointOnly(qs[k], int32(k), into, moved[p])
		}
	})
	// A threat merged across an estate's zones settles thousands of
	// questions: each threat's list is a list set while questions are
	// added (a scan per question was quadratic at 100,000 components).
	var sets map[*model.Finding]*listset.Set[string]
	for _, ms := range moved {
		for _, x := range ms {
			q := qs[x.q]
			g := q.Threats[x.i]
			s := sets[g]
			if s == nil {
				if sets == nil {
					sets = make(map[*model.Finding]*listset.Set[string])
				}
				s = &listset.Set[string]{List: g.Questions}
				sets[g] = s
			}
			s.Add(q.ID)
			g.Questions = s.List
		}
	}
	return dropUnranked(fs, workers)
}

// repointed is a threat question qs[q] now settles instead of the one
// that went into it, at q.Threats[i] (repointOnly).
type repointed struct{ q, i int32 }

// repointOnly is repoint of question q, number k, but for recording the
// question on the threats: it appends where it put each threat it now
// settles to out instead.
func repointOnly(q *model.Question, k int32, into map[*model.Finding]*model.Finding, out []repointed) []repointed {
	for i, t := range q.Threats {
		g := into[t]
		if g == nil || slices.Contains(q.Threats, g) {
			continue
		}
		q.Threats[i] = g
		out = append(out, repointed{k, int32(i)})
	}
	return out
}

// repoint makes question q settle the threat each of its folded threats
// went into (into maps a folded threat to the one it joined) and records
// the question on that threat. A folded threat whose cover q already
// settles stays in the list for dropFromQuestions to remove.
func repoint(q *model.Question, into map[*model.Finding]*model.Finding) {
	for i, t := range q.Threats {
		g := into[t]
		if g == nil || slices.Contains(q.Threats, g) {
			continue
		}
		q.Threats[i] = g
		if !slices.Contains(g.Questions, q.ID) {
			g.Questions = append(g.Questions, q.ID)
		}
	}
}

// chunkList splits [0, n) into consecutive ranges, one per worker when n
// is at least parallelMin, else one.
func chunkList(n, workers int) [][2]int {
	if workers <= 1 || n < parallelMin {
		return [][2]int{{0, n}}
	}
	per := (n + workers - 1) / workers
	var out [][2]int
	for lo := 0; lo < n; lo += per {
		out = append(out, [2]int{lo, min(lo+per, n)})
	}
	return out
}

// each calls fn on each of parts (chunkList) at once, the first on the
// calling goroutine.
func each(parts [][2]int, fn func(p, lo, hi int)) {
	var wg sync.WaitGroup
	for p := 1; p < len(parts); p++ {
		wg.Go(func() { fn(p, parts[p][0], parts[p][1]) })
	}
	fn(0, parts[0][0], parts[0][1])
	wg.Wait()
}
