package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestFieldDeviceCategories: a device in the field, not known to be
// hardened, raises tampering and the disclosure, spoofing and denial of
// service its handling enables (field-device-tampering/unverified.yaml).
func TestFieldDeviceCategories(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "field-device-tampering", "unverified.yaml"), rules.All())
	want := []string{"field-device-tampering:meter", "field-device-tampering:meter:denial_of_service",
		"field-device-tampering:meter:information_disclosure", "field-device-tampering:meter:spoofing"}
	if got := ofRule(fs, "field-device-tampering", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
