package report

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// Build's side goroutines (plainFields, questions, attack paths, the
// components and flows) run
// beside both of its passes over the findings. Whatever the number of
// cores, and however the goroutines interleave, the result must be the
// same; run with -race, this also checks that no two goroutines touch the
// same memory.
func TestBuildAsideSameOnAnyCores(t *testing.T) {
	ctx := rule.WithBudget(context.Background(), rule.Budget{MaxFindings: 1 << 30})
	m, _, err := spec.Parse("ward.yaml", synth.Generate(200, synth.DefaultSeed+1))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Findings) < 1000 || len(a.Questions) == 0 {
		t.Fatalf("%d findings, %d questions: too few to overlap", len(a.Findings), len(a.Questions))
	}
	render := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var b bytes.Buffer
		if err := JSON(&b, Build(a, Tool{Name: "ward", Version: "test"})); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	one := render(1)
	for range 3 {
		if many := render(4); !bytes.Equal(one, many) {
			t.Fatalf("Build on 4 cores differs from Build on 1 (%d vs %d bytes)", len(many), len(one))
		}
	}
}
