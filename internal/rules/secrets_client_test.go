package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSecretsInClientKeyedStake: a client's static API key is worth what
// the keyed service gives for it. The app's bearer tokens are returned to
// its signed-in user (their own session), so the app's threat is the maps
// key alone, and sending positions to a third party's service with it
// exposes none of them: no asset is at stake. The tag's key writes events
// into our own collector, so the events are at stake.
func TestSecretsInClientKeyedStake(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "secrets-in-client", "own-token.yaml"), rules.All())
	stake := map[string][]string{}
	for _, f := range fs {
		if f.Rule != "secrets-in-client" || f.Category != model.InformationDisclosure {
			continue
		}
		var as []string
		for _, a := range f.Assets {
			as = append(as, a.ID)
		}
		stake[f.ID] = as
	}
	if got, ok := stake["secrets-in-client:app"]; !ok || len(got) != 0 {
		t.Errorf("app: got %v (raised %v), want the threat with no asset at stake", got, ok)
	}
	if got := stake["secrets-in-client:tag"]; !slices.Equal(got, []string{"events"}) {
		t.Errorf("tag: got %v, want [events]", got)
	}
}
