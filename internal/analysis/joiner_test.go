package analysis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestJoinerSame: joins into a threat that comes to name many targets
// (past joinScanMax, where joiner keeps them as a set) give the same
// targets, in the same order, and the same folds as join's scan.
func TestJoinerSame(t *testing.T) {
	comps := make([]*model.Component, 200)
	for i := range comps {
		comps[i] = &model.Component{ID: fmt.Sprint("c", i)}
	}
	threats := func() (*model.Finding, []*model.Finding) {
		keep := &model.Finding{ID: "keep", Rank: 1, Targets: []model.Target{{Component: comps[0]}, {Component: comps[0]}, {Component: comps[1]}}}
		var fs []*model.Finding
		for i := range 150 {
			// Each names a new component and one named before (a repeat).
			fs = append(fs, &model.Finding{ID: fmt.Sprint("f", i), Rank: 2, Status: model.StatusOpen,
				Targets: []model.Target{{Component: comps[(i*7)%len(comps)]}, {Component: comps[i/2]}}})
		}
		return keep, fs
	}
	want, wfs := threats()
	for _, f := range wfs {
		join(want, f)
	}
	got, gfs := threats()
	var jr joiner
	into := map[*model.Finding]*model.Finding{}
	for _, f := range gfs {
		jr.absorb(got, f, into)
	}
	if len(jr.sets) != 1 {
		t.Errorf("%d sets, want one (the keep's targets pass %d)", len(jr.sets), joinScanMax)
	}
	if !slices.Equal(got.Targets, want.Targets) {
		t.Errorf("targets differ:\n got %v\nwant %v", got.Targets, want.Targets)
	}
	if !slices.Equal(got.Folded, want.Folded) {
		t.Errorf("folds differ:\n got %v\nwant %v", got.Folded, want.Folded)
	}
	for i, f := range gfs {
		if f.Rank != 0 || into[f] != got || wfs[i].Rank != 0 {
			t.Fatalf("%s: rank %d, into %v", f.ID, f.Rank, into[f])
		}
	}
}
