package analysis

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// BenchmarkList measures list (the cap, the folds, the final ranking and
// mention) on the threats the rules raise on a synthetic model of 10,000
// components, on GOMAXPROCS workers. Each round runs the rules and the
// scoring again outside the timer (list changes the threats and the
// questions); cpu-ms/op is the process's CPU inside the timer.
func BenchmarkList(b *testing.B) {
	m, _, err := spec.Parse("ward.yaml", synth.Generate(10000, synth.DefaultSeed))
	if err != nil {
		b.Fatal(err)
	}
	rs := rules.All()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	workers := runtime.GOMAXPROCS(0)
	var cpu time.Duration
	listed := 0
	for b.Loop() {
		b.StopTimer()
		res, err := rule.RunWith(context.Background(), m, rs, rule.Options{Unworded: true})
		if err != nil {
			b.Fatal(err)
		}
		els := numberElements(m)
		fs := append(res.Findings, People(m)...)
		_, ranking := risk.AssessRanking(m, fs, risk.Options{Now: now, Relay: relay})
		runtime.GC()
		b.StartTimer()
		t := cpuclock.Process()
		listed = len(list(fs, ranking, res.Questions, rs, els, DefaultMaxUnverified, workers))
		cpu += cpuclock.Process() - t
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
	if listed == 0 {
		b.Fatal("nothing listed")
	}
}
