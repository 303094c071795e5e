package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSharedSignInAtTerminal: people typing a password at a station they
// share sign in with a secret the others see; the threat names the sign-in
// flows and the station (where shared-terminal-sign-in raises the same
// line, SameLine folds the two in internal/analysis).
func TestSharedSignInAtTerminal(t *testing.T) {
	fs, _ := run(t, "testdata/shared-terminal-sign-in/roles.yaml", rules.All())
	var on []string
	for _, f := range fs {
		if f.Rule != "shared-sign-in-credential" || f.Status != model.StatusOpen {
			continue
		}
		for _, tg := range f.Targets {
			if !slices.Contains(on, tg.ID()) {
				on = append(on, tg.ID())
			}
		}
	}
	slices.Sort(on)
	if want := []string{"cabinet", "nurse-to-cabinet", "pharmacist-to-cabinet"}; !slices.Equal(on, want) {
		t.Errorf("shared-sign-in-credential names %v, want %v", on, want)
	}
}

// TestSharedSignInReadings: an account stated shared (on the flow, the
// person, or the credential the flow carries) is answered for by no one
// (repudiation), a vendor's portal included; one shared login straight into
// a store reaches around the application's roles (elevation). A terminal
// read as shared leaves repudiation to shared-terminal-sign-in.
func TestSharedSignInReadings(t *testing.T) {
	fs, _ := run(t, "testdata/shared-sign-in-credential/fires.yaml", rules.All())
	got := ofRule(fs, "shared-sign-in-credential", model.StatusOpen)
	slices.Sort(got)
	want := []string{
		"shared-sign-in-credential:db-access",
		"shared-sign-in-credential:db-access:elevation_of_privilege",
		"shared-sign-in-credential:db-access:repudiation",
		"shared-sign-in-credential:portal-login",
		"shared-sign-in-credential:portal-login:repudiation",
		"shared-sign-in-credential:service-mode",
		"shared-sign-in-credential:service-mode:repudiation",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	fs, _ = run(t, "testdata/shared-terminal-sign-in/roles.yaml", rules.All())
	for _, id := range ofRule(fs, "shared-sign-in-credential", "") {
		if strings.HasSuffix(id, ":repudiation") {
			t.Errorf("a terminal read as shared raised %s", id)
		}
	}
}
