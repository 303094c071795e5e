package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestLLMOutputLookupDisclosure: model output that chooses what a service
// looks up, with the answer returned to the model (lookup), raises the
// disclosure copy of llm-insecure-output-handling; output that only drives
// an action with nothing returned (cancel) does not (family22).
func TestLLMOutputLookupDisclosure(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "llm-insecure-output-handling", "lookup.yaml"), rules.All())
	got := ofRule(fs, "llm-insecure-output-handling", "")
	for _, id := range []string{"llm-insecure-output-handling:lookup", "llm-insecure-output-handling:lookup:information_disclosure", "llm-insecure-output-handling:cancel", "llm-insecure-output-handling:cancel:elevation_of_privilege"} {
		if !slices.Contains(got, id) {
			t.Errorf("lookup.yaml: got %v, want %s", got, id)
		}
	}
	if slices.Contains(got, "llm-insecure-output-handling:cancel:information_disclosure") {
		t.Errorf("lookup.yaml: got %v, want no disclosure copy where nothing comes back", got)
	}
}
