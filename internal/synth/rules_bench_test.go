package synth

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// BenchmarkRules measures the rule pass alone (rule.RunWith with the full
// catalogue) on a loaded model: the largest phase of a check. The rules
// only read the model, so it is loaded once; cpu-ms/op is the process's
// CPU per run, garbage collection included. WARD_BENCH_RULES=a,b keeps
// only the rules whose ids start with a or b (one family's cost).
func BenchmarkRules(b *testing.B) {
	ctx := rule.WithBudget(context.Background(), benchBudget)
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			m, _, err := spec.Parse("ward.yaml", Generate(n, DefaultSeed))
			if err != nil {
				b.Fatal(err)
			}
			all := rules.All()
			if want := os.Getenv("WARD_BENCH_RULES"); want != "" {
				all = slices.DeleteFunc(all, func(r *rule.Rule) bool {
					return !slices.ContainsFunc(strings.Split(want, ","), func(p string) bool { return strings.HasPrefix(r.ID, p) })
				})
			}
			b.ReportAllocs()
			var findings int
			cpu := cpuclock.Process()
			for b.Loop() {
				res, err := rule.RunWith(ctx, m, all, rule.Options{})
				if err != nil {
					b.Fatal(err)
				}
				findings = len(res.Findings)
			}
			b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}
