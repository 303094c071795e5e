package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestCleartextAnswerNamesCaller: a cleartext read whose answer needs high
// integrity or more names the calling service beside the flow (whoever
// answers at the address feeds it); a read of data nobody relies on names
// the flow only.
func TestCleartextAnswerNamesCaller(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "cleartext-protocol", "answer-caller.yaml"), rules.All())
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Rule != "cleartext-protocol" {
			continue
		}
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		switch {
		case slices.Contains(got, "flags-read"):
			seen["flags"] = true
			if !slices.Contains(got, "product") {
				t.Errorf("%s targets %v, want the calling service product too", f.ID, got)
			}
		case slices.Contains(got, "docs-read"):
			seen["docs"] = true
			if slices.Contains(got, "docs-reader") {
				t.Errorf("%s targets %v, want the flow only", f.ID, got)
			}
		}
	}
	if !seen["flags"] || !seen["docs"] {
		t.Errorf("cleartext-protocol threats seen %v, want both reads", seen)
	}
}
