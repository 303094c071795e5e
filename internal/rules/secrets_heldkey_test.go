package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestOverreachHeldKey: critical-credentials-overreach counts a credential
// the job holds, and names on no flow, as the static key it presents on a
// call authenticated with an API key or password to a system outside ours;
// unverified while least privilege is unknown. The threat names the key
// held, not a credential the job sends on another flow.
func TestOverreachHeldKey(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "critical-credentials-overreach", "held-key.yaml"), rules.All())
	want := []string{"critical-credentials-overreach:payout-job"}
	if got := ofRule(fs, "critical-credentials-overreach", model.StatusUnverified); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.ID == want[0] && (!strings.Contains(f.Title, "`bank-key`") || !strings.Contains(f.Title, "`bank`")) {
			t.Errorf("title %q: want the held key and the bank named", f.Title)
		}
	}
}

// TestOverreachNeedsUnstated: in a model that states no asset's
// sensitivity, a credential a service presents to a system outside ours is
// raised unverified (its need is unknown, not high), asked through
// least_privilege, even where the gap is stated; a credential the service
// is brought by a flow is not its own; a model that states one asset's
// sensitivity reads the credential's unstated need as the default.
func TestOverreachNeedsUnstated(t *testing.T) {
	dir := filepath.Join("testdata", "critical-credentials-overreach")
	fs, qs := run(t, filepath.Join(dir, "needs-unstated.yaml"), rules.All())
	if got := ofRule(fs, "critical-credentials-overreach", model.StatusOpen); len(got) > 0 {
		t.Errorf("needs-unstated.yaml: open %v, want none", got)
	}
	want := []string{"critical-credentials-overreach:gap-runner", "critical-credentials-overreach:runner"}
	if got := ofRule(fs, "critical-credentials-overreach", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("needs-unstated.yaml: unverified %v, want %v", got, want)
	}
	if got := asking(qs, "critical-credentials-overreach"); !slices.Contains(got, "runner.least_privilege") {
		t.Errorf("needs-unstated.yaml: questions %v, want runner.least_privilege", got)
	}
	for _, f := range fs {
		if f.ID == want[1] && !slices.ContainsFunc(f.Rationale, func(s string) bool { return strings.Contains(s, "states no need") }) {
			t.Errorf("rationale %q: want the unstated need named", f.Rationale)
		}
	}
	fs, _ = run(t, filepath.Join(dir, "needs-stated.yaml"), rules.All())
	if got := ofRule(fs, "critical-credentials-overreach", ""); len(got) > 0 {
		t.Errorf("needs-stated.yaml: raised %v, want none", got)
	}
}
