package analysis_test

import (
	"slices"
	"strings"
	"testing"
)

// TestFoldSameLine: an internet-facing API not known to rate-limit its
// callers nor to bound its requests is one flooding threat (rule.SameLine),
// the better-ranked of the two, asking both questions; a stated gap is not
// folded into an unknown, and a decision keeps its threat apart.
func TestFoldSameLine(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - id: api
    kind: service
    boundary: dc
    controls: {authenticates: yes, logs_security_events: yes, encodes_output: yes, generic_errors: yes, pins_dependencies: yes, validates_input: yes}
flows:
  - {from: user, to: api, protocol: https}
`
	const rate, limits = "no-rate-limiting:api", "no-request-limits:api"
	a := analyse(t, src)
	r, l := find(a, rate), find(a, limits)
	if (r == nil) == (l == nil) {
		t.Fatalf("want one of %s and %s listed: %v", rate, limits, ids(a))
	}
	keep := r
	if keep == nil {
		keep = l
	}
	for _, q := range []string{"api.rate_limits", "api.timeouts"} {
		if !slices.Contains(keep.Questions, q) {
			t.Errorf("%s questions %v lack %s", keep.ID, keep.Questions, q)
		}
	}
	for _, q := range a.Questions {
		if q.ID == "api.timeouts" && !slices.Contains(q.Threats, keep) {
			t.Errorf("question %s does not settle %s", q.ID, keep.ID)
		}
	}
	// A stated gap stays its own threat beside an unknown ranked before it.
	a = analyse(t, strings.Replace(src, "validates_input: yes}", "validates_input: yes, timeouts: no}", 1))
	if l := find(a, limits); l == nil || !l.Open() {
		t.Fatalf("the stated gap is not listed open: %v", ids(a))
	}
	if r := find(a, rate); r != nil && r.Rank < find(a, limits).Rank {
		t.Errorf("the unknown %s ranks before the stated gap", rate)
	}
	// A decision on one keeps both listed.
	dec := `decisions:
  - finding: ` + limits + `
    status: accepted
    reason: the gateway bounds requests
    owner: alice
    expires: 2027-01-31
`
	a = analyse(t, src+dec)
	if find(a, rate) == nil || find(a, limits) == nil {
		t.Errorf("a decided threat folded: %v", ids(a))
	}
}
