package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestZoneWideWithoutBoundaries: in a model that draws no boundaries, the
// components of default internal trust are the organisation's own zone
// (noise26), so a zone-wide rule's unknowns on them are one threat naming
// each, as in a model drawn with one zone: the backups of orders-db,
// ledger-db and ledger-archive are one threat, and the integrity of the
// three ledger stores another. A third party's store stays apart, and a
// store stated without backups stays its own open threat. In a model that
// draws a boundary, the stores it leaves out of it are not grouped.
func TestZoneWideWithoutBoundaries(t *testing.T) {
	targets := func(fs []*model.Finding, id string) []string {
		var got []string
		for _, f := range fs {
			if f.ID == id {
				for _, tg := range f.Targets {
					got = append(got, tg.ID())
				}
			}
		}
		return got
	}
	fs, qs := run(t, filepath.Join("testdata", "noise26", "unbounded.yaml"), rules.All())
	const id = "store-without-backups"
	if got, want := ofRule(fs, id, model.StatusUnverified), []string{id + ":orders-db", id + ":vendor-db"}; !slices.Equal(got, want) {
		t.Fatalf("unverified threats %v, want %v", got, want)
	}
	if got, want := targets(fs, id+":orders-db"), []string{"orders-db", "ledger-db", "ledger-archive"}; !slices.Equal(got, want) {
		t.Errorf("the merged threat names %v, want %v", got, want)
	}
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":gone-db"}; !slices.Equal(got, want) {
		t.Errorf("open threats %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "shared-store-tampering", model.StatusUnverified), []string{"shared-store-tampering:ledger-db"}; !slices.Equal(got, want) {
		t.Errorf("shared-store-tampering threats %v, want %v", got, want)
	}
	got := asking(qs, id)
	for _, c := range []string{"orders-db", "ledger-db", "ledger-archive", "vendor-db"} {
		if !slices.Contains(got, c+".backups") {
			t.Errorf("questions %v lack %s.backups", got, c)
		}
	}

	fs, _ = run(t, filepath.Join("testdata", "noise26", "bounded.yaml"), rules.All())
	want := []string{"shared-store-tampering:gone-db", "shared-store-tampering:ledger-archive", "shared-store-tampering:ledger-db"}
	if got := ofRule(fs, "shared-store-tampering", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("with a boundary drawn: shared-store-tampering threats %v, want %v", got, want)
	}
}

// TestFamilyWithoutBoundaries: in a model that draws no boundaries, the
// transport family's threats on the hops into the organisation's own
// components are one zone's (noise26): the plain-HTTP hops shop → billing
// and pos → fulfil, which share no element, are one threat naming both,
// its id the first hop's receiver; the hop into a vendor's service keeps
// its own.
func TestFamilyWithoutBoundaries(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise26", "unbounded-hops.yaml"), rules.All())
	const id = "cleartext-protocol"
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":crm-mailer", id + ":crm-mailer:spoofing", id + ":fulfil", id + ":fulfil:spoofing"}; !slices.Equal(got, want) {
		t.Fatalf("open threats %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.ID != id+":fulfil" {
			continue
		}
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		if want := []string{"pos-fulfil", "shop-billing"}; !slices.Equal(got, want) {
			t.Errorf("the merged threat names %v, want %v", got, want)
		}
	}
}

// TestDeviceStoreNotReachedFromInternet: a store in a zone of internet
// trust beside the app that writes it is the device's own (noise26): the
// phone's local-db raises neither store-reachable-from-internet nor
// sensitive-store-in-untrusted-zone; the bucket the app reaches across the
// boundary raises the first, and dmz-db, written by a server of ours, the
// second.
func TestDeviceStoreNotReachedFromInternet(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise26", "device-store.yaml"), rules.All())
	if got, want := ofRule(fs, "store-reachable-from-internet", ""), []string{"store-reachable-from-internet:bucket", "store-reachable-from-internet:bucket:tampering"}; !slices.Equal(got, want) {
		t.Errorf("store-reachable-from-internet %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "sensitive-store-in-untrusted-zone", ""), []string{"sensitive-store-in-untrusted-zone:dmz"}; !slices.Equal(got, want) {
		t.Errorf("sensitive-store-in-untrusted-zone %v, want %v", got, want)
	}
}

// TestPushNotScraped: what a service pushes to a person who never calls it
// is not harvested request by request (noise26): alerts, which only pushes
// to the pharmacist, raises no scraping; lookup, which the member calls,
// does.
func TestPushNotScraped(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise26", "push-not-scraped.yaml"), rules.All())
	if got, want := ofRule(fs, "scraping", ""), []string{"scraping:lookup"}; !slices.Equal(got, want) {
		t.Errorf("scraping %v, want %v", got, want)
	}
}
