package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestTransportToOurStaff: a hop an outside party sends to a person of ours
// raises transport threats naming the sender and the person (they act on
// what arrives); a vendor's delivery to a person outside stays quiet.
func TestTransportToOurStaff(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise19", "staff-mail.yaml"), rules.All())
	n := 0
	for _, f := range fs {
		if f.Rule != "cleartext-protocol" {
			continue
		}
		var on []string
		for _, tg := range f.Targets {
			on = append(on, tg.ID())
		}
		slices.Sort(on)
		if want := []string{"agent-mail", "agents", "coordinator"}; !slices.Equal(on, want) {
			t.Errorf("%s names %v, want %v", f.ID, on, want)
		}
		n++
	}
	if n == 0 {
		t.Errorf("no cleartext-protocol threat on agent-mail")
	}
	for _, f := range fs {
		for _, tg := range f.Targets {
			if tg.Flow != nil && tg.Flow.ID == "mail-borrower" {
				t.Errorf("%s on the vendor's delivery to the borrower", f.ID)
			}
		}
	}
}

// TestStoreReaderIsNoEntryPoint: a process reading a store in a less
// trusted zone is no entry point (the store calls no one); one called by a
// service there is.
func TestStoreReaderIsNoEntryPoint(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise19", "store-reader.yaml"), rules.All())
	if got, want := ofRule(fs, "overprivileged-entry-point", ""), []string{"overprivileged-entry-point:rating-api"}; !slices.Equal(got, want) {
		t.Errorf("entry-point threats %v, want %v", got, want)
	}
}
