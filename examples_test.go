package ward_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/cli"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExamples checks every example model and compares its reports with the
// golden files in testdata/examples/<name>.<format>.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("examples/*/ward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 3 {
		t.Fatalf("want at least 3 example models, found %d", len(dirs))
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range dirs {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{"text", "markdown", "json"} {
				var stdout, stderr bytes.Buffer
				args := []string{"report", "--format", format, "--date", "2026-11-23", filepath.Dir(path)}
				code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: wd, Version: "test"})
				if code != 0 {
					t.Fatalf("ward %v: exit %d\n%s", args, code, stderr.String())
				}
				ext := map[string]string{"text": "txt", "markdown": "md", "json": "json"}[format]
				golden := filepath.Join("testdata", "examples", name+"."+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test . -run TestExamples -update)", err)
				}
				if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
					t.Errorf("%s differs (-want +got; go test . -run TestExamples -update to accept):\n%s", golden, diff)
				}
			}
		})
	}
}
