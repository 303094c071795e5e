package synth

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// benchNow fixes the date acceptances expire against, so runs compare.
var benchNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var benchSizes = sizes()

// sizes are the model sizes benchmarked: 1,000 and 10,000 components, and
// 100,000 (500,000 flows) when WARD_BENCH_100K is set — a run of several
// minutes and gigabytes, for measuring growth, not for every benchmark run.
func sizes() []int {
	if os.Getenv("WARD_BENCH_100K") != "" {
		return []int{1000, 10000, 100000}
	}
	return []int{1000, 10000}
}

// benchBudget lifts the findings budget: the synthetic models at N=10,000
// produce more findings than rule.DefaultMaxFindings allows, as an
// administrator would with WARD_MAX_FINDINGS.
var benchBudget = rule.Budget{MaxFindings: 1 << 30}

// writeModel generates a model of n components into a temp directory
// once: one file, or, when larger than a model file may be, a main file
// including parts (Split).
func writeModel(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	p := filepath.Join(dir, "ward.yaml")
	data := Generate(n, DefaultSeed)
	if len(data) <= spec.MaxFileBytes {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	main, parts := Split(data, spec.MaxFileBytes/2)
	if err := os.MkdirAll(filepath.Join(dir, "parts"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, main, 0o644); err != nil {
		tb.Fatal(err)
	}
	for name, b := range parts {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return p
}

// BenchmarkLoad measures reading, parsing and validating a model.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			p := writeModel(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := spec.Load(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnalyze measures rules, risk scoring and ranking on a loaded
// model. The model is loaded afresh (outside the timer) for each iteration,
// because analysis writes its results into it.
func BenchmarkAnalyze(b *testing.B) {
	ctx := rule.WithBudget(context.Background(), benchBudget)
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			data := Generate(n, DefaultSeed)
			b.ReportAllocs()
			var findings int
			for b.Loop() {
				b.StopTimer()
				m, _, err := spec.Parse("ward.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: benchNow})
				if err != nil {
					b.Fatal(err)
				}
				findings = len(a.Findings)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// BenchmarkEndToEnd is the headline number: load, validate, analyse, rank
// and build the canonical result, as `ward check` does before rendering.
// It also reports bytes allocated per run and the live heap after a run.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			p := writeModel(b, n)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var r *report.Result
			for b.Loop() {
				r = endToEnd(b, p)
			}
			runtime.ReadMemStats(&after)
			iters := float64(max(b.N, 1))
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/iters/(1<<20), "MB-alloc/op")
			// Live heap while the last result is still reachable.
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MB-heap-inuse")
			b.ReportMetric(float64(len(r.Findings)), "findings")
			b.ReportMetric(float64(len(r.Questions)), "questions")
			runtime.KeepAlive(r)
		})
	}
}

func endToEnd(tb testing.TB, path string) *report.Result {
	ctx := rule.WithBudget(context.Background(), benchBudget)
	l, err := spec.Load(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := analysis.Run(ctx, l.Model, rules.All(), analysis.Options{Now: benchNow})
	if err != nil {
		tb.Fatal(err)
	}
	return report.Build(a, report.Tool{Name: "ward", Version: "bench"})
}

// BenchmarkGenerate measures the generator itself.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = len(Generate(n, DefaultSeed))
			}
			b.SetBytes(int64(size))
		})
	}
}
