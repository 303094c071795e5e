package analysis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// BenchmarkFoldSameLine measures foldSameLine on the threats a synthetic
// model of 5,000 components lists before it (the steps of list before
// it run once; each round folds fresh copies, without questions).
func BenchmarkFoldSameLine(b *testing.B) {
	m, _, err := spec.Parse("ward.yaml", synth.Generate(5000, synth.DefaultSeed))
	if err != nil {
		b.Fatal(err)
	}
	rs := rules.All()
	res, err := rule.RunWith(context.Background(), m, rs, rule.Options{})
	if err != nil {
		b.Fatal(err)
	}
	els := numberElements(m)
	fs := append(res.Findings, People(m)...)
	_, ranking := risk.AssessRanking(m, fs, risk.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Relay: relay})
	fs = capUnverified(fs, els, DefaultMaxUnverified, 1)
	ranking.Rerank(fs)
	fs, moves := foldFurther(fs, rs, els, 1)
	ranking.RerankMoved(fs, moves)
	fs = foldFurtherHop(fs, res.Questions, rs, 1)
	ranking.Rerank(fs)
	fs = foldIntoReceiver(fs, res.Questions, rs, 1)
	ranking.Rerank(fs)
	arr := make([]model.Finding, len(fs))
	work := make([]*model.Finding, len(fs))
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchFold(b, fs, arr, work, rs, els, w) })
	}
}

func benchFold(b *testing.B, fs []*model.Finding, arr []model.Finding, work []*model.Finding, rs []*rule.Rule, els *numbering, workers int) {
	b.ReportAllocs()
	folded := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		for i, f := range fs {
			arr[i] = *f
			arr[i].Targets = append([]model.Target(nil), f.Targets...)
			work[i] = &arr[i]
		}
		b.StartTimer()
		t := cpuclock.Process()
		folded = len(fs) - len(foldSameLine(work, nil, rs, els, workers))
		cpu += cpuclock.Process() - t
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
	if folded == 0 {
		b.Fatal("nothing folded")
	}
}
