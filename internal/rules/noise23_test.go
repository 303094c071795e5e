package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestTierSkippingSignedURL: a client's signed-URL request to object storage
// in a restricted zone skips no tier (the tier that signed it decided it);
// its call straight to a restricted service does (noise23).
func TestTierSkippingSignedURL(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise23", "signed-upload.yaml"), rules.All())
	got := ofRule(fs, "restricted-zone-tier-skipping", "")
	if len(got) != 1 {
		t.Fatalf("tier-skipping threats %v, want one", got)
	}
	for _, f := range fs {
		if f.Rule != "restricted-zone-tier-skipping" {
			continue
		}
		if want := "Restricted zone `data` takes flows straight from the internet: `app → ledger`"; f.Title != want {
			t.Errorf("title %q, want %q", f.Title, want)
		}
	}
}

// TestOAuthRedirectOnAuthServers: the redirect threat is on authorization
// servers that others reach, not on a console whose staff sign in through
// SSO nor on an identity-resolution job (noise23).
func TestOAuthRedirectOnAuthServers(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise23", "auth-server.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule == "oauth-redirect-validation" {
			got = append(got, f.Targets[0].Component.ID)
		}
	}
	slices.Sort(got)
	if want := []string{"login", "oauth-server"}; !slices.Equal(got, want) {
		t.Errorf("oauth-redirect-validation on %v, want %v", got, want)
	}
}

// TestMTLSBetweenServicesOnly: restricted data sent with a static secret is
// a threat between two services and to a broker's topic; a service's
// password to its database or bucket is the store's login (noise23).
func TestMTLSBetweenServicesOnly(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise23", "store-login.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule == "restricted-data-without-mtls" && !slices.Contains(got, f.Targets[0].Flow.ID) {
			got = append(got, f.Targets[0].Flow.ID)
		}
	}
	slices.Sort(got)
	if want := []string{"api-to-ledger", "api-to-topic"}; !slices.Equal(got, want) {
		t.Errorf("restricted-data-without-mtls on %v, want %v", got, want)
	}
}
