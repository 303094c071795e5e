package rules_test

import (
	"slices"
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
