package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestAfterCompromise: a built-in threat that follows a compromise
// elsewhere (an entry point's excess privilege, a secret outside a
// secrets manager) is one step less likely than reaching the element, as
// a foothold is; on an element only internal networks reach the foothold
// is counted once, by the exposure; other rules, and a custom rule that
// happens to share the id, keep their likelihood.
func TestAfterCompromise(t *testing.T) {
	web := &model.Boundary{ID: "web", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	data := &model.Asset{ID: "data", Integrity: model.Critical, Confidentiality: model.Critical}
	user := &model.Component{ID: "user", Kind: model.KindPerson, Boundary: web}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc, Processes: []*model.Asset{data}}
	job := &model.Component{ID: "job", Kind: model.KindService, Boundary: dc, Processes: []*model.Asset{data}}
	in := &model.Flow{ID: "in", From: user, To: api, Authentication: model.AuthToken}
	m := &model.Model{Boundaries: []*model.Boundary{web, dc}, Assets: []*model.Asset{data},
		Components: []*model.Component{user, api, job}, Flows: []*model.Flow{in}}
	m.Index()
	const once = "the foothold the attack needs is the internal access its exposure already assumes"
	for _, tc := range []struct {
		name, rule string
		origin     model.Origin
		on         *model.Component
		expl       int8
		want       model.Likelihood
		why        string
	}{
		{"secrets of an internet-facing service", "unmanaged-secrets", model.OriginBuiltin, api, 0, 3, afterWhy},                    // was 4
		{"excess privilege of an entry point", "overprivileged-entry-point", model.OriginBuiltin, api, 0, 3, afterWhy},              // was 4
		{"an unscoped queue's producer", "queue-topics-not-scoped", model.OriginBuiltin, api, 0, 3, afterWhy},                       // was 4
		{"secrets of an internal job: counted once", "unmanaged-secrets", model.OriginBuiltin, job, 0, 2, once},                     // internal: 2 already
		{"a rule that is the first step", "missing-object-authorization", model.OriginBuiltin, api, 0, 4, ""},                       //
		{"a custom rule sharing the id", "unmanaged-secrets", model.OriginCustom, api, 0, 4, ""},                                    //
		{"an easy first step stays easy", "credential-stuffing", model.OriginBuiltin, api, 1, 5, "the attack is easy to carry out"}, //
	} {
		f := &model.Finding{ID: tc.rule + ":" + tc.on.ID, Rule: tc.rule, Origin: tc.origin, Category: model.Tampering,
			Targets: []model.Target{{Component: tc.on}}, Assets: []*model.Asset{data}, Exploitability: tc.expl, Status: model.StatusOpen}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.want {
			t.Errorf("%s: likelihood %d, want %d (%v)", tc.name, f.Inherent.Likelihood, tc.want, f.Rationale)
		}
		if tc.why != "" && !slices.Contains(f.Rationale, tc.why) {
			t.Errorf("%s: reasons %v lack %q", tc.name, f.Rationale, tc.why)
		}
		if tc.why != afterWhy && slices.Contains(f.Rationale, afterWhy) {
			t.Errorf("%s: reasons %v say it follows a compromise", tc.name, f.Rationale)
		}
	}
	for _, id := range []string{"overprivileged-entry-point", "unmanaged-secrets", "less-trusted-caller-into-admin", "queue-topics-not-scoped", "agent-tools-not-limited"} {
		if !AfterCompromise(id) {
			t.Errorf("AfterCompromise(%q) = false", id)
		}
	}
	if AfterCompromise("bearer-token-replay") {
		t.Error("bearer-token-replay: its own exploitability says it needs a foothold; it is not on the list")
	}
}
