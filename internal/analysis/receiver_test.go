package analysis_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestFoldIntoReceiver: an unknown authentication on the partner's call
// and an entry point not known to authenticate its callers are one
// threat, naming the component and the flow and asking both questions; a
// stated gap on the flow stays its own threat. (The orders need high
// integrity: at a moderate stake the spoofing threat is medium at most and
// the per-element cap leaves it out, with nothing to fold into.)
func TestFoldIntoReceiver(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: confidential, data: [pii], integrity: high}
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

// TestFoldIntoReceiverFurther: the weakness's further elevation threat
// on the flow (a sender nobody authenticates acts with the receiver's
// rights) joins the receiver's elevation threat of the same weakness, as
// its spoofing threat does: one line per element and category. The
// receiver's spoofing and elevation readings are one threat
// (rule.Rule.OneLine), which names the flow and carries both categories.
func TestFoldIntoReceiverFurther(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: readings, kind: data, classification: internal, integrity: critical}
boundaries:
  - {id: road, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: logger, kind: device, boundary: road}
  - {id: ingest, kind: service, boundary: dc, processes: [readings]}
  - {id: stream, kind: queue, boundary: dc, stores: [readings]}
flows:
  - {id: upload, from: logger, to: ingest, protocol: https, encryption: tls, carries: [readings]}
  - {id: publish, from: ingest, to: stream, protocol: https, carries: [readings]}
`
	a := analyse(t, src)
	if f := find(a, "unauthenticated-inbound-flow:upload:elevation_of_privilege"); f != nil {
		t.Errorf("the flow's elevation is listed beside the receiver's: %v", ids(a))
	}
	g := find(a, "unauthenticated-entry-point:ingest")
	if g == nil || !slices.Contains(g.Categories, model.ElevationOfPrivilege) {
		t.Fatalf("no unauthenticated-entry-point:ingest with elevation: %v", ids(a))
	}
	var tg []string
	for _, x := range g.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"ingest", "upload"}) {
		t.Errorf("targets %v, want ingest and upload", tg)
	}
	// A stated gap on the flow keeps its own elevation threat (joined to
	// the flow's spoofing threat, of the same weakness: OneLine).
	a = analyse(t, strings.Replace(src, "encryption: tls,", "encryption: tls, authentication: none,", 1))
	f := find(a, "unauthenticated-inbound-flow:upload")
	if f == nil || !f.Open() || !slices.Contains(f.Categories, model.ElevationOfPrivilege) {
		t.Errorf("the flow's stated gap has no open elevation threat: %v", ids(a))
	}
}

// TestDeputyFoldsIntoObjectAuthorization: a front serving users that calls
// an entry point (which users also call directly) without passing their
// identity (confused-deputy), and the
// entry point not known to check each object for the caller
// (missing-object-authorization), are one missing check at the receiver:
// one elevation threat names the flow and the receiver and asks both
// questions.
func TestDeputyFoldsIntoObjectAuthorization(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: bookings, classification: confidential, data: [pii]}
boundaries:
  - {id: edge, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: traveller, kind: person, boundary: edge}
  - {id: web, kind: service, boundary: dc, processes: [bookings]}
  - {id: api, kind: service, boundary: dc, stores: [bookings]}
flows:
  - {from: traveller, to: web, protocol: https, authentication: session}
  - {from: traveller, to: api, protocol: https, authentication: token}
  - {id: web-api, from: web, to: api, protocol: https, encryption: tls, authentication: mtls, carries: [bookings]}
`
	a := analyse(t, src)
	deputy, moa := find(a, "confused-deputy:web-api"), find(a, "missing-object-authorization:api")
	if (deputy == nil) == (moa == nil) {
		t.Fatalf("want one of confused-deputy:web-api and missing-object-authorization:api listed: %v", ids(a))
	}
	g := deputy
	if g == nil {
		g = moa
	}
	var tg []string
	for _, x := range g.Targets {
		tg = append(tg, x.ID())
	}
	slices.Sort(tg)
	if !slices.Equal(tg, []string{"api", "web-api"}) {
		t.Errorf("%s targets %v, want api and web-api", g.ID, tg)
	}
	for _, q := range []string{"web-api.forwards_identity", "api.authorizes"} {
		if !slices.Contains(g.Questions, q) {
			t.Errorf("%s questions %v lack %s", g.ID, g.Questions, q)
		}
	}
}
