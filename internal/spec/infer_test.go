package spec

import (
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestLoadInfers checks that the loader reads what a sparse model leaves out
// (model.InferAsset, model.InferComponentKind) and keeps what it states.
func TestLoadInfers(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(`ward: 1
system: {id: s, name: S}
assets:
  - {id: patient-records}
  - {id: api-keys}
  - {id: orders, classification: internal}
  - {id: drafts, name: Article drafts}
  - {id: listings, name: Public listings}
components:
  - {id: records-db, kind: service, stores: [patient-records]}
  - {id: vendor-db, kind: external}
  - {id: api, name: Patient API, kind: service}
`))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	if a := m.Asset("patient-records"); !slices.Equal(a.Data, []model.DataKind{model.DataPHI}) || a.Kind != model.AssetData || a.Inferred != model.InferredData {
		t.Errorf("patient-records: %v %v %b", a.Data, a.Kind, a.Inferred)
	}
	if a := m.Asset("api-keys"); a.Kind != model.AssetCredential {
		t.Errorf("api-keys kind %v", a.Kind)
	}
	if a := m.Asset("orders"); len(a.Data) != 0 || a.Inferred != 0 {
		t.Errorf("orders states a classification, yet %v %b", a.Data, a.Inferred)
	}
	if a := m.Asset("drafts"); a.Classification != model.ClassConfidential || a.Inferred != model.InferredClass || a.Kind != model.AssetData {
		t.Errorf("drafts: classification %v inferred %b kind %v, want confidential (inferred) data", a.Classification, a.Inferred, a.Kind)
	}
	if a := m.Asset("listings"); a.Classification != model.ClassUnset || a.Inferred != 0 {
		t.Errorf("public listings: classification %v inferred %b, want unset", a.Classification, a.Inferred)
	}
	for id, want := range map[string]model.ComponentKind{"records-db": model.KindDatastore, "vendor-db": model.KindExternal, "api": model.KindService} {
		if c := m.Component(id); c.Kind != want {
			t.Errorf("%s: kind %v, want %v", id, c.Kind, want)
		}
	}
	if !m.Component("vendor-db").ThirdParty {
		t.Error("external vendor-db not third party")
	}
}
