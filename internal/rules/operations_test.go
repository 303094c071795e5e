package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestFieldDeviceCategories: a device in the field, not known to be
// hardened, raises tampering and the disclosure and spoofing its handling
// enables; denial of service only where it acts on what another component
// sends it (the valve), not where it only reports (the meter, noise21)
// (field-device-tampering/unverified.yaml).
func TestFieldDeviceCategories(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "field-device-tampering", "unverified.yaml"), rules.All())
	want := []string{"field-device-tampering:meter",
		"field-device-tampering:meter:information_disclosure", "field-device-tampering:meter:spoofing",
		"field-device-tampering:valve", "field-device-tampering:valve:denial_of_service",
		"field-device-tampering:valve:information_disclosure", "field-device-tampering:valve:spoofing"}
	if got := ofRule(fs, "field-device-tampering", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestFieldDeviceNothingAtStake: a device that holds nothing, sends nothing
// on and is fed no asset raises nothing; one fed commands does
// (field-device-tampering/fed.yaml, noise20b).
func TestFieldDeviceNothingAtStake(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "field-device-tampering", "fed.yaml"), rules.All())
	for _, id := range ofRule(fs, "field-device-tampering", "") {
		if !strings.HasPrefix(id, "field-device-tampering:pump") {
			t.Errorf("raised %s, want the pump's threats only", id)
		}
	}
	if got := ofRule(fs, "field-device-tampering", model.StatusUnverified); !slices.Contains(got, "field-device-tampering:pump") {
		t.Errorf("got %v, want field-device-tampering:pump", got)
	}
}

// TestQueueForgerySpoofingWhereAnonymous: a consumer acting on unsigned
// money messages raises spoofing of the producer only where a publisher of
// the queue may be unauthenticated (queue-message-tampering/publishers.yaml,
// noise20b).
func TestQueueForgerySpoofingWhereAnonymous(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "queue-message-tampering", "publishers.yaml"), rules.All())
	got := ofRule(fs, "queue-message-tampering", "")
	if !slices.Contains(got, "queue-message-tampering:usage-consume:spoofing") || slices.Contains(got, "queue-message-tampering:ledger-consume:spoofing") {
		t.Errorf("got %v, want usage-consume's spoofing copy and not ledger-consume's", got)
	}
}
