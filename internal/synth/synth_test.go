package synth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
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

// TestSplitLoadsTheSameModel checks that a model cut into parts loads as
// the whole does: the same elements of every kind.
func TestSplitLoadsTheSameModel(t *testing.T) {
	data := Generate(300, DefaultSeed)
	dir := t.TempDir()
	main, parts := Split(data, 20_000)
	if len(parts) < 5 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	if err := os.WriteFile(filepath.Join(dir, "ward.yaml"), main, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, b := range parts {
		if len(b) > 20_000+2_000 {
			t.Errorf("%s has %d bytes", name, len(b))
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	whole, _, err := spec.Parse("ward.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := spec.Load(context.Background(), filepath.Join(dir, "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := l.Model
	got := []int{len(m.Components), len(m.Flows), len(m.Boundaries), len(m.Assets), len(m.Threats), len(m.Mitigations), len(m.Assumptions), len(m.Decisions)}
	want := []int{len(whole.Components), len(whole.Flows), len(whole.Boundaries), len(whole.Assets), len(whole.Threats), len(whole.Mitigations), len(whole.Assumptions), len(whole.Decisions)}
	if !slices.Equal(got, want) {
		t.Errorf("split model has %v elements, the whole %v", got, want)
	}
}
