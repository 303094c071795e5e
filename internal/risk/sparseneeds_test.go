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
