package threatcomposer

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestExportStated checks that the workspace's architecture text names the
// kind the model stated, not the one the loader read from the name of a
// component stated as a service.
func TestExportStated(t *testing.T) {
	data, err := os.ReadFile("../../model/testdata/sparse.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := spec.Parse("sparse.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Component("db"); c.Kind != model.KindDatastore || c.Inferred == 0 {
		t.Fatalf("db: kind %s, inferred %v; the test needs an inferred kind", c.Kind, c.Inferred)
	}
	a, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Export(a)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("Patient database (datastore")) || !bytes.Contains(out, []byte("Patient database (service")) {
		t.Errorf("the export does not name db's stated kind, service:\n%s", out)
	}
}
