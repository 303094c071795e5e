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
