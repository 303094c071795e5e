package analysis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// slabbed returns n threats cut from blocks of size per (the rules'
// slabs), with ids t0, t1 … and a reason each.
func slabbed(n, per int) ([][]model.Finding, []*model.Finding) {
	var slabs [][]model.Finding
	var all []*model.Finding
	for i := 0; i < n; i++ {
		if i%per == 0 {
			slabs = append(slabs, make([]model.Finding, per))
		}
		f := &slabs[len(slabs)-1][i%per]
		f.ID, f.Rationale = fmt.Sprintf("t%d", i), []string{fmt.Sprintf("why %d", i)}
		all = append(all, f)
	}
	return slabs, all
}

// TestCompactInMoves: the listed threats (in rank order, one not from the
// slabs) keep their values and ranks, the ones in the slabs fill the
// first slots in slab order, and the questions point at the new places.
func TestCompactInMoves(t *testing.T) {
	for _, workers := range []int{1, 2} {
		slabs, all := slabbed(10, 4)
		people := &model.Finding{ID: "p", Rationale: []string{}}
		fs := []*model.Finding{all[9], all[1], all[5], people, all[2]}
		for i, f := range fs {
			f.Rank = i + 1
		}
		q1 := &model.Question{ID: "q1", Threats: []*model.Finding{all[5], people}}
		q2 := &model.Question{ID: "q2", Threats: []*model.Finding{all[9]}}
		out := compactIn(slices.Clone(fs), []*model.Question{q1, q2}, slabs, workers)
		want := []string{"t9", "t1", "t5", "p", "t2"}
		for i, f := range out {
			if f.ID != want[i] || f.Rank != i+1 || len(f.Rationale) != 1 && f.ID != "p" {
				t.Fatalf("workers %d: threat %d = %s rank %d %q, want %s rank %d", workers, i, f.ID, f.Rank, f.Rationale, want[i], i+1)
			}
			if f.ID != "p" && f.Rationale[0] != "why "+f.ID[1:] {
				t.Fatalf("threat %s has reason %q", f.ID, f.Rationale)
			}
		}
		if out[3].Rationale == nil || len(out[3].Rationale) != 0 {
			t.Fatalf("the empty reasons became %#v", out[3].Rationale)
		}
		// Slab order: t1, t2, t5, t9 take the first four slots.
		for k, id := range []string{"t1", "t2", "t5", "t9"} {
			if slabs[0][k].ID != id {
				t.Fatalf("slot %d holds %q, want %s", k, slabs[0][k].ID, id)
			}
		}
		if out[1] != &slabs[0][0] || out[0] != &slabs[0][3] || out[3] == people {
			t.Fatal("threats not moved to the first slots, or the team's threat not copied")
		}
		if q1.Threats[0] != out[2] || q1.Threats[1] != out[3] || q2.Threats[0] != out[0] {
			t.Fatal("questions not pointed at the moved threats")
		}
	}
}

// TestCompactInStray: a question naming a threat that is not listed makes
// compactIn copy instead of moving (the stray's slot would be overwritten),
// and the stray keeps its values.
func TestCompactInStray(t *testing.T) {
	slabs, all := slabbed(6, 4)
	fs := []*model.Finding{all[5], all[1]}
	for i, f := range fs {
		f.Rank = i + 1
	}
	q := &model.Question{ID: "q", Threats: []*model.Finding{all[0], all[5]}}
	out := compactIn(slices.Clone(fs), []*model.Question{q}, slabs, 1)
	if out[0].ID != "t5" || out[1].ID != "t1" || out[0].Rank != 1 || out[1].Rank != 2 {
		t.Fatalf("listed %s %d, %s %d", out[0].ID, out[0].Rank, out[1].ID, out[1].Rank)
	}
	if out[1] == &slabs[0][0] || slabs[0][0].ID != "t0" || q.Threats[0] != all[0] || q.Threats[1] != out[0] {
		t.Fatal("a threat was moved over the stray, or the question not remapped")
	}
}

// TestCompactInSameAsCompact: on a list of 50,000 threats (chunks on the
// workers) with questions, moving gives the same threats, in order, as
// copying.
func TestCompactInSameAsCompact(t *testing.T) {
	mk := func() ([][]model.Finding, []*model.Finding, []*model.Question) {
		slabs, all := slabbed(80_000, 512)
		var fs []*model.Finding
		for i := 0; i < len(all); i += 1 + i%3 {
			fs = append(fs, all[(i*7919)%len(all)])
		}
		seen := map[*model.Finding]bool{}
		fs = slices.DeleteFunc(fs, func(f *model.Finding) bool { d := seen[f]; seen[f] = true; return d })
		var qs []*model.Question
		for i, f := range fs {
			f.Rank = i + 1
			if i%2 == 0 {
				qs = append(qs, &model.Question{ID: f.ID, Threats: []*model.Finding{f, fs[i/2]}})
			}
		}
		return slabs, fs, qs
	}
	slabs, fs, qs := mk()
	got := compactIn(fs, qs, slabs, 2)
	_, fs2, qs2 := mk()
	want := compact(fs2, qs2, 2)
	if len(got) != len(want) || len(got) < 20_000 {
		t.Fatalf("%d threats moved, %d copied", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Rank != want[i].Rank || !slices.Equal(got[i].Rationale, want[i].Rationale) {
			t.Fatalf("threat %d: %s %d, want %s %d", i, got[i].ID, got[i].Rank, want[i].ID, want[i].Rank)
		}
	}
	moved := make(map[*model.Finding]bool, len(got))
	for _, f := range got {
		moved[f] = true
	}
	for i := range qs {
		for j := range qs[i].Threats {
			if qs[i].Threats[j].ID != qs2[i].Threats[j].ID || !moved[qs[i].Threats[j]] {
				t.Fatalf("question %s threat %d differs", qs[i].ID, j)
			}
		}
	}
}
