package rule

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wardtm/ward/internal/model"
)

// asking merges the questions the rules asked into the run's list, one
// question per element and fact, in rule order: a question lists the rules
// that asked it in that order and the threats it settles rule by rule. Rule
// i's questions are merged as soon as the rules before it have been, by
// the worker that finds them ready, while the other workers run rules; so
// the merge is not left until every rule has run.
type asking struct {
	mu    sync.Mutex
	next  atomic.Int32  // the next rule to merge
	ready []atomic.Bool // per rule, its results are final (its family merged)
	per   []*results
	rules []*Rule
	// A question is found by its element and fact, not by its id (the
	// element's id and the fact's name): ids are unique across a model,
	// so the two name the same questions, and two words hash faster than
	// an id.
	byKey map[qkey]int32
	list  []*model.Question
	asks  []*asked // per question, the fact it is worded from
	famN  []int32  // per question, how many family rules asked it
	inFam []bool   // per rule, whether it has the id of a family rule
	// qslab and rslab are room for the next questions and their first
	// asking rule: a run asks 10,000s of questions, allocated in chunks.
	qslab []model.Question
	rslab []string
}

// questionChunk is how many questions a slab allocation holds at most.
const questionChunk = 512

// newAsking prepares the merge of the questions of rules into per; hint is
// about how many questions to expect.
func newAsking(rules []*Rule, per []*results, hint int) *asking {
	fam := map[string]bool{}
	for _, r := range rules {
		if r.Family != "" {
			fam[r.ID] = true
		}
	}
	// The lists sized once: grown by append, the three took ≈ 8 MB at
	// 10,000 components (81,000 questions) for ≈ 1.6 MB kept.
	a := &asking{ready: make([]atomic.Bool, len(rules)), per: per, rules: rules,
		byKey: make(map[qkey]int32, hint), inFam: make([]bool, len(rules)),
		list: make([]*model.Question, 0, hint*3/2), asks: make([]*asked, 0, hint*3/2), famN: make([]int32, 0, hint*3/2)}
	for i, r := range rules {
		a.inFam[i] = fam[r.ID]
	}
	return a
}

// done records that the results of rules is are final, and merges what is
// ready unless another worker is merging (it then merges them too).
func (a *asking) done(is ...int) {
	for _, i := range is {
		a.ready[i].Store(true)
	}
	for a.waiting() && a.mu.TryLock() {
		n := int(a.next.Load())
		for ; n < len(a.ready) && a.ready[n].Load(); n++ {
			a.merge(n)
		}
		a.next.Store(int32(n))
		a.mu.Unlock()
		// A rule made ready while the lock was held (its worker's TryLock
		// failed) is merged on the next round.
	}
}

// waiting reports whether the next rule to merge is ready.
func (a *asking) waiting() bool {
	n := int(a.next.Load())
	return n < len(a.ready) && a.ready[n].Load()
}

// finish merges the rest, once the workers are done: every rule that ran.
func (a *asking) finish() {
	for i := range a.ready {
		a.ready[i].Store(true)
	}
	a.done()
}

// merge adds rule i's questions.
func (a *asking) merge(i int) {
	out := a.per[i]
	if out == nil {
		return
	}
	id := a.rules[i].ID
	for _, x := range out.qorder {
		k := qkeyOf(x.p)
		if n, ok := a.byKey[k]; ok {
			have := a.list[n]
			have.Rules = append(have.Rules, id)
			have.Threats = append(have.Threats, x.threats...)
			if a.inFam[i] {
				a.famN[n]++
			}
			continue
		}
		p := x.p
		a.byKey[k] = int32(len(a.list))
		if len(a.qslab) == 0 {
			n := min(questionChunk, max(16, len(a.list))) // small models, small chunks
			a.qslab, a.rslab = make([]model.Question, n), make([]string, n)
		}
		q, rules := &a.qslab[0], a.rslab[:1:1] // capped: a second rule's append copies
		a.qslab, a.rslab = a.qslab[1:], a.rslab[1:]
		rules[0] = id
		*q = model.Question{ID: x.id, Key: p.key, Control: p.ctl, Target: p.target, Pos: p.target.Pos(),
			Rules: rules, Threats: x.threats}
		a.list = append(a.list, q)
		a.asks = append(a.asks, x)
		n := int32(0)
		if a.inFam[i] {
			n = 1
		}
		a.famN = append(a.famN, n)
	}
}

// questions returns the merged questions, worded (when word is set) and
// sorted by id (when sort is set). When families merged threats, a
// question two rules of a family asked may list one merged threat twice:
// it is listed once.
func (a *asking) questions(familyMerged, word, sort bool, workers int) []*model.Question {
	qs := a.list
	if familyMerged {
		for n, q := range qs {
			if a.famN[n] > 1 && hasDuplicate(q.Threats) {
				ts := q.Threats[:0:0]
				for _, t := range q.Threats {
					if !slices.Contains(ts, t) {
						ts = append(ts, t)
					}
				}
				q.Threats = ts
			}
		}
	}
	if word {
		wordQuestions(qs, a.asks)
	}
	if sort {
		sortByID(qs, workers)
	}
	return qs
}

// SortQuestions sorts questions by id, as RunWith returns them unless
// Options.Unsorted is set, on up to workers cores.
func SortQuestions(qs []*model.Question, workers int) {
	sortByID(qs, workers)
}

// sortByID sorts questions by id, the two halves of a long list on two
// cores. Question ids are unique, so an unstable sort gives the same order
// as a stable one.
func sortByID(qs []*model.Question, workers int) {
	cmp := func(a, b *model.Question) int { return strings.Compare(a.ID, b.ID) }
	if workers < 2 || len(qs) < sortSplitMin {
		var ids byID[*model.Question]
		ids.sort(qs, questionID)
		return
	}
	lo, hi := qs[:len(qs)/2], qs[len(qs)/2:]
	var wg sync.WaitGroup
	wg.Go(func() {
		var ids byID[*model.Question]
		ids.sort(hi, questionID)
	})
	var ids byID[*model.Question]
	ids.sort(lo, questionID)
	wg.Wait()
	l := slices.Clone(lo)
	k, j := 0, 0
	for k < len(l) && j < len(hi) {
		if cmp(hi[j], l[k]) < 0 {
			qs[k+j] = hi[j]
			j++
		} else {
			qs[k+j] = l[k]
			k++
		}
	}
	copy(qs[k+j:], l[k:]) // what is left of hi is in place
}

// sortSplitMin is the least number of questions sorted on two cores.
const sortSplitMin = 20_000
