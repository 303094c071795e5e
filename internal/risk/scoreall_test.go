package risk_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestAssessParallelIsSerial: scoring on all cores (thousands of findings,
// so several workers each with its own memos) gives every finding what
// scoring them one after another on one core does. Run with -race, it also
// checks that the workers share nothing they write.
func TestAssessParallelIsSerial(t *testing.T) {
	data := synth.Generate(600, 7)
	assess := func(procs int) []*model.Finding {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, _, err := spec.Parse("ward.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rule.Run(context.Background(), m, rules.All())
		if err != nil {
			t.Fatal(err)
		}
		risk.Assess(m, res.Findings, risk.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Relay: rules.Relay})
		return res.Findings
	}
	serial, par := assess(1), assess(4)
	if len(serial) < 3*2048 {
		t.Fatalf("%d findings: too few to score on several workers", len(serial))
	}
	if len(par) != len(serial) {
		t.Fatalf("%d findings on 4 cores, %d on 1", len(par), len(serial))
	}
	for i := range serial {
		a, b := serial[i], par[i]
		if fmt.Sprint(a.ID, a.Rank, a.Status, a.Inherent, a.Residual, a.Projected, a.Rationale, a.Reopened) !=
			fmt.Sprint(b.ID, b.Rank, b.Status, b.Inherent, b.Residual, b.Projected, b.Rationale, b.Reopened) {
			t.Fatalf("finding %d differs:\n1 core:  %+v\n4 cores: %+v", i, a, b)
		}
	}
}
