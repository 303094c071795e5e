package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestRelayRateLimits: a third party's CDN reached from the internet that
// forwards to a service of ours is reported by no-rate-limiting, unverified
// while its limits are unknown and naming the origin (cdn.yaml); a CDN that
// limits rates and a payment provider calling a webhook are not
// (cdn-quiet.yaml).
func TestRelayRateLimits(t *testing.T) {
	dir := filepath.Join("testdata", "no-rate-limiting")
	fs, qs := run(t, filepath.Join(dir, "cdn.yaml"), rules.All())
	if got, want := ofRule(fs, "no-rate-limiting", model.StatusUnverified), []string{"no-rate-limiting:cdn"}; !slices.Equal(got, want) {
		t.Errorf("cdn.yaml: got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.Rule == "no-rate-limiting" && f.Exploitability != 0 {
			t.Errorf("cdn.yaml: exploitability %d, want 0", f.Exploitability)
		}
	}
	if got := asking(qs, "no-rate-limiting"); !slices.Contains(got, "cdn.rate_limits") {
		t.Errorf("cdn.yaml: questions %v, want cdn.rate_limits", got)
	}
	fs, _ = run(t, filepath.Join(dir, "cdn-quiet.yaml"), rules.All())
	if got := ofRule(fs, "no-rate-limiting", ""); len(got) > 0 {
		t.Errorf("cdn-quiet.yaml: raised %v, want nothing", got)
	}
}
