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
