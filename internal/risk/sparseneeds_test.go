package risk

import (
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestGuessedIntegrity: in a model that states no asset's sensitivity, data
// read from its words needs high integrity unless its words name personal
// details alone; a model that states one asset's sensitivity keeps the
// unstated default (medium).
func TestGuessedIntegrity(t *testing.T) {
	guess := func(id, desc string) *model.Asset {
		a := &model.Asset{ID: id, Description: desc}
		model.InferAsset(a, false)
		return a
	}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	for _, tc := range []struct {
		name   string
		desc   string
		stated bool // the model states another asset's sensitivity
		cat    model.Category
		want   model.Impact
		guess  bool // the reason says the need is guessed
	}{
		{"health data", "patient lab results", false, model.Tampering, 4, true},
		{"no kind named", "milk quality results", false, model.Tampering, 4, true},
		{"financial data", "invoice lines", false, model.Spoofing, 4, true},
		{"personal details alone", "customer profiles", false, model.Tampering, 3, false},
		{"disclosure unchanged", "milk quality results", false, model.InformationDisclosure, 3, false},
		{"repudiation one step less", "milk quality results", false, model.Repudiation, 3, true},
		{"a model stating one asset", "milk quality results", true, model.Tampering, 3, false},
	} {
		a := guess("data", tc.desc)
		as := []*model.Asset{a}
		if tc.stated {
			as = append(as, &model.Asset{ID: "notes", Integrity: model.Low})
		}
		m := &model.Model{Boundaries: []*model.Boundary{dc}, Assets: as, Components: []*model.Component{api}}
		m.Index()
		f := &model.Finding{ID: "r:" + tc.name, Category: tc.cat, Targets: []model.Target{{Component: api}},
			Assets: []*model.Asset{a}, Status: model.StatusUnverified}
		i, why := ImpactOf(m, f)
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if i != tc.want || f.Inherent.Impact != tc.want {
			t.Errorf("%s: impact %d, assessed %d; want %d (%s)", tc.name, i, f.Inherent.Impact, tc.want, why)
		}
		if got := strings.Contains(why, guessedIntegrityWhy); got != tc.guess {
			t.Errorf("%s: reason %q", tc.name, why)
		}
		if !strings.Contains(strings.Join(f.Rationale, " | "), why) {
			t.Errorf("%s: assessed reasons %v lack %q", tc.name, f.Rationale, why)
		}
	}
}

// TestSparseFlow: in a model that states no asset's sensitivity, a
// generated threat that names a flow first is marked (FocusSparseFlow) and
// ranks two points lower in the high and critical bands only; a model that
// states one asset's sensitivity, a component's threat and the team's own
// threats are not marked.
func TestSparseFlow(t *testing.T) {
	net := &model.Boundary{ID: "net", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	app := &model.Component{ID: "app", Kind: model.KindClient, Boundary: net}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	fl := &model.Flow{From: app, To: api}
	for _, tc := range []struct {
		name   string
		stated bool
		target model.Target
		origin model.Origin
		want   bool
	}{
		{"flow, sparse", false, model.Target{Flow: fl}, model.OriginBuiltin, true},
		{"component, sparse", false, model.Target{Component: api}, model.OriginBuiltin, false},
		{"team's threat on a flow", false, model.Target{Flow: fl}, model.OriginPeople, false},
		{"flow, a model stating one asset", true, model.Target{Flow: fl}, model.OriginBuiltin, false},
	} {
		a := &model.Asset{ID: "data", Description: "milk quality results"}
		model.InferAsset(a, false)
		if tc.stated {
			a = &model.Asset{ID: "data", Integrity: model.High}
		}
		m := &model.Model{Boundaries: []*model.Boundary{net, dc}, Assets: []*model.Asset{a},
			Components: []*model.Component{app, api}, Flows: []*model.Flow{fl}}
		m.Index()
		f := &model.Finding{ID: "r:" + tc.name, Origin: tc.origin, Category: model.Tampering,
			Targets: []model.Target{tc.target}, Assets: []*model.Asset{a}, Status: model.StatusUnverified}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if got := f.Focus&model.FocusSparseFlow != 0; got != tc.want {
			t.Errorf("%s: marked %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		sev   model.Severity
		score int32
		less  int
	}{
		{model.SevCritical, 20, sparseFlowWeight},
		{model.SevHigh, 16, sparseFlowWeight},
		{model.SevMedium, 8, 0},
	} {
		f := &model.Finding{Residual: model.Risk{Score: tc.score, Severity: tc.sev}}
		v := rankValue(f)
		f.Focus = model.FocusSparseFlow
		if got := v - rankValue(f); got != tc.less {
			t.Errorf("%v %d: a sparse flow's threat ranks %d lower, want %d", tc.sev, tc.score, got, tc.less)
		}
	}
}
