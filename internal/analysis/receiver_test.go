package analysis_test

import (
	"slices"
	"strings"
	"testing"
)

// TestFoldIntoReceiver: an unknown authentication on the partner's call
// and an entry point not known to authenticate its callers are one
// threat, naming the component and the flow and asking both questions; a
// stated gap on the flow stays its own threat.
func TestFoldIntoReceiver(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: confidential, data: [pii]}
boundaries:
  - {id: partner, trust: partner}
  - {id: dc, trust: internal}
components:
  - {id: partner-app, kind: service, boundary: partner, third_party: true}
  - {id: api, kind: service, boundary: dc, stores: [orders]}
flows:
  - {id: partner-call, from: partner-app, to: api, protocol: https, encryption: tls, carries: [orders]}
`
	a := analyse(t, src)
	if f := find(a, "unauthenticated-inbound-flow:partner-call"); f != nil {
		t.Errorf("the flow's threat is listed beside the receiver's: %v", ids(a))
	}
	g := find(a, "unauthenticated-entry-point:api")
	if g == nil {
		t.Fatalf("no unauthenticated-entry-point:api: %v", ids(a))
	}
	var tg []string
	for _, x := range g.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"api", "partner-call"}) {
		t.Errorf("targets %v, want api and partner-call", tg)
	}
	if !slices.Contains(g.Questions, "partner-call.authentication") {
		t.Errorf("questions %v lack the flow's", g.Questions)
	}
	for _, q := range a.Questions {
		if q.ID == "partner-call.authentication" && !slices.Contains(q.Threats, g) {
			t.Errorf("question %s does not settle the joined threat", q.ID)
		}
	}
	// A stated gap on the flow is not folded into the unknown.
	a = analyse(t, strings.Replace(src, "encryption: tls,", "encryption: tls, authentication: none,", 1))
	if f := find(a, "unauthenticated-inbound-flow:partner-call"); f == nil || !f.Open() {
		t.Errorf("the flow's stated gap is not its own open threat: %v", ids(a))
	}
}
