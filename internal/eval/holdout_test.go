package eval_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/eval"
)

// holdOut is the held-out set: cases written by someone who had not seen how
// the engine works, committed before the engine was run on them (see
// docs/quality.md, "Held-out set"). It is a measurement, never a tuning set.
var holdOut = filepath.Join("..", "..", "testdata", "eval-holdout")

// TestHeldOutSet checks that every held-out case parses, names only elements
// of its model and scores, and that the set keeps the shape the protocol
// asks for. It has no score threshold: the numbers are a generalisation
// check recorded in docs/quality.md, and gating on them would invite tuning
// the engine to them.
func TestHeldOutSet(t *testing.T) {
	rep, err := eval.Run(t.Context(), holdOut, eval.Options{Importers: importers()})
	if err != nil {
		t.Fatalf("a held-out case is invalid: %v", err)
	}
	if rep.Total.Cases < 6 {
		t.Errorf("the held-out set has %d cases, want at least 6", rep.Total.Cases)
	}
	devNames := map[string]bool{}
	devDirs, err := eval.Cases(devSet)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devDirs {
		devNames[filepath.Base(d)] = true
	}
	for _, c := range rep.Cases {
		if devNames[c.Case] {
			t.Errorf("%s: a held-out case has the name of a dev-set case; held-out designs must be new", c.Case)
		}
		if c.Model != "ward.yaml" {
			t.Errorf("%s: model %q, want a ward.yaml written for the case", c.Case, c.Model)
		}
		if c.Counts.Listed < 9 || c.Counts.Listed > 22 {
			t.Errorf("%s: %d listed threats, the protocol asks for 9 to 22", c.Case, c.Counts.Listed)
		}
		if c.Counts.Top3Listed != 3 {
			t.Errorf("%s: the reviewer's top three has %d entries, want 3", c.Case, c.Counts.Top3Listed)
		}
		if c.Counts.Raised == 0 {
			t.Errorf("%s: the engine raised nothing; the case did not run", c.Case)
		}
		if _, err := os.Stat(filepath.Join(holdOut, c.Case, "README.md")); err != nil {
			t.Errorf("%s: the design description (README.md) is missing: %v", c.Case, err)
		}
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}
