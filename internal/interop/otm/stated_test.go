package otm

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestExportStated checks that the export writes what the model stated,
// not what the loader inferred from a sparse model's words: a service
// named "Patient database" stays a service, an asset whose data kinds were
// read from its name exports none, and an inferred asset kind is not
// written.
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
	var d struct {
		Components []struct{ ID, Type string }
		Assets     []struct {
			ID         string
			Attributes map[string]any
		} `json:"assets"`
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range d.Components {
		if c.ID == "db" {
			seen++
			if c.Type != "service" {
				t.Errorf("component db exported as %q, want the stated service", c.Type)
			}
		}
	}
	for _, as := range d.Assets {
		switch as.ID {
		case "records":
			seen++
			if v, ok := as.Attributes["data"]; ok {
				t.Errorf("asset records exports inferred data %v", v)
			}
		case "keys":
			seen++
			if k := as.Attributes["kind"]; k != "data" {
				t.Errorf("asset keys exports kind %v, want the default data (credential was inferred)", k)
			}
		}
	}
	if seen != 3 {
		t.Errorf("found %d of the component and 2 assets in the export", seen)
	}
}

// TestExportStatedFlags: an admin or paid flag Ward read from a component's
// name and flows (model.InferFlags) is not exported; a stated one is.
func TestExportStatedFlags(t *testing.T) {
	m, _, err := spec.Parse("flags.yaml", []byte(`ward: 1
system: {id: s, name: S}
boundaries:
  - {id: corp, trust: internal}
  - {id: vendors, trust: partner}
components:
  - {id: staff, name: Support staff, kind: person, boundary: corp}
  - {id: console, name: Support console, kind: service, boundary: corp}
  - {id: stated, name: Admin UI, kind: service, boundary: corp, admin: true}
  - {id: auth, name: Auth service, kind: service, boundary: corp}
  - {id: sms, name: SMS provider, kind: external, boundary: vendors}
flows:
  - {from: staff, to: console}
  - {from: staff, to: stated}
  - {from: auth, to: sms}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Component("console").Admin || !m.Component("sms").Paid {
		t.Fatal("the test needs an inferred admin and paid flag")
	}
	a, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Export(a)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Components []struct {
			ID         string
			Attributes map[string]any
		}
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, c := range d.Components {
		got[c.ID] = c.Attributes
	}
	if v, ok := got["console"]["admin"]; ok {
		t.Errorf("console exports the inferred admin flag %v", v)
	}
	if v, ok := got["sms"]["paid"]; ok {
		t.Errorf("sms exports the inferred paid flag %v", v)
	}
	if got["stated"]["admin"] != "true" {
		t.Errorf("stated admin flag not exported: %v", got["stated"])
	}
}
