package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSharedStoreRepudiation: writers that are all services raise
// shared-store-tampering's tampering threat only (which service changed a
// record is tampering); where people's changes reach the store, through an
// administrative console, the missing record of who did it is repudiation
// too.
func TestSharedStoreRepudiation(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"fires.yaml", []string{"shared-store-tampering:ledger"}},
		{"people.yaml", []string{"shared-store-tampering:ledger", "shared-store-tampering:ledger:repudiation"}},
	} {
		fs, _ := run(t, filepath.Join("testdata", "shared-store-tampering", tc.file), rules.All())
		if got := ofRule(fs, "shared-store-tampering", model.StatusOpen); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.file, got, tc.want)
		}
	}
}
