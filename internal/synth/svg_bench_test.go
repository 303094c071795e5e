//go:build unix

package synth

import (
	"context"
	"io"
	"syscall"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// svgResult builds the canonical result of a synthetic model of n components.
func svgResult(b *testing.B, n int) *report.Result {
	b.Helper()
	m, _, err := spec.Parse("ward.yaml", Generate(n, DefaultSeed))
	if err != nil {
		b.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: benchNow})
	if err != nil {
		b.Fatal(err)
	}
	return report.Build(a, report.Tool{Name: "ward", Version: "bench"})
}

// BenchmarkSVG measures laying out and rendering the diagram as SVG in
// process: whole models of 100 and 1000 components (the latter past
// report.MaxSVGComponents, so the condensed overview), and one boundary of
// a 10000-component model. The Graphviz module is warmed up first.
func BenchmarkSVG(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name string
		n    int
		opt  report.DiagramOptions
	}{
		{"N=100/whole", 100, report.DiagramOptions{}},
		{"N=1000/whole", 1000, report.DiagramOptions{}},
		{"N=10000/boundary", 10000, report.DiagramOptions{Boundary: "b-0"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := svgResult(b, c.n)
			if err := report.SVG(ctx, io.Discard, r, c.opt); err != nil {
				b.Fatal(err)
			}
			condensed, _ := report.Condensed(r, c.opt)
			b.ReportAllocs()
			var size int
			cpu0 := cpuTime()
			for b.Loop() {
				w := &countWriter{}
				if err := report.SVG(ctx, w, r, c.opt); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			// CPU time is steadier than wall time on a shared machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(size)/1024, "KB-svg")
			if condensed {
				b.ReportMetric(1, "condensed")
			}
		})
	}
}

// cpuTime is the CPU time (user + system) the process has used, in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
