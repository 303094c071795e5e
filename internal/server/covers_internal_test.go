package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/session"
)

// TestMergedFrom: only a merged threat (one with aliases) gets covers.
func TestMergedFrom(t *testing.T) {
	res := []byte(`{"findings":[{"id":"r:db","origin":"builtin","aliases":["r:a-db","r:b-db"]},{"id":"q:x","origin":"builtin"}]}`)
	if got, _ := mergedFrom(res, "r:db"); !slices.Equal(got, []string{"r:a-db", "r:b-db"}) {
		t.Errorf("merged: %v", got)
	}
	if got, _ := mergedFrom(res, "q:x"); got != nil {
		t.Errorf("single: %v", got)
	}
	if got, _ := mergedFrom(nil, "q:x"); got != nil {
		t.Errorf("no result: %v", got)
	}
}

// TestPlanDecisionCovers: a session's decision on a merged threat records
// the hops it covers; one on another finding records none.
func TestPlanDecisionCovers(t *testing.T) {
	b := Bundle{Main: "ward.yaml", Files: map[string]string{"ward.yaml": "ward: 1\nsystem: {id: s, name: S}\n"}}
	plan := session.Plan{Decisions: []session.FindingDecision{
		{Finding: "r:db", Status: "accepted", Reason: "ours", Owner: "dana", Expires: "2027-01-31"},
		{Finding: "q:x", Status: "false_positive", Reason: "no"},
	}}
	if err := applyPlan(&b, plan, map[string][]string{"r:db": {"r:a-db", "r:b-db"}}); err != nil {
		t.Fatal(err)
	}
	y := b.Files["ward.yaml"]
	c := strings.Index(y, "covers:")
	if c < 0 || c > strings.Index(y, "finding: q:x") || !strings.Contains(y[c:], "r:a-db") || !strings.Contains(y[c:], "r:b-db") || strings.Count(y, "covers:") != 1 {
		t.Errorf("plan applied:\n%s", y)
	}
}
