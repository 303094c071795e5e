package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestInferHeldStoreRaises: a sparse model's database written with customer
// backups, its stores unstated, is read as storing them
// (model.InferHeld), so its unencrypted copies are a threat; a model that
// lists what its components process is read as stated: the database
// stores nothing, and nothing is raised on it.
func TestInferHeldStoreRaises(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "inferheld", "sparse.yaml"), rules.All())
	if got := ofRule(fs, "sensitive-store-unencrypted", model.StatusUnverified); !slices.Equal(got, []string{"sensitive-store-unencrypted:test-db"}) {
		t.Errorf("sparse: got %v, want [sensitive-store-unencrypted:test-db]", got)
	}
	fs, _ = run(t, filepath.Join("testdata", "inferheld", "processes-stated.yaml"), rules.All())
	if got := ofRule(fs, "sensitive-store-unencrypted", ""); len(got) > 0 {
		t.Errorf("processes stated: got %v, want none", got)
	}
}

// TestInferHeldDeviceStoreRaises: an installed app of a sparse model keeps
// the patient notes its calls bring back (model.InferHeld), so their copies
// on a lost phone are a threat, one step harder to exploit than a copied
// disk; a web app keeps nothing, and the stated database's threat keeps
// the rule's exploitability.
func TestInferHeldDeviceStoreRaises(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "inferheld", "device.yaml"), rules.All())
	if got := ofRule(fs, "sensitive-store-unencrypted", ""); !slices.Equal(got, []string{"sensitive-store-unencrypted:phone-app"}) {
		t.Fatalf("device: got %v, want [sensitive-store-unencrypted:phone-app]", got)
	}
	for _, f := range fs {
		if f.Rule == "sensitive-store-unencrypted" && f.Exploitability != -1 {
			t.Errorf("%s: exploitability %d, want -1", f.ID, f.Exploitability)
		}
	}
	fs, _ = run(t, filepath.Join("testdata", "inferheld", "sparse.yaml"), rules.All())
	for _, f := range fs {
		if f.Rule == "sensitive-store-unencrypted" && f.Exploitability != 0 {
			t.Errorf("%s: exploitability %d, want 0", f.ID, f.Exploitability)
		}
	}
}
