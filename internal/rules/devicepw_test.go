package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestDevicePasswordShared: a password people use to get into a device of
// ours (directly or from a client they use) raises long-lived-credentials
// on that flow, unverified while the device's secrets_managed is unknown;
// a device's own token to our services and a person's
// password into a service of ours do not.
func TestDevicePasswordShared(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "long-lived-credentials", "device-password.yaml"), rules.All())
	want := []string{"long-lived-credentials:laptop-wifi", "long-lived-credentials:site-ssh"}
	if got := ofRule(fs, "long-lived-credentials", ""); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "long-lived-credentials", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified: got %v, want %v", got, want)
	}
	if got := asking(qs, "long-lived-credentials"); !slices.Equal(got, []string{"cabinet-wifi.secrets_managed", "gateway.secrets_managed"}) {
		t.Errorf("questions %v", got)
	}
}
