package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestStatedPrivilege: the open threat of an excess privilege the model
// states (a statedPrivilegeRules rule) is possible at least, however deep
// inside the network its component sits; the same threat left unknown
// (unverified), another rule's open threat and a likelihood the team
// stated keep the exposure.
func TestStatedPrivilege(t *testing.T) {
	ops := &model.Boundary{ID: "ops", Trust: model.TrustInternal}
	vault := &model.Boundary{ID: "vault", Trust: model.TrustRestricted}
	creds := &model.Asset{ID: "creds", Kind: model.AssetCredential, Integrity: model.Critical}
	runner := &model.Component{ID: "runner", Kind: model.KindService, Boundary: ops}
	factory := &model.Component{ID: "factory", Kind: model.KindFunction, Boundary: vault}
	m := &model.Model{Boundaries: []*model.Boundary{ops, vault}, Assets: []*model.Asset{creds},
		Components: []*model.Component{runner, factory}}
	m.Index()
	for _, tc := range []struct {
		name     string
		rule     string
		c        *model.Component
		status   model.Status
		stated   model.Likelihood
		inherent model.Likelihood
		residual model.Likelihood
		why      bool
	}{
		{"stated, internal", "critical-credentials-overreach", runner, model.StatusOpen, 0, 3, 3, true},
		{"stated, restricted", "critical-credentials-overreach", factory, model.StatusOpen, 0, 3, 3, true},
		{"stated, integration job", "integration-credentials-overreach", runner, model.StatusOpen, 0, 3, 3, true},
		{"unknown", "critical-credentials-overreach", runner, model.StatusUnverified, 0, 2, 2, false},
		{"unknown, restricted", "critical-credentials-overreach", factory, model.StatusUnverified, 0, 1, 1, false},
		{"another rule's stated gap", "unmanaged-secrets", runner, model.StatusOpen, 0, 2, 2, false},
		{"likelihood stated by the team", "critical-credentials-overreach", runner, model.StatusOpen, 1, 1, 1, false},
	} {
		f := &model.Finding{ID: tc.rule + ":" + tc.c.ID, Rule: tc.rule, Origin: model.OriginBuiltin, Status: tc.status,
			Category: model.ElevationOfPrivilege, Exploitability: -1,
			Assets: []*model.Asset{creds}, Targets: []model.Target{{Component: tc.c}}}
		if tc.stated != 0 {
			f.Origin = model.OriginPeople
			f.Threat = &model.Threat{Likelihood: tc.stated, Status: tc.status}
		}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.residual {
			t.Errorf("%s: likelihood %d residual %d, want %d %d (%v)", tc.name, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, tc.residual, f.Rationale)
		}
		if got := slices.Contains(f.Rationale, statedPrivilegeWhy); got != tc.why {
			t.Errorf("%s: reason given %v, want %v (%v)", tc.name, got, tc.why, f.Rationale)
		}
	}
}
