package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestThirdPartyEquipmentInRestrictedZone: a third party's device placed
// inside a restricted zone and reached from outside it raises
// third-party-direct-data-access on its call into a process there that
// handles data others rely on (modem-in); the vendor's box with no way in
// from outside and the vendor's call to the zone's gateway do not (the
// latter is raised as remote access instead, since family27). The
// control process is raised for elevation alone: no disclosure copy
// (noise20b).
func TestThirdPartyEquipmentInRestrictedZone(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "third-party-direct-data-access", "restricted.yaml"), rules.All())
	got := ofRule(fs, "third-party-direct-data-access", "")
	if !slices.Contains(got, "third-party-direct-data-access:modem-in") {
		t.Errorf("restricted.yaml: got %v, want third-party-direct-data-access:modem-in", got)
	}
	for _, id := range got {
		// The vendor's VPN into the gateway is remote access, raised by
		// that reading since family27 (TestThirdPartyRemoteAccess).
		if id != "third-party-direct-data-access:modem-in" && id != "third-party-direct-data-access:vpn" {
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

// TestThirdPartyRemoteAccess: a third party's remote session into a host,
// device or workstation of ours (a remote-desktop or VPN protocol, or a
// remote-support tool named in the words) raises third-party-direct-data-
// access for elevation alone, open where the receiver's access is stated
// unreviewed (rdp-in) and unverified where it is not stated (support-in);
// a message feed over a VPN (results-feed) and reviewed access (box-in)
// raise nothing. The threat names the vendor too (family27).
func TestThirdPartyRemoteAccess(t *testing.T) {
	path := filepath.Join("testdata", "third-party-direct-data-access", "remote.yaml")
	fs, _ := run(t, path, rules.All())
	if got, want := ofRule(fs, "third-party-direct-data-access", model.StatusOpen), []string{"third-party-direct-data-access:rdp-in"}; !slices.Equal(got, want) {
		t.Errorf("open: got %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "third-party-direct-data-access", model.StatusUnverified), []string{"third-party-direct-data-access:support-in"}; !slices.Equal(got, want) {
		t.Errorf("unverified: got %v, want %v", got, want)
	}
	for _, id := range ofRule(fs, "third-party-direct-data-access", "") {
		if strings.Contains(id, "results-feed") || strings.Count(id, ":") > 1 {
			t.Errorf("raised %s, want no feed threat and no further category", id)
		}
	}
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var r *rule.Rule
	for _, x := range rules.All() {
		if x.ID == "third-party-direct-data-access" {
			r = x
		}
	}
	for _, f := range l.Model.Flows {
		if f.ID == "rdp-in" {
			if got := r.Mentions(model.Target{Flow: f}); len(got) != 1 || got[0].ID() != "kiosk-vendor" {
				t.Errorf("mentions of rdp-in: got %v, want kiosk-vendor", got)
			}
		}
	}
}
