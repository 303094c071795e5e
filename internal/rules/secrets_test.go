package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestOneSpoofingThreatPerStaticKey: a component whose only secrets are
// static keys for other organisations gets unmanaged-secrets' disclosure
// threat, and the keys' replay once, as long-lived-credentials on each flow;
// a key for a system of ours keeps the holder's spoofing threat.
func TestOneSpoofingThreatPerStaticKey(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "unmanaged-secrets", "vendor-keys.yaml"), rules.All())
	got := ofRule(fs, "unmanaged-secrets", model.StatusOpen)
	want := []string{"unmanaged-secrets:exporter", "unmanaged-secrets:exporter:spoofing", "unmanaged-secrets:mailer"}
	if !slices.Equal(got, want) {
		t.Errorf("unmanaged-secrets: got %v, want %v", got, want)
	}
	if got := ofRule(fs, "long-lived-credentials", model.StatusOpen); len(got) != 2 {
		t.Errorf("long-lived-credentials: got %v, want both vendor flows", got)
	}
}
