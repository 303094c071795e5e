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
