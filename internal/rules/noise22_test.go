package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestSessionHostAnswersNoRequests: a jump host reached only over RDP is a
// session host, and the rules about how a component handles requests
// (object-level authorization, input validation, request limits, error
// details) raise nothing on it; the API beside it, reached over https,
// keeps them (noise22).
func TestSessionHostAnswersNoRequests(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise22", "session-host.yaml"), rules.All())
	for _, f := range fs {
		switch f.Rule {
		case "missing-object-authorization", "unvalidated-user-input", "no-request-limits", "error-detail-leakage":
		default:
			continue
		}
		for _, tg := range f.Targets {
			if tg.ID() == "jump-host" {
				t.Errorf("%s names the session host", f.ID)
			}
		}
	}
	if got := ofRule(fs, "missing-object-authorization", ""); !slices.Contains(got, "missing-object-authorization:historian-api") {
		t.Errorf("missing-object-authorization %v, want it on historian-api", got)
	}
}
