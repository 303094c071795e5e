package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestOverprivilegedEntryPointNamesOutsideCalls: an entry point that calls
// systems outside ours with credentials of its own (a token, an API key)
// raises overprivileged-entry-point naming those calls as well as itself
// (whoever uses it acts there with its rights); an anonymous call and a
// call to a service of ours are not named.
func TestOverprivilegedEntryPointNamesOutsideCalls(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "overprivileged-entry-point", "outside-calls.yaml"), rules.All())
	var got []string
	found := false
	for _, f := range fs {
		if f.ID != "overprivileged-entry-point:backend" {
			continue
		}
		found = true
		if f.Status != model.StatusUnverified {
			t.Errorf("status %v, want unverified", f.Status)
		}
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
	}
	if !found {
		t.Fatalf("no overprivileged-entry-point:backend threat")
	}
	slices.Sort(got)
	if want := []string{"backend", "backend-costs", "backend-pager"}; !slices.Equal(got, want) {
		t.Errorf("targets %v, want %v", got, want)
	}
}
