package spec_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// BenchmarkSpecLoad measures spec.Load alone on a synthetic model of 10,000
// components, without depending on the analysis packages.
func BenchmarkSpecLoad(b *testing.B) {
	p := filepath.Join(b.TempDir(), "ward.yaml")
	if err := os.WriteFile(p, synth.Generate(10000, synth.DefaultSeed), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Load(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}
