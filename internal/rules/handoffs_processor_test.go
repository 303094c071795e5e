package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestProcessorSDKAndLLM: sensitive-data-to-processor covers personal data
// an app of ours sends straight to a vendor (an analytics SDK) and a
// vendor's hosted LLM a service of ours prompts, paid or not; unverified
// where minimisation is unknown, nothing for a prompt without personal
// data or for the app's call to our own API.
func TestProcessorSDKAndLLM(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "sensitive-data-to-processor", "sdk-llm.yaml"), rules.All())
	want := []string{"sensitive-data-to-processor:api-llm", "sensitive-data-to-processor:app-analytics"}
	if got := ofRule(fs, "sensitive-data-to-processor", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "sensitive-data-to-processor", model.StatusOpen); len(got) > 0 {
		t.Errorf("open threats %v, want none", got)
	}
	if got := asking(qs, "sensitive-data-to-processor"); len(got) != 2 {
		t.Errorf("questions %v, want one per flow", got)
	}
}

// TestProcessorUnnamed: an app's one-way report to a vendor that names
// nothing it sends carries what the app handles, and a paid API the app
// calls from the user's device or from a service with personal data is a
// processor; all unverified. The game app without personal data stays
// quiet.
func TestProcessorUnnamed(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-processor", "unnamed.yaml"), rules.All())
	want := []string{"sensitive-data-to-processor:app-analytics", "sensitive-data-to-processor:maps"}
	if got := ofRule(fs, "sensitive-data-to-processor", ""); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "sensitive-data-to-processor", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
}

// TestNewThirdPartyUnnamed: a call to a new vendor that names nothing it
// sends is unverified, naming what the caller handles; a caller with no
// personal data, and a lookup that names what it gets back, stay quiet.
func TestNewThirdPartyUnnamed(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-new-third-party", "unnamed.yaml"), rules.All())
	want := []string{"sensitive-data-to-new-third-party:risk-screening"}
	if got := ofRule(fs, "sensitive-data-to-new-third-party", ""); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "sensitive-data-to-new-third-party", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
}
