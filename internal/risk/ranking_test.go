package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestRankingMatchesReference checks Rank, and Rerank after removing
// threats, against a plain reference ranking (maps keyed by target and
// rule, a comparison sort) on random lists: numbering elements and rules
// and ranking again from the kept order must not move any threat.
func TestRankingMatchesReference(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 1))
		fs := randomFindings(r)
		want := cloneFindings(fs)
		referenceRank(want)

		got := cloneFindings(fs)
		ranking := NewRanking(got)
		if d := rankDiff(got, want); d != "" {
			t.Fatalf("seed %d: Rank differs from the reference: %s", seed, d)
		}
		// Two steps remove threats (rank 0), as the cap and the fold do.
		for step := range 2 {
			kept := got[:0]
			for _, f := range got {
				if r.IntN(3) == 0 {
					f.Rank = 0
				} else {
					kept = append(kept, f)
				}
			}
			got = kept
			ranking.Rerank(got)
			want = cloneFindings(got)
			slices.SortStableFunc(want, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) })
			referenceRank(want)
			if d := rankDiff(got, want); d != "" {
				t.Fatalf("seed %d, step %d: Rerank differs from ranking the kept threats: %s", seed, step, d)
			}
		}
	}
}

func randomFindings(r *rand.Rand) []*model.Finding {
	comps := make([]*model.Component, 6)
	for i := range comps {
		comps[i] = &model.Component{ID: fmt.Sprintf("c%d", i)}
	}
	flows := []*model.Flow{{ID: "f0", From: comps[0], To: comps[1]}, {ID: "f1", From: comps[2], To: comps[3]}}
	statuses := []model.Status{model.StatusOpen, model.StatusUnverified, model.StatusMitigated, model.StatusAccepted}
	n := 1 + r.IntN(60)
	fs := make([]*model.Finding, 0, n)
	for i := range n {
		f := &model.Finding{
			Rule:     fmt.Sprintf("r%d", r.IntN(5)),
			Category: model.Categories[r.IntN(len(model.Categories))],
			Status:   statuses[r.IntN(len(statuses))],
			Inherent: Make(model.Likelihood(1+r.IntN(5)), model.Impact(1+r.IntN(5))),
			Residual: Make(model.Likelihood(1+r.IntN(5)), model.Impact(1+r.IntN(5))),
		}
		switch r.IntN(4) {
		case 0:
			f.Targets = []model.Target{{Flow: flows[r.IntN(len(flows))]}}
		case 1:
			// no target: a model-level threat
		default:
			f.Targets = []model.Target{{Component: comps[r.IntN(len(comps))]}}
		}
		if r.IntN(5) == 0 {
			f.Origin = model.OriginPeople
			f.Rule = model.PeopleRule
		}
		if r.IntN(4) == 0 {
			f.Aliases = []string{"x"}
		}
		f.ID = fmt.Sprintf("%s:%03d", f.Rule, i)
		fs = append(fs, f)
	}
	r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	return fs
}

func cloneFindings(fs []*model.Finding) []*model.Finding {
	out := make([]*model.Finding, len(fs))
	for i, f := range fs {
		c := *f
		out[i] = &c
	}
	return out
}

func rankDiff(got, want []*model.Finding) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d threats, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Rank != want[i].Rank {
			return fmt.Sprintf("place %d: %s (rank %d), want %s (rank %d)", i+1, got[i].ID, got[i].Rank, want[i].ID, want[i].Rank)
		}
	}
	return ""
}

// referenceRank is the ranking as first written: a stable sort by id and
// by rank key, then the spread with maps keyed by target and rule.
func referenceRank(fs []*model.Finding) {
	slices.SortStableFunc(fs, func(a, b *model.Finding) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Pos.String(), b.Pos.String())
	})
	slices.SortStableFunc(fs, func(a, b *model.Finding) int {
		ka, kb := rankKey(a), rankKey(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	same := func(a, b *model.Finding) bool {
		return a.Active() == b.Active() && a.Open() == b.Open() && a.Residual.Severity == b.Residual.Severity
	}
	type pair struct {
		t   model.Target
		cat model.Category
	}
	pairs := map[pair]bool{}
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && same(fs[i], fs[j]) {
			j++
		}
		run := fs[i:j]
		if len(run) > 2 {
			seen := map[model.Target]int{}
			rules := map[string]int{}
			round := map[*model.Finding]int{}
			top := run[0].Residual.Score
			for _, f := range run {
				var id model.Target
				if len(f.Targets) > 0 {
					id = f.Targets[0]
				}
				round[f] = seen[id] + rules[f.Rule] + (top-f.Residual.Score)/scoreRound
				if len(f.Aliases) > 0 && f.Origin != model.OriginPeople {
					round[f]++
				}
				seen[id]++
				if f.Origin != model.OriginPeople {
					rules[f.Rule]++
				}
			}
			slices.SortStableFunc(run, func(a, b *model.Finding) int { return round[a] - round[b] })
		}
		if run[0].Active() {
			var firsts, repeats []*model.Finding
			for _, f := range run {
				var t model.Target
				if len(f.Targets) > 0 {
					t = f.Targets[0]
				}
				if p := (pair{t, f.Category}); pairs[p] {
					repeats = append(repeats, f)
				} else {
					pairs[p] = true
					firsts = append(firsts, f)
				}
			}
			copy(run, append(firsts, repeats...))
		}
		i = j
	}
	for i, f := range fs {
		f.Rank = i + 1
	}
}

// TestElements: elements are numbered in the order first added, whatever
// kind of target names them.
func TestElements(t *testing.T) {
	c := &model.Component{ID: "c"}
	f := &model.Flow{ID: "f"}
	b := &model.Boundary{ID: "b"}
	targets := []model.Target{{Component: c}, {Flow: f}, {}, {Boundary: b}, {Component: c, Flow: f}}
	var e Elements
	for i, tg := range targets {
		if _, ok := e.Get(tg); ok {
			t.Errorf("%v numbered before it was added", tg)
		}
		if n := e.Add(tg); n != i {
			t.Errorf("Add(%v) = %d, want %d", tg, n, i)
		}
	}
	for i, tg := range targets {
		if n, ok := e.Get(tg); !ok || n != i || e.Add(tg) != i {
			t.Errorf("Get(%v) = %d, %v, want %d", tg, n, ok, i)
		}
	}
	if e.Len() != len(targets) {
		t.Errorf("Len() = %d, want %d", e.Len(), len(targets))
	}
}
