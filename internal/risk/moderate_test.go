package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestModerateStake: a threat of impact 3 counts possible at most, so it
// is medium at most however exposed and easy; the uncertainty factor
// lowers it from there as any threat (a stated gap still outranks an equal
// unknown one). Impact 4, a threat already possible or less, and a
// likelihood the team stated keep what exposure says.
func TestModerateStake(t *testing.T) {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	user := &model.Component{ID: "user", Kind: model.KindClient, Boundary: inet}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	job := &model.Component{ID: "job", Kind: model.KindService, Boundary: dc}
	mid := &model.Asset{ID: "mid", Availability: model.Medium, Integrity: model.Medium}
	high := &model.Asset{ID: "high", Integrity: model.High}
	m := &model.Model{Boundaries: []*model.Boundary{inet, dc}, Assets: []*model.Asset{mid, high},
		Components: []*model.Component{user, api, job}, Flows: []*model.Flow{{ID: "web", From: user, To: api}}}
	m.Index()
	for _, tc := range []struct {
		name               string
		on                 *model.Component
		cat                model.Category
		asset              *model.Asset
		exploit            int
		status             model.Status
		threat             *model.Threat
		inherent, residual model.Likelihood
		sev                model.Severity
	}{
		{"an easy outage from the internet", api, model.DenialOfService, mid, 1, model.StatusUnverified, nil, 3, 2, model.SevMedium}, // was 5 and 4: high
		{"a stated gap from the internet", api, model.Tampering, mid, 0, model.StatusOpen, nil, 3, 3, model.SevMedium},               // was 4: high
		{"impact 4 from the internet", api, model.Tampering, high, 0, model.StatusUnverified, nil, 4, 3, model.SevHigh},              //
		{"an internal job", job, model.Tampering, mid, 0, model.StatusUnverified, nil, 2, 2, model.SevMedium},                        // under the cap already
		{"a likelihood the team stated", api, model.Tampering, mid, 0, "", &model.Threat{Likelihood: 5, Status: model.StatusOpen}, 5, 5, model.SevHigh},
	} {
		f := &model.Finding{ID: "r:" + tc.name, Category: tc.cat, Targets: []model.Target{{Component: tc.on}}, Assets: []*model.Asset{tc.asset},
			Exploitability: int8(tc.exploit), Status: tc.status, Threat: tc.threat}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.residual {
			t.Errorf("%s: likelihood %d, residual %d; want %d, %d (%v)", tc.name, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, tc.residual, f.Rationale)
		}
		if f.Residual.Severity != tc.sev {
			t.Errorf("%s: residual %s, want %s", tc.name, f.Residual.Severity, tc.sev)
		}
		capped := tc.asset == mid && tc.on == api && tc.threat == nil
		if got := slices.Contains(f.Rationale, moderateWhy); got != capped {
			t.Errorf("%s: reason given %v (%v)", tc.name, got, f.Rationale)
		}
	}
}

// TestHeldReads: staff reading beyond their need (a held-access
// disclosure) is possible at least, whatever the uncertainty, only where
// the data read is critical; otherwise its exposure decides, and the
// reason says why. Acting alone keeps the floor at any impact.
func TestHeldReads(t *testing.T) {
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	console := &model.Component{ID: "console", Kind: model.KindService, Boundary: dc}
	crit := &model.Asset{ID: "crit", Confidentiality: model.Critical, Integrity: model.High}
	high := &model.Asset{ID: "high", Confidentiality: model.High, Integrity: model.High}
	m := &model.Model{Boundaries: []*model.Boundary{dc}, Assets: []*model.Asset{crit, high}, Components: []*model.Component{console}}
	m.Index()
	for _, tc := range []struct {
		rule               string
		cat                model.Category
		asset              *model.Asset
		inherent, residual model.Likelihood
		why                string
	}{
		{"staff-access-beyond-need", model.InformationDisclosure, crit, 3, 3, heldWhy},
		{"staff-access-beyond-need", model.InformationDisclosure, high, 2, 2, heldReadWhy}, // was 3 and 3: high
		{"staff-action-without-second-approval", model.Tampering, high, 3, 3, heldWhy},
	} {
		f := &model.Finding{ID: tc.rule + ":console", Rule: tc.rule, Origin: model.OriginBuiltin, Category: tc.cat,
			Targets: []model.Target{{Component: console}}, Assets: []*model.Asset{tc.asset}, Status: model.StatusUnverified}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.residual || !slices.Contains(f.Rationale, tc.why) {
			t.Errorf("%s on %s: likelihood %d, residual %d; want %d, %d and %q (%v)", tc.rule, tc.asset.ID, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, tc.residual, tc.why, f.Rationale)
		}
	}
}
