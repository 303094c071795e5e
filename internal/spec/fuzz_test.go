package spec_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/spec/internal/schemagen"
)

// FuzzParse checks that no input makes the loader panic, and that it always
// either returns a model or says why not.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(schemagen.Example)
	f.Add([]byte(head + "boundaries: &b\n  - id: x\n    trust: internal\n    boundaries: *b\n"))
	f.Add([]byte("ward: 1\n<<: [{system: {id: s, name: S}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ds, err := spec.Parse("f.yaml", data)
		if err != nil {
			if !ds.HasErrors() {
				t.Fatalf("error without error diagnostics: %v", err)
			}
			return
		}
		if m == nil {
			t.Fatal("no model and no error")
		}
		if ds.HasErrors() {
			t.Fatal("a model despite errors")
		}
	})
}
