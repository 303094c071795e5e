package risk

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestReduceNeverWraps: mitigations lower risk, never raise it, however
// many there are.
func TestReduceNeverWraps(t *testing.T) {
	for l := model.Likelihood(1); l <= 5; l++ {
		for i := model.Impact(1); i <= 5; i++ {
			r := Make(l, i)
			ms := []*model.Mitigation{{ReducesLikelihood: 2, ReducesImpact: 1}, {ReducesLikelihood: 2, ReducesImpact: 1}, {ReducesLikelihood: 2}}
			got := reduce(r, ms)
			if got.Score > r.Score || got.Likelihood < 1 || got.Impact < 1 {
				t.Errorf("reduce(%v×%v) = %+v; must not exceed %d nor leave the scales", l, i, got, r.Score)
			}
		}
	}
}

func TestBands(t *testing.T) {
	for score, want := range map[int]model.Severity{25: model.SevCritical, 20: model.SevCritical, 16: model.SevHigh, 12: model.SevHigh,
		10: model.SevMedium, 6: model.SevMedium, 5: model.SevLow, 3: model.SevLow, 2: model.SevInfo, 1: model.SevInfo} {
		if got := Band(score); got != want {
			t.Errorf("Band(%d) = %s, want %s", score, got, want)
		}
	}
}

// TestMitigatedDecisionNeedsMitigationsInPlace: a decision cannot close a
// finding while its linked mitigations are only planned.
func TestMitigatedDecisionNeedsMitigationsInPlace(t *testing.T) {
	c := &model.Component{ID: "api", Kind: model.KindService}
	planned := &model.Mitigation{ID: "m1", Status: model.MitPlanned, ReducesLikelihood: 2}
	done := &model.Mitigation{ID: "m2", Status: model.MitImplemented, ReducesLikelihood: 2}
	m := &model.Model{Components: []*model.Component{c}, Mitigations: []*model.Mitigation{planned, done}}
	for _, tc := range []struct {
		mits []*model.Mitigation
		want model.Status
	}{{[]*model.Mitigation{planned}, model.StatusOpen}, {[]*model.Mitigation{done}, model.StatusMitigated}, {nil, model.StatusMitigated}} {
		d := &model.Decision{Finding: "r:api", Status: model.StatusMitigated, Mitigations: tc.mits}
		m.Decisions = []*model.Decision{d}
		m.Index()
		f := &model.Finding{ID: "r:api", Targets: []model.Target{{Component: c}}, Category: model.Spoofing}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Status != tc.want {
			t.Errorf("mitigations %v: status %s, want %s (%s)", tc.mits, f.Status, tc.want, f.Reopened)
		}
	}
}

// TestExposureThroughRelays: a component behind a relay (a gateway that
// forwards requests) is exposed to whatever reaches the relay; without
// relays it is exposed to its direct callers only.
func TestExposureThroughRelays(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	user := &model.Component{ID: "user", Kind: model.KindClient, Boundary: inet}
	gw := &model.Component{ID: "gw", Kind: model.KindService, Boundary: dc}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Components: []*model.Component{user, gw, api},
		Flows: []*model.Flow{{ID: "in", From: user, To: gw}, {ID: "fwd", From: gw, To: api}}}
	m.Index()
	for _, tc := range []struct {
		relay func(*model.Component) bool
		want  model.Likelihood
	}{
		{nil, 2},
		{func(c *model.Component) bool { return c == gw }, 4},
	} {
		f := &model.Finding{ID: "r:api", Targets: []model.Target{{Component: api}}, Category: model.ElevationOfPrivilege}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Relay: tc.relay})
		if f.Inherent.Likelihood != tc.want {
			t.Errorf("relay set %v: likelihood %d, want %d (%v)", tc.relay != nil, f.Inherent.Likelihood, tc.want, f.Rationale)
		}
	}
}

// TestDenialOfServiceImpact: an availability need Ward infers is the one
// the asset's kind implies (medium; high for kind availability), whatever
// the system's criticality, so a denial of service is moderate unless the
// model says more; only a stated critical availability need, or the
// asset's stated business value, makes it severe.
func TestDenialOfServiceImpact(t *testing.T) {
	for _, tc := range []struct {
		asset model.Asset
		crit  model.Level
		prop  model.Category
		want  model.Impact
	}{
		{model.Asset{ID: "a", Classification: model.ClassRestricted}, model.Critical, model.DenialOfService, 3},
		{model.Asset{ID: "a", Kind: model.AssetAvailability}, model.Critical, model.DenialOfService, 4},
		{model.Asset{ID: "a", Availability: model.High}, model.LevelUnset, model.DenialOfService, 4},
		{model.Asset{ID: "a", Value: model.Critical}, model.LevelUnset, model.DenialOfService, 5},
		{model.Asset{ID: "a", Availability: model.Critical}, model.LevelUnset, model.DenialOfService, 5},
		{model.Asset{ID: "a"}, model.High, model.DenialOfService, 3},
		{model.Asset{ID: "a"}, model.LevelUnset, model.DenialOfService, 3},
		{model.Asset{ID: "a", Value: model.Critical}, model.LevelUnset, model.InformationDisclosure, 5},
	} {
		a := tc.asset
		m := &model.Model{System: model.System{Criticality: tc.crit}}
		f := &model.Finding{Category: tc.prop, Assets: []*model.Asset{&a}}
		if got, why := ImpactOf(m, f); got != tc.want {
			t.Errorf("%+v (system %v), %s: impact %d, want %d (%s)", tc.asset, tc.crit, tc.prop, got, tc.want, why)
		}
	}
}

// TestAttackVectors: a content-carried threat follows where its content
// can originate (at most contentHops flows away, passed on by the
// components between), a
// network threat only who sends the element requests, and a supply-chain
// threat neither.
func TestAttackVectors(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	user := &model.Component{ID: "user", Kind: model.KindClient, Boundary: inet}
	chat := &model.Component{ID: "chat", Kind: model.KindService, Boundary: dc}
	queue := &model.Component{ID: "queue", Kind: model.KindQueue, Boundary: dc}
	agent := &model.Component{ID: "agent", Kind: model.KindAgent, Boundary: dc}
	tool := &model.Component{ID: "tool", Kind: model.KindService, Boundary: dc}
	far := &model.Component{ID: "far", Kind: model.KindService, Boundary: dc}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Components: []*model.Component{user, chat, queue, agent, tool, far},
		Flows: []*model.Flow{{ID: "f1", From: user, To: chat}, {ID: "f2", From: chat, To: queue}, {ID: "f3", From: queue, To: agent},
			{ID: "f4", From: agent, To: tool}, {ID: "f5", From: tool, To: far}, {ID: "loop", From: far, To: chat}}}
	m.Index()
	for _, tc := range []struct {
		on     *model.Component
		vector model.Vector
		want   model.Likelihood
	}{
		{agent, model.VectorNetwork, 2},    // only internal callers send it requests
		{agent, model.VectorContent, 4},    // the user's text, passed on by chat and queue
		{tool, model.VectorContent, 2},     // four flows away: beyond contentHops
		{far, model.VectorContent, 2},      // the loop back to chat changes nothing
		{chat, model.VectorSupplyChain, 3}, // on the internet edge, but the attack is upstream
		{far, model.VectorSupplyChain, 3},  // deep inside, the same
		{chat, model.VectorNetwork, 4},     // the edge
	} {
		f := &model.Finding{ID: "r:" + tc.on.ID, Targets: []model.Target{{Component: tc.on}}, Category: model.Tampering, Vector: tc.vector}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.want {
			t.Errorf("%s on %s: likelihood %d, want %d (%v)", tc.vector, tc.on.ID, f.Inherent.Likelihood, tc.want, f.Rationale)
		}
	}
}

// TestImpactWithoutData: in a model that names its data, a threat whose
// elements hold, carry and reach none of it has a minor impact however
// critical the system; an element that touches data, or a model that names
// none, keeps the system's criticality.
func TestImpactWithoutData(t *testing.T) {
	rec := &model.Asset{ID: "records"}
	user := &model.Component{ID: "user", Kind: model.KindPerson}
	calc := &model.Component{ID: "calc", Kind: model.KindFunction}
	gw := &model.Component{ID: "gw", Kind: model.KindService}
	toCalc := &model.Flow{ID: "f1", From: user, To: calc}
	toGw := &model.Flow{ID: "f2", From: user, To: gw, Carries: []*model.Asset{rec}}
	calc.In, gw.In = []*model.Flow{toCalc}, []*model.Flow{toGw}
	named := &model.Model{System: model.System{Criticality: model.Critical}, Assets: []*model.Asset{rec}}
	unnamed := &model.Model{System: model.System{Criticality: model.Critical}}
	for _, tc := range []struct {
		m    *model.Model
		c    *model.Component
		want model.Impact
	}{
		{named, calc, 2},
		{named, gw, 3},
		{unnamed, calc, 3},
	} {
		f := &model.Finding{Category: model.Tampering, Targets: []model.Target{{Component: tc.c}}}
		if got, why := ImpactOf(tc.m, f); got != tc.want {
			t.Errorf("%s (model names %d assets): impact %d, want %d (%s)", tc.c.ID, len(tc.m.Assets), got, tc.want, why)
		}
	}
}

// TestFootholdCountedOnce: an attack that needs a foothold (negative
// exploitability) loses a step on an element the internet or a partner
// reaches, but not on one only internal networks reach, whose exposure
// already assumes the foothold; an easy attack gains its step everywhere.
func TestFootholdCountedOnce(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	user := &model.Component{ID: "user", Kind: model.KindClient, Boundary: inet}
	web := &model.Component{ID: "web", Kind: model.KindService, Boundary: dc}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Boundary: dc}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Components: []*model.Component{user, web, db},
		Flows: []*model.Flow{{ID: "in", From: user, To: web}, {ID: "q", From: web, To: db}}}
	m.Index()
	for _, tc := range []struct {
		c       *model.Component
		exploit int
		want    model.Likelihood
	}{
		{web, -1, 3}, // internet 4, needs a foothold: 3
		{db, -1, 2},  // internal 2: the foothold is already counted
		{db, 0, 2},
		{db, 1, 3}, // easy attacks still gain their step
		{web, 1, 5},
	} {
		f := &model.Finding{ID: "r:" + tc.c.ID, Targets: []model.Target{{Component: tc.c}}, Category: model.Tampering, Exploitability: int8(tc.exploit)}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.want {
			t.Errorf("%s, exploitability %d: likelihood %d, want %d (%v)", tc.c.ID, tc.exploit, f.Inherent.Likelihood, tc.want, f.Rationale)
		}
	}
}

// TestShortRangeRadio: a threat on a short-range radio link (BLE, NFC,
// Zigbee) needs an attacker within range of its ends: it starts from
// possible even when an end is on the internet; the same link over the
// network starts from likely, and a radio link inside the data centre
// stays as unexposed as its ends.
func TestShortRangeRadio(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	phone := &model.Component{ID: "phone", Kind: model.KindClient, Boundary: inet}
	lock := &model.Component{ID: "lock", Kind: model.KindDevice, Boundary: inet}
	reader := &model.Component{ID: "reader", Kind: model.KindService, Boundary: dc}
	badge := &model.Component{ID: "badge", Kind: model.KindService, Boundary: dc}
	ble := &model.Flow{ID: "ble", From: phone, To: lock, Protocol: "BLE"}
	web := &model.Flow{ID: "web", From: phone, To: lock, Protocol: "https"}
	nfc := &model.Flow{ID: "nfc", From: badge, To: reader, Protocol: "nfc"}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Components: []*model.Component{phone, lock, reader, badge},
		Flows: []*model.Flow{ble, web, nfc}}
	m.Index()
	for _, tc := range []struct {
		f    *model.Flow
		want model.Likelihood
	}{{ble, 3}, {web, 4}, {nfc, 2}} {
		f := &model.Finding{ID: "r:" + tc.f.ID, Targets: []model.Target{{Flow: tc.f}}, Category: model.InformationDisclosure}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.want {
			t.Errorf("%s over %s: likelihood %d, want %d (%v)", tc.f.ID, tc.f.Protocol, f.Inherent.Likelihood, tc.want, f.Rationale)
		}
	}
}

// TestSpreadScoreGap: within a band, every element's first threat comes
// before any element's second, but not across a clear difference in risk:
// a threat waits a round per two points below the band's best.
func TestSpreadScoreGap(t *testing.T) {
	a := &model.Component{ID: "a"}
	b := &model.Component{ID: "b"}
	c := &model.Component{ID: "c"}
	mk := func(id string, on *model.Component, score int, cat model.Category) *model.Finding {
		r := model.Risk{Score: int32(score), Severity: Band(score), Likelihood: 2, Impact: model.Impact(score / 2)}
		return &model.Finding{ID: id, Rule: id, Category: cat, Targets: []model.Target{{Component: on}}, Status: model.StatusUnverified, Inherent: r, Residual: r}
	}
	fs := []*model.Finding{mk("r1:a", a, 10, model.Tampering), mk("r2:a", a, 10, model.InformationDisclosure),
		mk("r3:b", b, 9, model.Tampering), mk("r4:c", c, 6, model.Tampering)}
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	// b's 9 is an element's first threat within a point of the best: it
	// goes before a's second; c's 6 is four points below: two rounds later.
	want := []string{"r1:a", "r3:b", "r2:a", "r4:c"}
	if !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}

// TestSpreadRepeatedPair: a threat naming the same element and STRIDE
// category as one ranked before it — in its band or a higher one — comes
// after every other threat of its band, but stays above the next band.
func TestSpreadRepeatedPair(t *testing.T) {
	api := &model.Component{ID: "api"}
	db := &model.Component{ID: "db"}
	q := &model.Component{ID: "q"}
	mk := func(id string, on *model.Component, cat model.Category, score int) *model.Finding {
		r := model.Risk{Score: int32(score), Severity: Band(score), Likelihood: 4, Impact: model.Impact(score / 4)}
		return &model.Finding{ID: id, Rule: strings.Split(id, ":")[0], Category: cat, Targets: []model.Target{{Component: on}},
			Status: model.StatusUnverified, Inherent: r, Residual: r}
	}
	fs := []*model.Finding{
		mk("bola:api", api, model.Tampering, 20),         // critical: names (api, tampering) first
		mk("client-state:api", api, model.Tampering, 16), // high: repeats it
		mk("injection:api", api, model.Tampering, 16),    // high: repeats it too
		mk("exposed:db", db, model.InformationDisclosure, 15),
		mk("poison:q", q, model.DenialOfService, 12),
		mk("logs:q", q, model.Repudiation, 8), // medium: stays below the high band
	}
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	want := []string{"bola:api", "exposed:db", "poison:q", "client-state:api", "injection:api", "logs:q"}
	if !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}

// TestHeldAccess: a threat whose attacker is staff using access they hold
// (acting alone without a second approval, reading beyond need, an
// administrator's password-only sign-in) is possible wherever the console
// sits, and the model's silence about the control does not lower it below
// possible; a threat of another rule on the same console needs the foothold
// its exposure says (unlikely). Where the network already makes a threat
// likelier, held access changes nothing, and mitigations still count.
func TestHeldAccess(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	clerk := &model.Component{ID: "clerk", Kind: model.KindPerson, Boundary: dc}
	console := &model.Component{ID: "console", Kind: model.KindService, Boundary: dc}
	user := &model.Component{ID: "user", Kind: model.KindClient, Boundary: inet}
	portal := &model.Component{ID: "portal", Kind: model.KindService, Boundary: inet}
	fix := &model.Mitigation{ID: "four-eyes", Status: model.MitImplemented, ReducesLikelihood: 2}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Components: []*model.Component{clerk, console, user, portal},
		Flows:       []*model.Flow{{ID: "use", From: clerk, To: console}, {ID: "web", From: user, To: portal}},
		Mitigations: []*model.Mitigation{fix}}
	m.Decisions = []*model.Decision{{Finding: "staff-access-beyond-need:console", Status: model.StatusOpen, Mitigations: []*model.Mitigation{fix}}}
	m.Index()
	for _, tc := range []struct {
		rule               string
		on                 *model.Component
		exploit            int
		status             model.Status
		inherent, residual model.Likelihood
	}{
		{"staff-action-without-second-approval", console, 0, model.StatusUnverified, 3, 3}, // was 2 and 2
		{"staff-action-without-second-approval", console, 0, model.StatusOpen, 3, 3},
		{"admin-without-mfa", console, 1, model.StatusUnverified, 3, 3},                    // internal 2 + 1: uncertainty took it to 2
		{"admin-without-mfa", portal, 1, model.StatusUnverified, 5, 4},                     // the internet: uncertainty as for any threat
		{"staff-access-beyond-need", console, 0, model.StatusOpen, 3, 1},                   // a decision links an implemented mitigation: it counts
		{"payment-instruction-without-approval", console, 0, model.StatusUnverified, 3, 3}, // one person's run pays: was 2 and 2
		{"privileged-store-access", console, 0, model.StatusUnverified, 2, 2},              // not held access: a foothold
		{"missing-object-authorization", console, 1, model.StatusUnverified, 3, 2},         // the network vector
	} {
		f := &model.Finding{ID: tc.rule + ":" + tc.on.ID, Rule: tc.rule, Origin: model.OriginBuiltin, Targets: []model.Target{{Component: tc.on}},
			Category: model.ElevationOfPrivilege, Exploitability: int8(tc.exploit), Status: tc.status}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.residual {
			t.Errorf("%s (%s): likelihood %d, residual %d; want %d, %d (%v)", f.ID, tc.status, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, tc.residual, f.Rationale)
		}
	}
	// A threat the team wrote under the same rule name is theirs to rate.
	f := &model.Finding{ID: "t1", Rule: "staff-action-without-second-approval", Origin: model.OriginPeople, Targets: []model.Target{{Component: console}}, Category: model.Tampering}
	if l, _ := Likelihood(f); l != 2 {
		t.Errorf("a people threat: likelihood %d, want 2", l)
	}
}

// TestElevationImpact: a privilege gained is the power to read and to
// change what the role reaches, so an elevation threat's impact is the
// larger of the confidentiality and integrity needs at stake, whichever
// property its rule names; the other categories keep their own property.
func TestElevationImpact(t *testing.T) {
	orders := &model.Asset{ID: "orders", Confidentiality: model.High, Integrity: model.Critical}
	profile := &model.Asset{ID: "profile", Confidentiality: model.Critical, Integrity: model.Medium}
	m := &model.Model{Assets: []*model.Asset{orders, profile}}
	for _, tc := range []struct {
		cat  model.Category
		prop model.Property
		as   []*model.Asset
		want model.Impact
		why  string
	}{
		{model.ElevationOfPrivilege, model.Confidentiality, []*model.Asset{orders}, 5, "orders needs critical integrity"},
		{model.ElevationOfPrivilege, 0, []*model.Asset{profile}, 5, "profile needs critical confidentiality"},
		{model.ElevationOfPrivilege, model.Confidentiality, []*model.Asset{orders, profile}, 5, "profile needs critical confidentiality"},
		{model.InformationDisclosure, 0, []*model.Asset{orders}, 4, "orders needs high confidentiality"},
		{model.Tampering, 0, []*model.Asset{profile}, 3, "profile needs medium integrity"},
		{model.Spoofing, 0, []*model.Asset{profile}, 3, "profile needs medium integrity"},
	} {
		f := &model.Finding{Category: tc.cat, Property: tc.prop, Assets: tc.as}
		if got, why := ImpactOf(m, f); got != tc.want || why != tc.why {
			t.Errorf("%s (property %v) on %d assets: %d %q, want %d %q", tc.cat, tc.prop, len(tc.as), got, why, tc.want, tc.why)
		}
	}
}
