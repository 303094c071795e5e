package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestThirdPartyEquipmentInRestrictedZone: a third party's device placed
// inside a restricted zone and reached from outside it raises
// third-party-direct-data-access on its call into a process there that
// handles data others rely on (modem-in); the vendor's box with no way in
// from outside and the vendor's call to the zone's gateway do not. The
// control process is raised for elevation alone: no disclosure copy
// (noise20b).
func TestThirdPartyEquipmentInRestrictedZone(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "third-party-direct-data-access", "restricted.yaml"), rules.All())
	got := ofRule(fs, "third-party-direct-data-access", "")
	if !slices.Contains(got, "third-party-direct-data-access:modem-in") {
		t.Errorf("restricted.yaml: got %v, want third-party-direct-data-access:modem-in", got)
	}
	for _, id := range got {
		if id != "third-party-direct-data-access:modem-in" {
			t.Errorf("restricted.yaml: raised %s, want only modem-in", id)
		}
	}
}

// TestInternalDataToNewThirdParty: internal business data sent to a new
// third party raises sensitive-data-to-new-third-party (export); public
// data (share) and a vendor already worked with (old-export) do not.
func TestInternalDataToNewThirdParty(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-new-third-party", "internal.yaml"), rules.All())
	if got, want := ofRule(fs, "sensitive-data-to-new-third-party", ""), []string{"sensitive-data-to-new-third-party:export"}; !slices.Equal(got, want) {
		t.Errorf("internal.yaml: got %v, want %v", got, want)
	}
}

// TestThirdPartyWriteTampering: a third party that writes into a store
// directly (upload) raises the tampering copy beside elevation and
// disclosure; one that only reads what the store returns (read) raises no
// tampering copy (family22).
func TestThirdPartyWriteTampering(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "third-party-direct-data-access", "writes.yaml"), rules.All())
	got := ofRule(fs, "third-party-direct-data-access", "")
	for _, id := range []string{"third-party-direct-data-access:upload", "third-party-direct-data-access:upload:tampering", "third-party-direct-data-access:read", "third-party-direct-data-access:read:information_disclosure"} {
		if !slices.Contains(got, id) {
			t.Errorf("writes.yaml: got %v, want %s", got, id)
		}
	}
	if slices.Contains(got, "third-party-direct-data-access:read:tampering") {
		t.Errorf("writes.yaml: got %v, want no tampering copy on the read-only flow", got)
	}
}
