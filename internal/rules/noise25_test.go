package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestBackupsOfOthersPlatformsAsked: a store in a partner's or the
// internet zone is backed up by whoever runs that platform (noise25):
// while its backups are unknown store-without-backups asks and raises
// nothing there; a stated gap there is still an open threat, and a store of
// our own zone keeps its unverified threat.
func TestBackupsOfOthersPlatformsAsked(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "noise25", "others-platform.yaml"), rules.All())
	const id = "store-without-backups"
	if got, want := ofRule(fs, id, model.StatusUnverified), []string{id + ":orders-db"}; !slices.Equal(got, want) {
		t.Errorf("unverified threats %v, want %v", got, want)
	}
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":vendor-files"}; !slices.Equal(got, want) {
		t.Errorf("open threats %v, want %v", got, want)
	}
	got := asking(qs, id)
	for _, c := range []string{"orders-db", "vendor-warehouse", "cdn-cache"} {
		if !slices.Contains(got, c+".backups") {
			t.Errorf("questions %v lack %s.backups", got, c)
		}
	}
}

// TestRelayHoldsNoGrants: a relay (a CDN, WAF, proxy or API gateway)
// forwards requests without owning what is behind them (noise25): it
// raises no overprivileged-entry-point threat, and its unvalidated input
// is a tampering threat only (what it forwards or caches unchecked), with
// no elevation copy; the API behind it keeps both rules' threats.
func TestRelayHoldsNoGrants(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise25", "relay.yaml"), rules.All())
	if got, want := ofRule(fs, "overprivileged-entry-point", ""), []string{"overprivileged-entry-point:api"}; !slices.Equal(got, want) {
		t.Errorf("overprivileged-entry-point threats %v, want %v", got, want)
	}
	const uui = "unvalidated-user-input"
	want := []string{uui + ":api", uui + ":api:elevation_of_privilege", uui + ":edge-cdn"}
	if got := ofRule(fs, uui, ""); !slices.Equal(got, want) {
		t.Errorf("%s threats %v, want %v", uui, got, want)
	}
}

// TestSecretsStoreIsNoArtefactStore: a store whose records are only
// credentials is a secrets store, whatever its name says (noise25): a
// vault named "build-secrets" raises no build-artifact-tampering threat,
// as a token registry already did not; the build cache beside it, holding
// what the builds produce, keeps its threat.
func TestSecretsStoreIsNoArtefactStore(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise25", "secrets-store.yaml"), rules.All())
	const id = "build-artifact-tampering"
	got := ofRule(fs, id, "")
	if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, id+":build-secrets") }) {
		t.Errorf("%s threats %v name the secrets store", id, got)
	}
	if !slices.Contains(got, id+":build-cache") {
		t.Errorf("%s threats %v lack the build cache's", id, got)
	}
}
