package threatdragon

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/interop"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCorpus imports every public Threat Dragon model in testdata/corpus,
// checks the result loads (Encode re-parses it) and compares it with its
// golden file.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	if len(files) < 5 {
		t.Fatalf("corpus has %d files, want 5", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !Detect(f, data) {
				t.Fatal("not detected")
			}
			res, err := Import(f, data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := interop.Encode(res.Doc, res.Notes, "OWASP Threat Dragon file "+filepath.Base(f))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".json")+".yaml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(out)); d != "" {
				t.Errorf("import differs from %s (-want +got), rerun with -update if intended:\n%s", golden, d)
			}
		})
	}
}
