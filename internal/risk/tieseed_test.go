package risk

import (
	"fmt"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestTieSeedReordersOnlyTies checks the measurement hook: with a seed,
// the ranking still lists the active threats first and by residual band
// (a shuffle of ties moves no threat across a band), it is the same for
// the same seed, and without one (every normal build) nothing changes.
func TestTieSeedReordersOnlyTies(t *testing.T) {
	defer func(s uint64) { tieSeed = s }(tieSeed)
	moved := false
	for seed := range uint64(50) {
		fs := tiedFindings()
		tieSeed = 0
		plain := cloneFindings(fs)
		Rank(plain)
		tieSeed = 1 + seed
		a, b := cloneFindings(fs), cloneFindings(fs)
		Rank(a)
		Rank(b)
		for i := range a {
			if a[i].ID != b[i].ID || a[i].Pos != b[i].Pos {
				t.Fatalf("seed %d: two rankings with one tie seed differ at %d", seed, i+1)
			}
			if a[i].ID != plain[i].ID || a[i].Pos != plain[i].Pos {
				moved = true
			}
			if i == 0 {
				continue
			}
			p, q := a[i-1], a[i]
			if !p.Active() && q.Active() {
				t.Fatalf("seed %d: an inactive threat ranks before an active one", seed)
			}
			if p.Active() == q.Active() && p.Residual.Severity < q.Residual.Severity {
				t.Fatalf("seed %d: rank %d (%v) before rank %d (%v)", seed, i, p.Residual.Severity, i+1, q.Residual.Severity)
			}
		}
	}
	if !moved {
		t.Fatal("no tie seed moved any threat")
	}
	tieSeed = 0
	fs := tiedFindings()
	a, b := cloneFindings(fs), cloneFindings(fs)
	Rank(a)
	NewRanking(b)
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatal("seed 0 changes the ranking")
		}
	}
}

// tiedFindings returns threats of three rules on six components, most of
// them at one residual risk (ties that only the id breaks), a few higher
// or lower, one closed.
func tiedFindings() []*model.Finding {
	var fs []*model.Finding
	for i := range 6 {
		c := &model.Component{ID: fmt.Sprintf("c%d", i)}
		for r := range 3 {
			f := &model.Finding{Rule: fmt.Sprintf("r%d", r), Category: model.Categories[r], Status: model.StatusUnverified,
				Targets: []model.Target{{Component: c}}, Inherent: Make(3, 4), Residual: Make(3, 4)}
			switch (i + r) % 7 {
			case 0:
				f.Residual = Make(5, 5)
			case 3:
				f.Residual = Make(2, 2)
			case 5:
				f.Status = model.StatusMitigated
			}
			f.ID = f.Rule + ":" + c.ID
			fs = append(fs, f)
		}
	}
	return fs
}
