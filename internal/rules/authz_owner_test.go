package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/rules"
)

// TestObjectOwner: missing-object-authorization reads who owns per-user
// objects from the structure. An entry point reaching sensitive data keeps
// the rule's ease; one reaching none of the model's sensitive data is raised
// one step less easy, saying why; one only the team's own jobs call raises
// nothing and asks whether it authorizes.
func TestObjectOwner(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "missing-object-authorization", "owner.yaml"), rules.All())
	ease := map[string]int{}
	for _, f := range fs {
		if f.Rule != "missing-object-authorization" {
			continue
		}
		ease[f.ID] = int(f.Exploitability)
		if f.Targets[0].ID() == "timetable-api" && !slices.ContainsFunc(f.Rationale, func(s string) bool { return s != "" && s[:4] == "none" }) {
			t.Errorf("%s: rationale %q does not say no sensitive data is within reach", f.ID, f.Rationale)
		}
	}
	want := map[string]int{
		"missing-object-authorization:api":                                  1,
		"missing-object-authorization:api:information_disclosure":           1,
		"missing-object-authorization:api:tampering":                        1,
		"missing-object-authorization:timetable-api":                        0,
		"missing-object-authorization:timetable-api:information_disclosure": 0,
		"missing-object-authorization:timetable-api:tampering":              0,
	}
	for id, e := range want {
		if got, ok := ease[id]; !ok || got != e {
			t.Errorf("%s: exploitability %d (raised %v), want %d", id, got, ok, e)
		}
	}
	for id := range ease {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected %s", id)
		}
	}
	asked := false
	for _, q := range qs {
		if q.ID == "ledger-api.authorizes" && slices.Contains(q.Rules, "missing-object-authorization") {
			asked = true
		}
	}
	if !asked {
		t.Error("ledger-api.authorizes not asked for missing-object-authorization")
	}
}
