package report

import (
	"context"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// analyseYAML parses src as the model file name, runs the full catalogue on
// it and builds the result, failing the test on any error: the common start
// of the tests that check how one small model is reported.
func analyseYAML(t *testing.T, name, src string) (*analysis.Analysis, *Result) {
	t.Helper()
	m, _, err := spec.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return a, Build(a, Tool{Name: "ward", Version: "test"})
}
