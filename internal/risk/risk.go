// Package risk scores findings by business risk and decides where each
// stands. Likelihood (1–5) comes from exposure: how untrusted the places are
// that can reach the element, whether the way in is authenticated, and how easy
// the attack is; a store of critically confidential data is a target sought
// out, possible at least; a threat of moderate impact (3) counts possible
// at most, so it is medium at most, however exposed. Impact (1–5) comes from the most sensitive asset at
// stake and its need for the property the threat is against (for elevation of
// privilege the larger of confidentiality and integrity; for repudiation one
// step below the integrity need; its business value as a floor). Score = likelihood × impact (1–25), banded into critical (≥ 20), high
// (≥ 12), medium (≥ 6), low (≥ 3) and info. Residual risk counts implemented or
// verified mitigations, and for an unverified threat (control unknown) an
// uncertainty factor; projected risk counts planned mitigations too. See
// docs/risk.md.
package risk

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// Band maps a score (1–25) to a severity.
func Band(score int) model.Severity {
	switch {
	case score >= 20:
		return model.SevCritical
	case score >= 12:
		return model.SevHigh
	case score >= 6:
		return model.SevMedium
	case score >= 3:
		return model.SevLow
	case score >= 1:
		return model.SevInfo
	}
	return model.SevNone
}

// Make returns the risk of a likelihood and an impact.
func Make(l model.Likelihood, i model.Impact) model.Risk {
	l = model.Likelihood(clamp(int(l)))
	i = model.Impact(clamp(int(i)))
	s := int(l) * int(i)
	return model.Risk{Likelihood: l, Impact: i, Score: int32(s), Severity: Band(s)}
}

func clamp(v int) int { return max(1, min(5, v)) }

// DefaultUncertainty is how many likelihood steps an unverified threat's
// residual risk sits below the same threat with the gap stated: a stated gap
// outranks an equal unknown one, an unknown critical one still ranks high.
const DefaultUncertainty = 1

// Options tune Assess.
type Options struct {
	// Now is the date used to expire acceptances.
	Now time.Time
	// Uncertainty is how many likelihood steps (1–4) an unverified threat's
	// residual risk is lowered by; 0 means DefaultUncertainty and a negative
	// value means none (unknown ranks like a stated gap).
	Uncertainty int
	// Relay says whether a component forwards requests without owning the
	// objects behind them (a CDN, WAF, proxy or gateway); the components
	// behind it are then exposed to whatever reaches it. Nil: no relays.
	Relay func(*model.Component) bool
}

// Assess scores every finding, applies decisions, mitigations and
// assumptions, and ranks the findings: open first, then by residual score
// and, within a severity band, the data within reach (Rank).
// It returns warnings for decisions and assumptions that point at findings
// that no longer exist.
func Assess(m *model.Model, findings []*model.Finding, opt Options) []Warning {
	warns, _ := AssessRanking(m, findings, opt)
	return warns
}

// AssessRanking is Assess, also returning the ranking it gave the
// findings, for ranking them again after a step removes some of them
// (Ranking.Rerank).
func AssessRanking(m *model.Model, findings []*model.Finding, opt Options) ([]Warning, *Ranking) {
	var warns []Warning
	decisions := map[string]*model.Decision{}
	for _, d := range m.Decisions {
		decisions[d.Finding] = d
	}
	// Which decision and assumption ids match a finding, by its id or an
	// alias (a weakness split into one threat per STRIDE category, a threat
	// moved to another element): looked up in the small sets of ids the
	// model names rather than indexing every finding.
	named := map[string]bool{}
	var maybe idFilter // named's ids, and so decisions' (hashed only when they may match)
	for _, d := range m.Decisions {
		named[d.Finding] = false
		maybe.add(d.Finding)
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			named[s] = false
			maybe.add(s)
		}
	}
	if len(named) > 0 {
		// Each finding's ids are hashed on the workers (named is only
		// read there: the zone-wide threats carry hundreds of aliases);
		// the few ids found are marked here.
		var mu sync.Mutex
		var found []string
		inChunks(len(findings), func(lo, hi int) {
			var got []string
			for _, f := range findings[lo:hi] {
				if maybe.may(f.ID) {
					if _, ok := named[f.ID]; ok {
						got = append(got, f.ID)
					}
				}
				for _, a := range f.Aliases {
					if !maybe.may(a) {
						continue
					}
					if _, ok := named[a]; ok {
						got = append(got, a)
					}
				}
			}
			if len(got) > 0 {
				mu.Lock()
				found = append(found, got...)
				mu.Unlock()
			}
		})
		for _, id := range found {
			named[id] = true
		}
	}
	var stale []string
	for _, d := range m.Decisions {
		if !named[d.Finding] {
			stale = append(stale, d.Finding)
		}
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			if strings.Contains(s, ":") && !named[s] {
				stale = append(stale, s)
			}
		}
	}
	sugg := &suggester{fs: findings, want: stale}
	for _, d := range m.Decisions {
		if !named[d.Finding] {
			warns = append(warns, Warning{Pos: d.Pos, Msg: fmt.Sprintf("decision for finding %q matches no finding", d.Finding),
				Hint: sugg.suggest(d.Finding)})
		}
	}
	// Invalidated assumptions: what they held up.
	broken := map[string]*model.Assumption{}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			if a.Status == model.AssumptionInvalidated {
				broken[s] = a
			}
			if strings.Contains(s, ":") && !named[s] {
				warns = append(warns, Warning{Pos: a.Pos, Msg: fmt.Sprintf("assumption %q supports finding %q, which does not exist", a.ID, s),
					Hint: sugg.suggest(s)})
			}
		}
	}
	unc := opt.Uncertainty
	switch {
	case unc == 0:
		unc = DefaultUncertainty
	case unc < 0:
		unc = 0
	}
	unc = min(unc, 4)
	// Each finding is scored on its own (scoreAll): on all cores, each
	// worker with its own explainer. The data within reach of each element
	// is worked out once, before (read-only while scoring).
	within := reachOf(m)
	guessed := needsGuessed(m)
	scoreAll(findings, func(ex *explainer, f *model.Finding) {
		f.Reach, f.Focus = within.share(f), within.focus(f)
		if guessed {
			f.Focus |= sparseFlow(f)
		}
		var d *model.Decision
		if len(decisions) > 0 {
			if maybe.may(f.ID) {
				d = decisions[f.ID]
			}
			for i := 0; d == nil && i < len(f.Aliases); i++ {
				if maybe.may(f.Aliases[i]) {
					d = decisions[f.Aliases[i]]
				}
			}
		}
		score(ex, f, d, broken, opt.Now, unc)
	}, func() *explainer {
		return &explainer{m: m, guessed: guessed, impacts: map[impactKey]string{}, stakes: map[stakeKey]stake{}, reach: map[*model.Component]string{}, relay: &relays{m: m, is: opt.Relay}}
	})
	return warns, NewRanking(findings)
}

// Warning is a problem found while assessing, pointing at the model.
type Warning struct {
	Pos  model.Pos
	Msg  string
	Hint string
}

// suggester finds current findings with the same rule or element as a
// finding id that matches nothing. It indexes, in one pass over the
// findings, the first five findings of each rule and element that the stale
// ids name (want, given up front; an id asked about later is added and the
// findings scanned again), so many stale decisions cost O(findings +
// decisions), not their product, and nothing is kept per finding.
type suggester struct {
	fs       []*model.Finding
	want     []string
	byRule   map[string][]int
	byTarget map[string][]int
}

func (s *suggester) suggest(id string) string {
	rule, target, _ := strings.Cut(id, ":")
	_, okR := s.byRule[rule]
	_, okT := s.byTarget[target]
	if !okR || !okT {
		if s.byRule == nil {
			s.byRule, s.byTarget = map[string][]int{}, map[string][]int{}
			for _, w := range s.want {
				r, t, _ := strings.Cut(w, ":")
				s.byRule[r], s.byTarget[t] = nil, nil
			}
		}
		s.byRule[rule], s.byTarget[target] = nil, nil
		for k := range s.byRule {
			s.byRule[k] = s.byRule[k][:0]
		}
		for k := range s.byTarget {
			s.byTarget[k] = s.byTarget[k][:0]
		}
		s.scan()
	}
	// Merge the two ascending index lists, in finding order, without repeats.
	a, b := s.byRule[rule], s.byTarget[target]
	var same []string
	for len(same) < 5 && (len(a) > 0 || len(b) > 0) {
		var i int
		switch {
		case len(b) == 0 || len(a) > 0 && a[0] < b[0]:
			i, a = a[0], a[1:]
		case len(a) == 0 || b[0] < a[0]:
			i, b = b[0], b[1:]
		default: // the same finding in both
			i, a, b = a[0], a[1:], b[1:]
		}
		same = append(same, s.fs[i].ID)
	}
	if len(same) == 0 {
		return "the finding is gone (fixed, renamed or out of scope): remove the decision, or check `ward check --format json` for current ids"
	}
	return "current findings with the same rule or element: " + strings.Join(same, ", ")
}

// scan indexes the first five findings of each rule and element in
// byRule and byTarget (whose lists are empty). At 10,000s of findings the
// list is split into parts on GOMAXPROCS goroutines, each noting the
// first five of its part (the maps are only read), and the parts' notes
// are taken in order.
func (s *suggester) scan() {
	type hit struct {
		rule bool
		key  string
		i    int
	}
	parts := 1
	if len(s.fs) >= splitMin {
		parts = max(1, runtime.GOMAXPROCS(0))
	}
	per := (len(s.fs) + parts - 1) / parts
	hits := make([][]hit, parts)
	part := func(p int) {
		var out []hit
		n := map[hit]int{}
		for i := p * per; i < min(len(s.fs), (p+1)*per); i++ {
			r, t, _ := strings.Cut(s.fs[i].ID, ":")
			if _, ok := s.byRule[r]; ok && n[hit{rule: true, key: r}] < 5 {
				n[hit{rule: true, key: r}]++
				out = append(out, hit{true, r, i})
			}
			if _, ok := s.byTarget[t]; ok && n[hit{key: t}] < 5 {
				n[hit{key: t}]++
				out = append(out, hit{false, t, i})
			}
		}
		hits[p] = out
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { part(p) })
	}
	part(0)
	wg.Wait()
	for _, hs := range hits {
		for _, h := range hs {
			m := s.byTarget
			if h.rule {
				m = s.byRule
			}
			if l := m[h.key]; len(l) < 5 {
				m[h.key] = append(l, h.i)
			}
		}
	}
}

// explainer scores findings and words their rationale, sharing the
// strings that repeat across findings (a model of thousands of elements
// says "reachable from the internet through X" many times).
type explainer struct {
	m       *model.Model
	guessed bool // needsGuessed(m), read once per run
	impacts map[impactKey]string
	stakes  map[stakeKey]stake
	reach   map[*model.Component]string
	relay   *relays
	// whys is room for the findings' reasons (keepWhy); scratch is the
	// list score builds them in.
	whys, scratch []string
}

type impactKey struct {
	which string
	i     model.Impact
	prop  model.Property
	// rep is set for repudiation and gathered for a threat gathering what
	// callers are shown, each worded with its step (impactWhy).
	rep, gathered bool
}

func (ex *explainer) impactOf(f *model.Finding) (model.Impact, string) {
	i, which, prop := impactMemo(ex.m, f, ex.stakes, ex.guessed)
	if which == "" {
		return i, impactReason(ex.m, f, i, which, prop, ex.guessed)
	}
	k := impactKey{which, i, prop, f.Category == model.Repudiation, gathered(f)}
	s, ok := ex.impacts[k]
	if !ok {
		s = impactWhy(f, i, which, prop, ex.guessed)
		ex.impacts[k] = s
	}
	return i, s
}

func score(ex *explainer, f *model.Finding, d *model.Decision, broken map[string]*model.Assumption, now time.Time, unc int) {
	var lwhy []string
	l, i := model.Likelihood(0), model.Impact(0)
	if f.Threat != nil {
		l, i = f.Threat.Likelihood, f.Threat.Impact
	}
	f.Start = model.TrustUnset
	if l == 0 {
		l, lwhy, f.Start = likelihoodStart(f, true, ex.reach, ex.relay, ex.scratch)
	} else {
		lwhy = []string{"likelihood stated in the model"}
	}
	var iwhy string
	if i == 0 {
		i, iwhy = ex.impactOf(f)
	} else {
		iwhy = "impact stated in the model"
	}
	computed := f.Threat == nil || f.Threat.Likelihood == 0
	// A store whose disclosure is severe is a target sought out: possible
	// at least, and the uncertainty factor does not lower it below that.
	sought := soughtStore(f, i) && computed
	if sought && l < soughtLikelihood {
		l = soughtLikelihood
		why := soughtWhy
		if i < 5 {
			why = soughtGuessWhy
		}
		lwhy = append(lwhy, why)
	}
	// A parser's code-execution foothold in a worker reading every
	// tenant's files is sought out the same way (parserFoothold).
	if !sought && parserFoothold(f, i) && computed {
		sought = true
		if l < soughtLikelihood {
			l = soughtLikelihood
			lwhy = append(lwhy, parserWhy)
		}
	}
	// Staff reading beyond their need: possible at least where what they
	// read is critical; otherwise exposure decides (heldReads).
	held := heldAccess(f) && (!heldReads(f) || i >= heldReadImpact)
	if heldReads(f) && computed {
		switch {
		case i >= heldReadImpact && l < heldAccessLikelihood:
			l = heldAccessLikelihood
			lwhy = append(lwhy, heldWhy)
		case i < heldReadImpact && l < heldAccessLikelihood:
			lwhy = append(lwhy, heldReadWhy)
		}
	}
	// A stated excess privilege: possible at least (statedPrivilege).
	if computed && statedPrivilege(f) && l < statedPrivilegeLikelihood {
		l = statedPrivilegeLikelihood
		lwhy = append(lwhy, statedPrivilegeWhy)
	}
	// A moderate stake is medium at most, however exposed (moderate).
	if i == moderateImpact && l > moderateLikelihood && computed && !ab.moderate {
		l = moderateLikelihood
		lwhy = append(lwhy, moderateWhy)
	}
	f.Rationale = append(lwhy, iwhy)
	f.Inherent = Make(l, i)

	// Status from the decision, the threat or the controls (a generated
	// threat arrives open, unverified or mitigated).
	status, expires := model.StatusOpen, model.Date{}
	if f.Threat == nil && f.Status != "" {
		status = f.Status
	}
	switch {
	case d != nil:
		status, expires = d.Status, d.Expires
		f.Decision = d
		f.Mitigations = d.Mitigations
	case f.Threat != nil:
		status, expires = f.Threat.Status, f.Threat.Expires
		f.Mitigations = f.Threat.Mitigations
	}
	// Which mitigations count: an invalidated assumption under a mitigation
	// means it cannot be relied on.
	var done, planned []*model.Mitigation
	for _, mi := range f.Mitigations {
		if broken[mi.ID] != nil {
			continue
		}
		if mi.Status.Done() {
			done = append(done, mi)
		}
		if mi.Status.Planned() {
			planned = append(planned, mi)
		}
	}
	f.Residual = reduce(f.Inherent, done)
	f.Projected = reduce(f.Inherent, planned)
	if status == "" {
		status = model.StatusOpen
		if len(f.Mitigations) > 0 && len(done) == len(f.Mitigations) {
			status = model.StatusMitigated
		}
	}
	if status == model.StatusMitigated && d != nil && len(f.Mitigations) > len(done) {
		// A decision cannot call a finding mitigated while its linked
		// mitigations are not in place.
		for _, mi := range f.Mitigations {
			if a := broken[mi.ID]; a != nil {
				status = model.StatusOpen
				f.Reopened = fmt.Sprintf("assumption %s was invalidated: %s", a.ID, a.Text)
				break
			}
			if !mi.Status.Done() {
				status = model.StatusOpen
				f.Reopened = fmt.Sprintf("the decision says mitigated, but mitigation %s is %s", mi.ID, mi.Status)
				break
			}
		}
	}
	if status == model.StatusAccepted && !expires.IsZero() && !now.Before(expires.AddDate(0, 0, 1)) {
		status = model.StatusOpen
		f.Reopened = fmt.Sprintf("the acceptance expired on %s", expires)
	}
	if status == model.StatusMitigated && d == nil && f.Threat == nil && len(f.Mitigations) == 0 {
		// A control stated present counts like an implemented mitigation.
		ctl := []*model.Mitigation{{ReducesLikelihood: 2}}
		f.Residual, f.Projected = reduce(f.Inherent, ctl), reduce(f.Inherent, ctl)
	}
	if status == model.StatusUnverified {
		// Not known to be mitigated: the same threat with the gap stated
		// ranks above it.
		floor := model.Likelihood(2)
		if held {
			floor = heldAccessLikelihood
		}
		if sought {
			floor = soughtLikelihood
		}
		f.Residual = Make(uncertain(f.Residual.Likelihood, unc, floor), f.Residual.Impact)
		f.Projected = Make(uncertain(f.Projected.Likelihood, unc, floor), f.Projected.Impact)
		if unc > 0 {
			f.Rationale = append(f.Rationale, "not known to be mitigated: the model leaves the control unknown")
		}
	}
	// The reasons were built in the scratch list (reused for the next
	// finding): kept at their length, a finding's reasons take ≈ 3 slots
	// where a list with room for the appends took 7 + n.
	ex.scratch, f.Rationale = f.Rationale[:0], keepWhy(&ex.whys, f.Rationale)
	if status != model.StatusOpen && status != model.StatusUnverified {
		if a := reopener(f, broken); a != nil {
			status = model.StatusOpen
			f.Reopened = fmt.Sprintf("assumption %s was invalidated: %s", a.ID, a.Text)
		}
	}
	f.Status = status
}

// uncertain lowers a likelihood by unc steps for a threat whose control is
// unknown, but not below floor: unlikely, for a threat whose precondition
// holds is not made rare by the model's silence; possible for a threat of
// held access, whose attacker does not have to get through anything the
// model leaves unknown. At equal ranking value an open threat still ranks
// first (Rank).
func uncertain(l model.Likelihood, unc int, floor model.Likelihood) model.Likelihood {
	if unc == 0 || l <= floor || ab.uncert {
		return l
	}
	return max(floor, model.Likelihood(max(1, int(l)-unc)))
}

// reopener returns the invalidated assumption that held up the finding, its
// threat, one of its mitigations or one of its elements.
func reopener(f *model.Finding, broken map[string]*model.Assumption) *model.Assumption {
	if len(broken) == 0 {
		return nil
	}
	if a := broken[f.ID]; a != nil {
		return a
	}
	for _, mi := range f.Mitigations {
		if a := broken[mi.ID]; a != nil {
			return a
		}
	}
	for _, t := range f.Targets {
		if a := broken[t.ID()]; a != nil {
			return a
		}
	}
	return nil
}

func reduce(r model.Risk, ms []*model.Mitigation) model.Risk {
	dl, di := 0, 0
	for _, m := range ms {
		dl += m.ReducesLikelihood
		di += m.ReducesImpact
	}
	if dl == 0 && di == 0 {
		return r
	}
	// Clamp in int: the scales are unsigned and must not wrap below rare.
	return Make(model.Likelihood(clamp(int(r.Likelihood)-min(dl, 4))), model.Impact(clamp(int(r.Impact)-min(di, 2))))
}

// AtStake sets each question's AtStake to the worst inherent severity of the
// unverified threats its answer settles, and Moves to how much risk the
// answer would move (the sum of their inherent scores, counting only
// threats still unverified after decisions). It sorts the questions by
// Moves, then AtStake, and marks the first ones to answer: at most one per
// element and first limit overall (0 means one per element of the model).
func AtStake(m *model.Model, qs []*model.Question) {
	inChunks(len(qs), func(lo, hi int) {
		for _, q := range qs[lo:hi] {
			q.AtStake, q.Moves = model.SevNone, 0
			for _, f := range q.Threats {
				if s := f.Inherent.Severity; s > q.AtStake {
					q.AtStake = s
				}
				if f.Unverified() {
					q.Moves += int(f.Inherent.Score)
				}
			}
		}
	})
	sortQuestions(qs)
	// Answer these first: the questions moving the most risk, one per
	// element, about one for every three elements of the model.
	limit := max(3, (len(m.Components)+len(m.Flows))/3)
	// The questions' element ids (a cache miss each) are read on the
	// workers; the first per element is chosen here, in order.
	ids := make([]string, len(qs))
	inChunks(len(qs), func(lo, hi int) {
		for i, q := range qs[lo:hi] {
			q.First = false
			if q.Moves > 0 {
				ids[lo+i] = q.Target.ID()
			}
		}
	})
	seen := map[string]bool{}
	n := 0
	for i, q := range qs {
		if n < limit && q.Moves > 0 && !seen[ids[i]] {
			seen[ids[i]] = true
			q.First = true
			n++
		}
	}
}

// sortQuestions orders questions by Moves, then AtStake (highest first),
// then id, keeping the order of equals.
func sortQuestions(qs []*model.Question) {
	byID := func(a, b *model.Question) int { return strings.Compare(a.ID, b.ID) }
	if slices.IsSortedFunc(qs, byID) {
		// The rules' questions arrive in id order: a stable counting sort
		// by the two keys, which take few values, places them.
		type key struct {
			moves   int
			atStake model.Severity
		}
		count := map[key]int{}
		for _, q := range qs {
			count[key{q.Moves, q.AtStake}]++
		}
		distinct := make([]key, 0, len(count))
		for k := range count {
			distinct = append(distinct, k)
		}
		slices.SortFunc(distinct, func(a, b key) int {
			if c := cmp.Compare(b.moves, a.moves); c != 0 {
				return c
			}
			return cmp.Compare(b.atStake, a.atStake)
		})
		at := 0
		for _, k := range distinct {
			at, count[k] = at+count[k], at
		}
		sorted := make([]*model.Question, len(qs))
		for _, q := range qs {
			k := key{q.Moves, q.AtStake}
			sorted[count[k]] = q
			count[k]++
		}
		copy(qs, sorted)
		return
	}
	// Sorted with the keys beside the questions, not behind their
	// pointers, and by place last, which makes an unstable sort (faster
	// than a stable one) give the stable order: the lists run to
	// 100,000s of questions.
	type keyed struct {
		moves   int
		atStake model.Severity
		id      string
		at      int
		q       *model.Question
	}
	ks := make([]keyed, len(qs))
	for i, q := range qs {
		ks[i] = keyed{q.Moves, q.AtStake, q.ID, i, q}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(b.moves, a.moves); c != 0 {
			return c
		}
		if c := cmp.Compare(b.atStake, a.atStake); c != 0 {
			return c
		}
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	for i, k := range ks {
		qs[i] = k.q
	}
}

// touchData reports whether any of f's elements handles the model's data
// (Component.TouchesData, Flow.TouchesData); an asset, boundary or
// model-level target counts as touching it.
func touchData(f *model.Finding) bool {
	for _, t := range f.Targets {
		switch {
		case t.Flow != nil:
			if t.Flow.TouchesData() {
				return true
			}
		case t.Component != nil:
			if t.Component.TouchesData() {
				return true
			}
		default:
			return true
		}
	}
	return false
}
