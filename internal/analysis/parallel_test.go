package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestParallelSameAsSequential checks that the analysis of synthetic models
// of several seeds gives byte for byte the same result (the canonical JSON)
// on one worker as on many, where the rules, the families' merges and the
// steps after them run concurrently.
func TestParallelSameAsSequential(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses several large models")
	}
	run := func(t *testing.T, data []byte, workers int, mitigated bool) []byte {
		t.Helper()
		m, _, err := spec.Parse("ward.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if workers > 0 {
			ctx = rule.WithBudget(ctx, rule.Budget{Workers: workers})
		}
		a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Mitigated: mitigated})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.JSON(&b, report.Build(a, report.Tool{Name: "ward", Version: "test"})); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8)) // more workers than cores: more interleavings
	for _, c := range []struct {
		n         int
		seed      uint64
		mitigated bool
	}{{1500, 1, false}, {1500, 2, true}, {3000, 3, false}, {800, 4, false}} {
		t.Run(fmt.Sprintf("n=%d/seed=%d/all=%v", c.n, c.seed, c.mitigated), func(t *testing.T) {
			data := synth.Generate(c.n, c.seed)
			seq := run(t, data, 1, c.mitigated)
			for range 2 {
				if par := run(t, data, 0, c.mitigated); !bytes.Equal(par, seq) {
					t.Fatalf("the result on %d workers differs from the result on one (%d vs %d bytes)", runtime.GOMAXPROCS(0), len(par), len(seq))
				}
			}
		})
	}
}
