package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestObjectAuthorizationStakes: missing-object-authorization stakes each
// category on its own data. The API returns the patients' records (critical
// confidentiality) and takes only comments (low integrity): disclosure
// keeps the records at stake, tampering stakes the comments, so the two
// threats get different impacts; elevation keeps what the API holds.
func TestObjectAuthorizationStakes(t *testing.T) {
	path := filepath.Join("testdata", "missing-object-authorization", "stakes.yaml")
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := run(t, path, rules.All())
	want := map[model.Category]string{
		model.ElevationOfPrivilege:  "records",
		model.InformationDisclosure: "records",
		model.Tampering:             "comments",
	}
	impact := map[model.Category]model.Impact{}
	for _, f := range fs {
		if f.Rule != "missing-object-authorization" {
			continue
		}
		if len(f.Assets) != 1 || f.Assets[0].ID != want[f.Category] {
			t.Errorf("%s: assets %v, want [%s]", f.ID, f.Assets, want[f.Category])
		}
		impact[f.Category], _ = risk.ImpactOf(l.Model, f)
	}
	if len(impact) != 3 {
		t.Fatalf("raised %d categories, want 3", len(impact))
	}
	if impact[model.Tampering] >= impact[model.InformationDisclosure] {
		t.Errorf("tampering impact %d, disclosure %d: want tampering lower", impact[model.Tampering], impact[model.InformationDisclosure])
	}
}

// TestObjectAuthorizationStoreStakes: where callers state no data, the
// stores behind the API set the stakes. The API holds nothing itself,
// reads the patients' records from one store and writes comments to
// another: disclosure stakes the records, tampering the comments.
func TestObjectAuthorizationStoreStakes(t *testing.T) {
	path := filepath.Join("testdata", "missing-object-authorization", "stores.yaml")
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := run(t, path, rules.All())
	want := map[model.Category]string{
		model.InformationDisclosure: "records",
		model.Tampering:             "comments",
	}
	impact := map[model.Category]model.Impact{}
	for _, f := range fs {
		if f.Rule != "missing-object-authorization" {
			continue
		}
		impact[f.Category], _ = risk.ImpactOf(l.Model, f)
		w, ok := want[f.Category]
		if !ok {
			continue
		}
		if len(f.Assets) != 1 || f.Assets[0].ID != w {
			t.Errorf("%s: assets %v, want [%s]", f.ID, f.Assets, w)
		}
	}
	if len(impact) != 3 {
		t.Fatalf("raised %d categories, want 3", len(impact))
	}
	if impact[model.InformationDisclosure] != 5 || impact[model.Tampering] >= impact[model.InformationDisclosure] {
		t.Errorf("disclosure impact %d, tampering %d: want 5 and lower", impact[model.InformationDisclosure], impact[model.Tampering])
	}
}
