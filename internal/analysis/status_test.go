package analysis_test

import (
	"time"

	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
)

func find(a *analysis.Analysis, id string) *model.Finding {
	for _, f := range a.Findings {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// statusModel has one internet entry point whose authentication is set by
// the test: no, yes or left unknown.
func statusModel(auth string) string {
	ctl := ""
	if auth != "" {
		ctl = ", controls: {authenticates: " + auth + "}"
	}
	return `ward: 1
system: {id: s, name: S}
assets:
  - {id: profile, classification: confidential, data: [pii]}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: api, kind: service, boundary: dc, processes: [profile]` + ctl + `}
flows:
  - {from: user, to: api, protocol: https}
`
}

// TestThreatStatus: the precondition holds in all three models; the control
// sets open, unverified (with the question that settles it) or nothing
// (mitigated, kept only when asked for).
func TestThreatStatus(t *testing.T) {
	const id = "unauthenticated-entry-point:api"
	open := find(analyse(t, statusModel("no")), id)
	if open == nil || open.Status != model.StatusOpen {
		t.Fatalf("authenticates: no → %+v, want open", open)
	}
	a := analyse(t, statusModel(""))
	unv := find(a, id)
	if unv == nil || unv.Status != model.StatusUnverified {
		t.Fatalf("authenticates unknown → %+v, want unverified", unv)
	}
	if len(unv.Questions) != 1 || unv.Questions[0] != "api.authenticates" {
		t.Errorf("unverified threat settles with %v, want [api.authenticates]", unv.Questions)
	}
	if unv.Residual.Score >= open.Residual.Score || unv.Inherent != open.Inherent {
		t.Errorf("unverified residual %d, inherent %d; open residual %d: a stated gap must outrank an equal unknown one",
			unv.Residual.Score, unv.Inherent.Score, open.Residual.Score)
	}
	if n := a.Count(model.SevInfo); n != 0 {
		t.Errorf("--fail-on counts %d threats in a model with no stated gap", n)
	}
	if a.CountUnverified(model.SevInfo) == 0 {
		t.Error("CountUnverified counts nothing")
	}
	if f := find(analyse(t, statusModel("yes")), id); f != nil {
		t.Errorf("authenticates: yes → %s without --all", f.Status)
	}
	m := parse(t, statusModel("yes"))
	all, err := analysis.Run(t.Context(), m, allRules(), analysis.Options{Now: now, Mitigated: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := find(all, id); f == nil || f.Status != model.StatusMitigated {
		t.Errorf("authenticates: yes with Mitigated → %+v, want mitigated", f)
	}
}

// TestUncertaintyPolicy: policy uncertainty 0 ranks unknown like a stated
// gap; the default lowers the likelihood.
func TestUncertaintyPolicy(t *testing.T) {
	const id = "unauthenticated-entry-point:api"
	def := find(analyse(t, statusModel("")), id)
	none := find(analyse(t, statusModel("")+"policy: {uncertainty: 0}\n"), id)
	if def == nil || none == nil {
		t.Fatal("threat missing")
	}
	if none.Residual != none.Inherent || def.Residual.Likelihood >= def.Inherent.Likelihood {
		t.Errorf("uncertainty 0: residual %+v inherent %+v; default residual %+v", none.Residual, none.Inherent, def.Residual)
	}
}

// TestDecisionAlias: a decision recorded against a weakness's id (as Ward
// printed it before threats were split by STRIDE category) applies to every
// threat the weakness raises, and raises no "matches no finding" warning.
func TestDecisionAlias(t *testing.T) {
	src := statusModel("no") + `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public by design, expires: 2027-01-31}
`
	src = strings.Replace(src, "processes: [profile]", "processes: [profile], admin: true", 1)
	a := analyse(t, src)
	prim, extra := find(a, "unauthenticated-entry-point:api"), find(a, "unauthenticated-entry-point:api:elevation_of_privilege")
	if prim == nil || extra == nil {
		t.Fatalf("threats: %v", ids(a))
	}
	if prim.Status != model.StatusAccepted || extra.Status != model.StatusAccepted {
		t.Errorf("statuses %s and %s, want accepted through the alias", prim.Status, extra.Status)
	}
	for _, w := range a.Warnings {
		if strings.Contains(w.Msg, "matches no finding") {
			t.Errorf("warning %q", w.Msg)
		}
	}
}

// TestAnonymousByDesign: an entry point anonymous by design raises no
// authentication threat, but still its abuse threats.
func TestAnonymousByDesign(t *testing.T) {
	src := strings.Replace(statusModel(""), "processes: [profile]", "processes: [profile], anonymous: true", 1)
	a := analyse(t, src)
	if f := find(a, "unauthenticated-entry-point:api"); f != nil {
		t.Errorf("anonymous entry point: %s %s", f.ID, f.Status)
	}
	if find(a, "no-rate-limiting:api") == nil {
		t.Errorf("anonymous entry point lost its abuse threats: %v", ids(a))
	}
}

// TestRelayForwards: object authorization is owed by the service behind a
// CDN, not by the CDN.
func TestRelayForwards(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: confidential, data: [pii]}
boundaries:
  - {id: internet, trust: internet}
  - {id: edge, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: cdn, kind: service, tech: CloudFront, boundary: edge}
  - {id: orders-api, kind: service, boundary: edge, stores: [orders]}
flows:
  - {from: user, to: cdn, protocol: https}
  - {from: cdn, to: orders-api, protocol: https}
`
	a := analyse(t, src)
	if f := find(a, "missing-object-authorization:cdn"); f != nil {
		t.Errorf("relay blamed: %s", f.ID)
	}
	if find(a, "missing-object-authorization:orders-api") == nil {
		t.Errorf("owner behind the relay not examined: %v", ids(a))
	}
	// Stated relay: no overrides the inference.
	m := parse(t, strings.Replace(src, "tech: CloudFront,", "tech: CloudFront, relay: \"no\",", 1)+"policy: {max_unverified_per_element: 0}\n")
	a, err := analysis.Run(t.Context(), m, allRules(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if find(a, "missing-object-authorization:cdn") == nil {
		t.Errorf("relay: no ignored: %v", ids(a))
	}
}

// TestLocalFlow: same-host and link-local flows get no transport threats.
func TestLocalFlow(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: creds, kind: credential, data: [credentials]}
boundaries:
  - {id: dc, trust: internal}
components:
  - {id: app, kind: service, boundary: dc}
  - {id: agent, kind: service, boundary: dc}
  - {id: metadata, name: Instance metadata service, kind: external, boundary: dc}
flows:
  - {id: sock, from: app, to: agent, protocol: grpc, encryption: none, carries: [creds], local: true}
  - {id: imds, from: app, to: metadata, protocol: http, carries: [creds]}
  - {id: net, from: agent, to: app, protocol: grpc, encryption: none, carries: [creds]}
`
	a := analyse(t, src)
	for _, f := range a.Findings {
		if strings.HasPrefix(f.ID, "credentials-in-cleartext:") && f.ID != "credentials-in-cleartext:net" && !strings.HasPrefix(f.ID, "credentials-in-cleartext:net:") {
			t.Errorf("transport threat on a local flow: %s", f.ID)
		}
	}
	if find(a, "credentials-in-cleartext:net") == nil {
		t.Errorf("network flow lost its transport threat: %v", ids(a))
	}
}

// TestRateLimitScope: a global budget is a stated gap for per-caller abuse.
func TestRateLimitScope(t *testing.T) {
	src := strings.Replace(statusModel("yes"), "controls: {authenticates: yes}", "controls: {authenticates: yes, rate_limits: yes}, rate_limit_scope: global", 1)
	if f := find(analyse(t, src), "no-rate-limiting:api"); f == nil || f.Status != model.StatusOpen {
		t.Errorf("global rate limit → %+v, want open", f)
	}
	src = strings.Replace(src, "global", "per_caller", 1)
	if f := find(analyse(t, src), "no-rate-limiting:api"); f != nil {
		t.Errorf("per-caller rate limit → %s", f.Status)
	}
}

// TestStrideComplete: cleartext transport of card data is both disclosure
// and tampering, each its own threat; the flow threat about the receiver
// names both the flow and the receiving component.
func TestStrideComplete(t *testing.T) {
	a := analyse(t, base)
	var cats []model.Category
	for _, f := range a.Findings {
		if strings.HasPrefix(f.ID, "cleartext-protocol:user-to-web") {
			cats = append(cats, f.Category)
		}
	}
	if len(cats) != 3 {
		t.Errorf("card data over http raises %v, want disclosure, tampering and spoofing", cats)
	}
	// The weakness's spoofing and elevation readings are one threat
	// (rule.Rule.OneLine), its own, carrying both categories.
	f := find(a, "unauthenticated-inbound-flow:web-to-db")
	if f == nil || len(f.Targets) != 2 || f.Targets[1].Component == nil || f.Targets[1].Component.ID != "db" {
		t.Fatalf("unauthenticated flow into the vault %+v, want targets flow and db", f)
	}
	if !slices.Contains(f.Categories, model.ElevationOfPrivilege) {
		t.Errorf("unauthenticated flow into a data store raises no elevation: %v", f.Categories)
	}
}

// TestQuestionsRanked: questions carry the threats they settle and the risk
// their answer moves, ranked by it, with the first ones marked.
func TestQuestionsRanked(t *testing.T) {
	a := analyse(t, statusModel(""))
	if len(a.Questions) == 0 {
		t.Fatal("no questions")
	}
	first := 0
	for i, q := range a.Questions {
		if q.First {
			first++
		}
		if i > 0 && q.Moves > a.Questions[i-1].Moves {
			t.Errorf("question %s moves %d after one moving %d", q.ID, q.Moves, a.Questions[i-1].Moves)
		}
		if i == 0 && len(q.Threats) == 0 {
			t.Errorf("first question %s settles no listed threat", q.ID)
		}
	}
	if first == 0 {
		t.Error("no question marked to answer first")
	}
}

var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func parse(t *testing.T, src string) *model.Model {
	t.Helper()
	m, _, err := spec.Parse("ward.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func allRules() []*rule.Rule { return rules.All() }

// TestSinglePointOfFailureHub: when the system's availability is an asset,
// a process three components depend on is a single point of failure; one
// with a single caller is not.
func TestSinglePointOfFailureHub(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: uptime, kind: availability, availability: critical}
boundaries:
  - {id: dc, trust: internal}
components:
  - {id: a, kind: service, boundary: dc}
  - {id: b, kind: service, boundary: dc}
  - {id: c, kind: service, boundary: dc}
  - {id: hub, kind: service, boundary: dc}
  - {id: leaf, kind: service, boundary: dc}
flows:
  - {from: a, to: hub, protocol: grpc}
  - {from: b, to: hub, protocol: grpc}
  - {from: c, to: hub, protocol: grpc}
  - {from: a, to: leaf, protocol: grpc}
`
	// The rule is zone-wide: the threat may be the zone's, naming hub.
	names := func(a *analysis.Analysis, id string) bool {
		for _, f := range a.Findings {
			if f.Rule == "single-point-of-failure" && slices.ContainsFunc(f.Targets, func(x model.Target) bool { return x.ID() == id }) {
				return true
			}
		}
		return false
	}
	a := analyse(t, src)
	if !names(a, "hub") {
		t.Errorf("hub is not a single point of failure: %v", ids(a))
	}
	if names(a, "leaf") {
		t.Errorf("a component with one caller is named a single point of failure: %v", ids(a))
	}
}

// TestArtefactFlows: a tampered artefact names the flows that ship or pull
// it from the registry.
func TestArtefactFlows(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: dc, trust: internal}
components:
  - {id: registry, kind: storage, tech: container registry, boundary: dc}
  - {id: nodes, kind: service, boundary: dc}
flows:
  - {id: image-pull, from: nodes, to: registry, protocol: https}
`
	f := find(analyse(t, src), "build-artifact-tampering:registry")
	if f == nil {
		t.Fatal("no artefact threat on the registry")
	}
	named := false
	for _, tg := range f.Targets {
		named = named || tg.Flow != nil && tg.Flow.ID == "image-pull"
	}
	if !named {
		t.Errorf("targets %v do not name the pull", f.Targets)
	}
}

// TestAnonymousInferred: end users on flows stating authentication none
// make an unprivileged entry point anonymous by design; the same on an
// admin interface stays an open gap.
func TestAnonymousInferred(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: page, kind: client, boundary: internet}
  - {id: submit, kind: service, boundary: dc}
flows:
  - {from: page, to: submit, protocol: https, authentication: none}
`
	a := analyse(t, src)
	for _, f := range a.Findings {
		if strings.HasPrefix(f.ID, "unauthenticated-") {
			t.Errorf("anonymous-by-design entry point raised %s (%s)", f.ID, f.Status)
		}
	}
	if find(a, "no-rate-limiting:submit") == nil {
		t.Errorf("abuse threats lost: %v", ids(a))
	}
	a = analyse(t, strings.Replace(src, "kind: service, boundary: dc}", "kind: service, boundary: dc, admin: true}", 1))
	if f := find(a, "unauthenticated-inbound-flow:page-to-submit"); f == nil || f.Status != model.StatusOpen {
		t.Errorf("unauthenticated admin interface → %+v, want open", f)
	}
}
