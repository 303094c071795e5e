package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestBuildOnly checks that every format renders a result built with only
// the parts it reads (FormatParts) exactly as it renders the whole result.
func TestBuildOnly(t *testing.T) {
	opts := []Options{{}, {Text: TextOptions{All: true, Verbose: true}}}
	for _, name := range scenarios {
		data, err := os.ReadFile(filepath.Join("testdata", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := spec.Parse(name+".yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		tool := Tool{Name: "ward", Version: "test"}
		full := Build(a, tool)
		if name == "payments" && (len(full.Paths) == 0 || len(full.Components) == 0) {
			t.Fatalf("%s: the whole result has %d paths and %d components, want some of each", name, len(full.Paths), len(full.Components))
		}
		for _, f := range Formats() {
			only := BuildOnly(a, tool, FormatParts(f))
			for _, opt := range opts {
				var want, got bytes.Buffer
				if err := Render(&want, f, full, opt); err != nil {
					t.Fatal(err)
				}
				if err := Render(&got, f, only, opt); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(want.Bytes(), got.Bytes()) {
					t.Errorf("%s, %s with parts %b: differs from the whole result's\n%s", name, f, FormatParts(f), firstDiff(want.String(), got.String()))
				}
			}
		}
	}
}

func TestFormatParts(t *testing.T) {
	for _, f := range []string{"json", "markdown", "html", "no-such-format"} {
		if got := FormatParts(f); got != AllParts {
			t.Errorf("FormatParts(%q) = %b, want every part", f, got)
		}
	}
	for f := range formatParts {
		if _, ok := renderers[f]; !ok {
			t.Errorf("formatParts lists %q, which is not a format", f)
		}
	}
}
