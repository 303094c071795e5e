package synth

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/otm"
	"github.com/wardtm/ward/internal/interop/threatcomposer"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// BenchmarkBuild measures report.Build alone: the model is loaded and
// analysed once outside the timer (Build only reads the analysis), then the
// canonical result is built from it in every iteration. cpu-ms/op is the
// process's CPU time per build (garbage collection included).
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			ctx := rule.WithBudget(context.Background(), benchBudget)
			l, err := spec.Load(ctx, writeModel(b, n))
			if err != nil {
				b.Fatal(err)
			}
			a, err := analysis.Run(ctx, l.Model, rules.All(), analysis.Options{Now: benchNow})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var r *report.Result
			cpu := cpuclock.Process()
			for b.Loop() {
				r = report.Build(a, report.Tool{Name: "ward", Version: "bench"})
			}
			b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
			b.ReportMetric(float64(len(r.Findings)), "findings")
		})
	}
}

// BenchmarkExport measures `ward export --to otm|threat-composer` writing
// alone: the model is loaded and analysed once outside the timer and the
// export written to io.Discard. MB/s is the rate of output written.
func BenchmarkExport(b *testing.B) {
	for _, n := range benchSizes {
		var a *analysis.Analysis
		for _, e := range []interop.Exporter{otm.Exporter(), threatcomposer.Exporter()} {
			b.Run("N="+strconv.Itoa(n)+"/"+e.Name, func(b *testing.B) {
				if a == nil {
					ctx := rule.WithBudget(context.Background(), benchBudget)
					l, err := spec.Load(ctx, writeModel(b, n))
					if err != nil {
						b.Fatal(err)
					}
					if a, err = analysis.Run(ctx, l.Model, rules.All(), analysis.Options{Now: benchNow}); err != nil {
						b.Fatal(err)
					}
				}
				var cw countWriter
				if err := e.Write(&cw, a); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(cw.n))
				b.ReportAllocs()
				cpu := cpuclock.Process()
				for b.Loop() {
					if err := e.Write(io.Discard, a); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
			})
		}
	}
}
