package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestObjectAuthorizationForConsoles: a process inside the network that
// operators drive through consoles and that handles what others rely on
// raises missing-object-authorization (with the rule's tampering and
// disclosure at its stakes), unverified while authorizes is
// unstated (control-server); stated authorization (plant-server) or only
// ordinary data (report-server) do not.
func TestObjectAuthorizationForConsoles(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "missing-object-authorization", "console.yaml"), rules.All())
	got := ofRule(fs, "missing-object-authorization", model.StatusUnverified)
	if !slices.Contains(got, "missing-object-authorization:control-server") {
		t.Errorf("console.yaml: got %v, want missing-object-authorization:control-server", got)
	}
	for _, id := range got {
		if !strings.HasPrefix(id, "missing-object-authorization:control-server") {
			t.Errorf("console.yaml: raised %s, want only control-server's", id)
		}
	}
	if got := ofRule(fs, "missing-object-authorization", model.StatusOpen); len(got) > 0 {
		t.Errorf("console.yaml: open %v, want none", got)
	}
	if got := asking(qs, "missing-object-authorization"); !slices.Contains(got, "control-server.authorizes") {
		t.Errorf("console.yaml: questions %v, want control-server.authorizes", got)
	}
}
