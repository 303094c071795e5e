package synth

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZPhases(t *testing.T) {
	p := os.Getenv("ZZ_MODEL")
	if p == "" {
		t.Skip()
	}
	_ = risk.Options{}
	for i := 0; i < zzRuns(); i++ {
		runtime.GC()
		ctx := rule.WithBudget(context.Background(), benchBudget)
		w0, c0 := time.Now(), cpuNow()
		l, err := spec.Load(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		w1, c1 := time.Now(), cpuNow()
		a, err := analysis.Run(ctx, l.Model, rules.All(), analysis.Options{Now: benchNow})
		if err != nil {
			t.Fatal(err)
		}
		w2, c2 := time.Now(), cpuNow()
		r := report.Build(a, report.Tool{Name: "ward", Version: "bench"})
		w3, c3 := time.Now(), cpuNow()
		t.Logf("load %v/%v analysis %v/%v build %v/%v findings %d", w1.Sub(w0).Round(time.Millisecond), (c1 - c0).Round(time.Millisecond), w2.Sub(w1).Round(time.Millisecond), (c2 - c1).Round(time.Millisecond), w3.Sub(w2).Round(time.Millisecond), (c3 - c2).Round(time.Millisecond), len(r.Findings))
	}
}

func zzRuns() int {
	if os.Getenv("ZZ_ONCE") != "" {
		return 1
	}
	return 3
}
