package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestCleartextTampering: an unencrypted hop raises tampering besides
// disclosure only where what it carries needs high integrity or more (card
// data, data stated integrity: high); personal data read on the way, or an
// internal cache entry, is a disclosure threat alone. Credentials in the
// clear are replayed (spoofing) wherever they travel, and add tampering only
// where what travels with them needs high integrity.
func TestCleartextTampering(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-in-cleartext", "integrity.yaml"), rules.All())
	var got []string
	for _, r := range []string{"credentials-in-cleartext", "sensitive-data-in-cleartext", "unencrypted-internal-flow"} {
		got = append(got, ofRule(fs, r, model.StatusOpen)...)
	}
	want := []string{"credentials-in-cleartext:charge", "credentials-in-cleartext:charge:spoofing", "credentials-in-cleartext:charge:tampering",
		"credentials-in-cleartext:login", "credentials-in-cleartext:login:spoofing",
		"sensitive-data-in-cleartext:pay", "sensitive-data-in-cleartext:pay:tampering", "sensitive-data-in-cleartext:read-profile",
		"unencrypted-internal-flow:book", "unencrypted-internal-flow:book:tampering", "unencrypted-internal-flow:put"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
