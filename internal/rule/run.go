package rule

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wardtm/ward/internal/model"
)

// Result is what Run produces.
type Result struct {
	Findings  []*model.Finding
	Questions []*model.Question
	// Slabs are the chunks the built-in rules' threats were cut from, in a
	// fixed order; a chunk's slots past its last threat are zero. A
	// threat merged into another stays in its chunk. They let the caller
	// move the threats it keeps into the first chunks (internal/analysis
	// compact) instead of copying them out.
	Slabs [][]model.Finding
}

// Options tune RunWith.
type Options struct {
	// Mitigated keeps threats whose controls are stated present, with
	// status mitigated (ward check --all); by default they are dropped.
	Mitigated bool
	// Unworded leaves the questions' Text empty, for the caller to set
	// with WordQuestions once it needs it: a large model's wording (≈ 90
	// MB at 100,000 components) then need not stay live through what the
	// caller does first (internal/analysis: scoring and listing, the
	// run's fullest heap).
	Unworded bool
	// Unsorted leaves the questions in the order the rules asked them, for
	// the caller to sort with SortQuestions (on the side, while it does
	// other work first); by default they are sorted by id.
	Unsorted bool
}

// Run applies the rules to every element of m they examine. Out-of-scope
// components are not examined, and neither are flows between two of them.
// Threats are returned in a deterministic order.
func Run(ctx context.Context, m *model.Model, rules []*Rule) (*Result, error) {
	return RunWith(ctx, m, rules, Options{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, m *model.Model, rules []*Rule, opt Options) (*Result, error) {
	// Rules are independent and only read the model, so they run on all
	// cores; each rule collects its own results, merged in rule order so the
	// outcome does not depend on scheduling.
	track, stopWatch, err := newTracker(ctx, rules)
	if err != nil {
		return nil, err
	}
	defer stopWatch()
	per := make([]*results, len(rules))
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(rules)))
	if n := BudgetOf(ctx).Workers; n > 0 {
		workers = min(workers, n)
	}
	order, sorted := byRuleID(rules)
	fams := familiesOf(rules, order)
	// A family's threats are merged by the worker that finishes its last
	// rule, and the questions rule by rule as the rules finish, while the
	// other workers run the rest; the families' rules go first so that
	// neither is left for the end.
	sched := fams.schedule(rules)
	var next atomic.Int64
	shared := &memo{}
	in := inScope(m)
	ask := newAsking(rules, per, len(in.components)+len(in.flows))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var room *results
			var ids byID[*model.Finding]
			for {
				k := int(next.Add(1)) - 1
				if k >= len(rules) || track.stopped() {
					return
				}
				i := sched[k]
				out := runRule(m, in, rules[i], shared, track, opt.Mitigated, room)
				room = out.leftover()
				// Sorted here, on all cores: every id starts with the
				// rule's id and a colon, so the run's order is the rules'
				// own orders, one rule after another (byRuleID).
				ids.sort(out.findings, findingID)
				per[i] = out
				ask.done(fams.ran(m, rules, per, i, track)...)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := track.result(rules, per); err != nil {
		return nil, err
	}
	familyMerged := fams.finish(m, rules, per)
	ask.finish()
	res := &Result{}
	nf := 0
	for _, out := range per {
		if out != nil {
			nf += len(out.findings)
		}
	}
	res.Findings = make([]*model.Finding, 0, nf)
	for _, i := range order {
		if per[i] != nil {
			res.Findings = append(res.Findings, per[i].findings...)
			res.Slabs = append(res.Slabs, per[i].slabs...)
		}
	}
	if qs := ask.questions(familyMerged, !opt.Unworded, !opt.Unsorted, workers); len(qs) > 0 {
		res.Questions = qs
	}
	// Finding ids (rule:element) and question ids are unique, so an
	// unstable sort gives the same order as a stable one.
	if !sorted {
		var ids byID[*model.Finding]
		ids.sort(res.Findings, findingID)
	}
	return res, nil
}

// byRuleID returns the rules' indices ordered by id and a colon, the
// prefix of every id their findings have: no rule id contains a colon, so
// all of one rule's findings sort before or after all of another's, and the
// findings of the rules in this order, each rule's sorted, are sorted. It
// reports false when two rules share an id (their findings interleave).
func byRuleID(rules []*Rule) ([]int, bool) {
	order := make([]int, len(rules))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(rules[a].ID+":", rules[b].ID+":") })
	for k, i := range order {
		if strings.Contains(rules[i].ID, ":") || k > 0 && rules[i].ID == rules[order[k-1]].ID {
			return order, false
		}
	}
	return order, true
}

// scope lists the components and flows rules examine, found once per run
// rather than once per rule: at 100,000 components the flow rules alone
// would otherwise read both ends of every flow some fifty times.
type scope struct {
	components []*model.Component
	flows      []*model.Flow
}

// inScope returns m's components that are not out of scope and its flows
// with at least one end in scope, in model order.
func inScope(m *model.Model) *scope {
	s := &scope{components: make([]*model.Component, 0, len(m.Components)), flows: make([]*model.Flow, 0, len(m.Flows))}
	for _, c := range m.Components {
		if !c.OutOfScope {
			s.components = append(s.components, c)
		}
	}
	for _, f := range m.Flows {
		if !f.From.OutOfScope || !f.To.OutOfScope {
			s.flows = append(s.flows, f)
		}
	}
	return s
}

// runRule applies one rule to every element it examines. Its threats,
// strings and questions are cut first from room, what the worker's last
// rule left of its chunks (nil for none).
func runRule(m *model.Model, in *scope, r *Rule, shared *memo, track *tracker, mitigated bool, room *results) *results {
	out := &results{memo: shared}
	if room != nil {
		out.questions = room.questions
		clear(out.questions)
		out.slab, out.cats, out.tgts, out.strs, out.lists, out.asks, out.thr = room.slab, room.cats, room.tgts, room.strs, room.lists, room.asks, room.thr
	}
	if out.questions == nil {
		out.questions = map[qkey]*asked{}
	}
	if r.Check == nil {
		return out
	}
	x := &Ctx{Model: m, out: out, rule: r, memo: shared, track: track, mitigated: mitigated, scope: in, flow: -1}
	check := func(t model.Target) {
		if track.stopped() { // cancelled or over budget
			return
		}
		x.Target = t
		x.pending = x.pending[:0]
		n := len(out.findings)
		x.settled = false
		x.also = x.also[:0]
		x.enablesSet = false
		r.Check(x)
		if r.Origin == model.OriginCustom { // the catalogue's output is linear in the model's (bounded) size
			track.found(len(out.findings) - n)
		}
	}
	switch r.On {
	case OnComponent:
		for _, c := range in.components {
			check(model.Target{Component: c})
		}
	case OnFlow:
		for i, f := range in.flows {
			x.flow = i
			check(model.Target{Flow: f})
		}
		x.flow = -1
	case OnBoundary:
		for _, b := range m.Boundaries {
			check(model.Target{Boundary: b})
		}
	case OnAsset:
		for _, a := range m.Assets {
			check(model.Target{Asset: a})
		}
	case OnModel:
		check(model.Target{})
	}
	switch r.On {
	case OnFlow:
		mergeParallel(m, r, out)
	case OnComponent:
		mergeComponents(m, r, out)
	}
	return out
}

// Check validates a rule set: ids are kebab-case and unique, and every rule
// has what findings need.
func Check(rules []*Rule) error {
	seen := map[string]bool{}
	var errs []string
	for _, r := range rules {
		switch {
		case !IsID(r.ID):
			errs = append(errs, fmt.Sprintf("rule id %q is not kebab-case", r.ID))
		case seen[r.ID]:
			errs = append(errs, fmt.Sprintf("rule id %q is used twice", r.ID))
		case r.ID == model.PeopleRule:
			errs = append(errs, fmt.Sprintf("rule id %q is reserved for threats written by people", r.ID))
		}
		seen[r.ID] = true
		if r.Title == "" || r.Doc == "" || r.Category == "" || r.On == 0 || r.Check == nil {
			errs = append(errs, fmt.Sprintf("rule %q lacks a title, doc, category, element kind or check", r.ID))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid rules:\n%s", strings.Join(errs, "\n"))
	}
	return nil
}

// IsID reports whether s is a valid kebab-case rule id.
func IsID(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// And combines facts: Yes when all are Yes, No when any is No, else Unknown.
func And(ts ...model.Tri) model.Tri {
	out := model.Yes
	for _, t := range ts {
		switch t {
		case model.No:
			return model.No
		case model.Unknown:
			out = model.Unknown
		}
	}
	return out
}

// Bool turns a known fact into a Tri.
func Bool(b bool) model.Tri {
	if b {
		return model.Yes
	}
	return model.No
}

// hasDuplicate reports whether a threat is listed twice (short lists).
func hasDuplicate(ts []*model.Finding) bool {
	for i, t := range ts {
		if slices.Contains(ts[i+1:], t) {
			return true
		}
	}
	return false
}
