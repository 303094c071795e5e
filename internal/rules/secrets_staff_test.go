package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSecretsOnStaffMachine: secrets-in-client raises, unverified, on a
// client people inside the network use that holds credentials of the
// highest value (a developer's laptop with publish tokens), and asks
// whether they are managed; not where that is stated, not on a customer's
// app with its own session, not on a console holding no credential, not
// on a web UI staff sign in to.
func TestSecretsOnStaffMachine(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "secrets-in-client", "staff-machine.yaml"), rules.All())
	var got []string
	for _, id := range ofRule(fs, "secrets-in-client", "") {
		got = append(got, weaknesses([]string{id})...)
	}
	got = slices.Compact(got)
	if want := []string{"secrets-in-client:laptop"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if open := ofRule(fs, "secrets-in-client", model.StatusOpen); len(open) > 0 {
		t.Errorf("open threats %v, want none", open)
	}
	if got := asking(qs, "secrets-in-client"); !slices.Equal(got, []string{"laptop.secrets_managed"}) {
		t.Errorf("questions %v, want [laptop.secrets_managed]", got)
	}
}
