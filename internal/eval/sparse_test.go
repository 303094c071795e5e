package eval_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/eval"
)

// sparseSets hold the sparse twins: seen cases modelled a second time from
// their design description alone, the way a busy engineer writes a first
// model (no classification, data kinds, needs or optional flags; controls
// only where the description states them). Each twin is scored against its
// source case's reference list, copied byte for byte. It is a seen tuning
// set (testdata/eval-sparse/README.md), not a held-out measurement.
//
// eval-sparse2 holds seven more twins, of cases from held-out sets 15 to 20
// (testdata/eval-sparse2/README.md).
var sparseSets = []string{
	filepath.Join("..", "..", "testdata", "eval-sparse"),
	filepath.Join("..", "..", "testdata", "eval-sparse2"),
}

// sparseSource is the first line's prefix of a twin's README.md; the rest
// of the line up to ':' is the source case's directory, from the module root.
const sparseSource = "Sparse twin of "

// TestSparseTwins checks that every twin parses, names only elements of its
// model, scores, is named <case>-sparse, names an existing seen source case
// in its README, and keeps that case's reference list unchanged. It has no
// score threshold.
func TestSparseTwins(t *testing.T) {
	var dirs []string
	for _, set := range sparseSets {
		ds, err := eval.Cases(set)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			t.Fatalf("the sparse set %s has no cases", set)
		}
		dirs = append(dirs, ds...)
	}
	root := filepath.Join("..", "..")
	for _, dir := range dirs {
		// A reference list may name its case; the twin keeps its source's
		// list byte for byte, so the twin is named by its directory.
		name := filepath.Base(dir)
		c, err := eval.RunCase(t.Context(), dir, eval.Options{Importers: importers()})
		if err != nil {
			t.Errorf("%s: a sparse twin is invalid: %v", name, err)
			continue
		}
		if !strings.HasSuffix(name, "-sparse") {
			t.Errorf("%s: a sparse twin's name ends in -sparse", name)
		}
		if c.Model != "ward.yaml" {
			t.Errorf("%s: model %q, want a ward.yaml written for the twin", name, c.Model)
		}
		if c.Counts.Raised == 0 {
			t.Errorf("%s: the engine raised nothing; the case did not run", name)
		}
		src, err := twinSource(filepath.Join(dir, "README.md"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.HasPrefix(src, "testdata/eval/") && !strings.HasPrefix(src, "testdata/eval-holdout") {
			t.Errorf("%s: source %q is not a seen set's case", name, src)
			continue
		}
		if base := filepath.Base(src); base+"-sparse" != name {
			t.Errorf("%s: source case %q, want the twin named %s-sparse", name, src, base)
		}
		want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(src), "reference.yaml"))
		if err != nil {
			t.Errorf("%s: the source case's reference list: %v", name, err)
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, "reference.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: reference.yaml differs from %s/reference.yaml; a twin keeps its source's list", name, src)
		}
	}
}

// twinSource reads the source case's directory from the first line of a
// twin's README.md.
func twinSource(readme string) (string, error) {
	f, err := os.Open(readme)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	rest, ok := strings.CutPrefix(line, sparseSource)
	if !ok {
		return "", &sourceError{readme}
	}
	src, _, ok := strings.Cut(rest, ":")
	if !ok || src == "" {
		return "", &sourceError{readme}
	}
	return src, nil
}

type sourceError struct{ file string }

func (e *sourceError) Error() string {
	return e.file + ": the first line does not name the source case (\"" + sparseSource + "testdata/<set>/<case>: ...\")"
}
