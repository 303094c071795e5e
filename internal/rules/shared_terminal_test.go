package rules_test

import (
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSharedTerminalRoles: a station at which two roles sign in is a shared
// terminal whatever its name says, and the weakness is raised as spoofing
// and repudiation, and as elevation (the role with fewer rights uses the
// other's session).
func TestSharedTerminalRoles(t *testing.T) {
	fs, _ := run(t, "testdata/shared-terminal-sign-in/roles.yaml", rules.All())
	got := ofRule(fs, "shared-terminal-sign-in", model.StatusOpen)
	want := []string{"shared-terminal-sign-in:cabinet", "shared-terminal-sign-in:cabinet:elevation_of_privilege", "shared-terminal-sign-in:cabinet:repudiation"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
