package analysis_test

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestCompactListed checks that the listed threats of a large model live in
// one fresh array and that the questions point at them, not at the blocks
// the rules raised them in (which the collector can then free).
func TestCompactListed(t *testing.T) {
	m, _, err := spec.Parse("ward.yaml", synth.Generate(1000, 1))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Findings) < 1000 {
		t.Fatalf("%d threats listed; want a large list", len(a.Findings))
	}
	listed := make(map[*model.Finding]bool, len(a.Findings))
	size := unsafe.Sizeof(model.Finding{})
	for i, f := range a.Findings {
		listed[f] = true
		if uintptr(unsafe.Pointer(f)) != uintptr(unsafe.Pointer(a.Findings[0]))+uintptr(i)*size {
			t.Fatalf("threat %d (%s) is not in the listed threats' array", i, f.ID)
		}
		if f.Rank < 0 {
			t.Fatalf("threat %s has rank %d", f.ID, f.Rank)
		}
	}
	for _, q := range a.Questions {
		for _, f := range q.Threats {
			if !listed[f] {
				t.Fatalf("question %s points at %s outside the listed threats", q.ID, f.ID)
			}
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d threats listed, %d questions; live heap %.1f MB", len(a.Findings), len(a.Questions), float64(ms.HeapAlloc)/1e6)
	runtime.KeepAlive(a)
}
