package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestRemoteAccessWithoutMFA: a person's password sign-in to a jump host or
// a vendor's broker whose remote sessions (RDP, a VPN tunnel) go on into a
// restricted zone raises staff-password-without-mfa, unverified while the
// second factor is unknown; a sign-in to an application that only queries
// a restricted database does not, nor does one whose second factor is
// stated. A person outside opening a remote session straight onto a host in
// the restricted zone, sign-in unknown, raises it too.
func TestRemoteAccessWithoutMFA(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "recall20", "remote-access.yaml"), rules.All())
	want := []string{"staff-password-without-mfa:engineer-jump", "staff-password-without-mfa:vendor-broker", "staff-password-without-mfa:vendor-desktop"}
	if got := ofRule(fs, "staff-password-without-mfa", ""); !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
	if got := ofRule(fs, "staff-password-without-mfa", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified threats %v, want %v", got, want)
	}
}
