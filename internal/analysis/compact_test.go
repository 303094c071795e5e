package analysis_test

import (
	"runtime"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestCompactListed checks that the listed threats of a large model are
// packed: moved to the first slots of the rules' blocks, in block order, or
// copied to one fresh array (compact) — either way the questions point at
// them, not at the threats' old places (whose blocks the collector can then
// free).
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
	// Packed: sorted by address, the threats sit next to each other but
	// at a block's end (the rules' blocks hold at most 512).
	addr := make([]uintptr, len(a.Findings))
	for i, f := range a.Findings {
		if listed[f] {
			t.Fatalf("threat %s listed twice", f.ID)
		}
		listed[f] = true
		addr[i] = uintptr(unsafe.Pointer(f))
		if f.Rank <= 0 {
			t.Fatalf("threat %s has rank %d", f.ID, f.Rank)
		}
	}
	slices.Sort(addr)
	gaps := 0
	for i := 1; i < len(addr); i++ {
		if addr[i] != addr[i-1]+size {
			gaps++
		}
	}
	if gaps > len(addr)/8+8 {
		t.Errorf("%d listed threats in %d runs: not packed", len(addr), gaps+1)
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
