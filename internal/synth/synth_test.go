package synth

import (
	"bytes"
	"testing"

	"github.com/wardtm/ward/internal/spec"
)

func TestGenerateLoads(t *testing.T) {
	for _, n := range []int{100, 1000} {
		data := Generate(n, DefaultSeed)
		m, diags, err := spec.Parse("synth.yaml", data)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(diags) > 0 {
			t.Errorf("n=%d: %d warnings, first: %v", n, len(diags), diags[0])
		}
		want := CountsFor(Options{Components: n})
		got := Counts{Components: len(m.Components), Flows: len(m.Flows), Boundaries: len(m.Boundaries), Assets: len(m.Assets),
			Threats: len(m.Threats), Mitigations: len(m.Mitigations), Assumptions: len(m.Assumptions), Decisions: len(m.Decisions)}
		if got != want {
			t.Errorf("n=%d: counts %+v, want %+v", n, got, want)
		}
		if got.Flows != 5*n || got.Boundaries != n/10 || got.Assets != n/5 {
			t.Errorf("n=%d: ratios off: %+v", n, got)
		}
		kinds := map[string]bool{}
		nested := 0
		for _, c := range m.Components {
			kinds[string(c.Kind)] = true
		}
		for _, b := range m.Boundaries {
			if b.Parent != nil {
				nested++
			}
		}
		if len(kinds) != 11 {
			t.Errorf("n=%d: %d component kinds, want 11", n, len(kinds))
		}
		if nested == 0 {
			t.Errorf("n=%d: no nested boundaries", n)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(500, 42), Generate(500, 42)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	if bytes.Equal(a, Generate(500, 43)) {
		t.Fatal("different seeds gave the same output")
	}
}
