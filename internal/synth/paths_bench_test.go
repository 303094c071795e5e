package synth

import (
	"context"
	"strconv"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/paths"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// BenchmarkPaths measures attack paths from every entry point to every
// critical asset (3 per pair, at most 1,000 listed), on an analysed model,
// and the blast radius of the first entry point.
func BenchmarkPaths(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			m, _, err := spec.Parse("ward.yaml", Generate(n, DefaultSeed))
			if err != nil {
				b.Fatal(err)
			}
			a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: benchNow})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var r *paths.Result
			for b.Loop() {
				r = paths.Find(m, paths.Options{Findings: a.Findings})
			}
			b.ReportMetric(float64(len(r.Paths)), "paths")
			b.ReportMetric(float64(len(r.Entries)), "entries")
			b.ReportMetric(float64(len(r.Assets)), "assets")
		})
	}
}

// BenchmarkBlast measures the blast radius of one component.
func BenchmarkBlast(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			m, _, err := spec.Parse("ward.yaml", Generate(n, DefaultSeed))
			if err != nil {
				b.Fatal(err)
			}
			var c *model.Component
			if es := paths.EntryPoints(m); len(es) > 0 {
				c = es[0]
			} else {
				c = m.Components[0]
			}
			b.ReportAllocs()
			var r *paths.Radius
			for b.Loop() {
				r = paths.Blast(m, c)
			}
			b.ReportMetric(float64(len(r.Components)), "reached")
		})
	}
}
