package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestGatheredImpact: scraping and a validation oracle gather what callers
// are shown (records in bulk, whether an account exists), one step below
// the records' confidentiality need, the asset's business value still a
// floor; reading what the caller may not see (object authorization) keeps
// the need, and so does a custom rule that happens to share the id.
func TestGatheredImpact(t *testing.T) {
	profiles := &model.Asset{ID: "profiles", Confidentiality: model.Critical}
	cards := &model.Asset{ID: "cards", Confidentiality: model.High, Value: model.Critical}
	web := &model.Boundary{ID: "web", Trust: model.TrustInternet}
	user := &model.Component{ID: "user", Kind: model.KindPerson, Boundary: web}
	api := &model.Component{ID: "api", Kind: model.KindService, Processes: []*model.Asset{profiles, cards}}
	m := &model.Model{Boundaries: []*model.Boundary{web}, Assets: []*model.Asset{profiles, cards},
		Components: []*model.Component{user, api}, Flows: []*model.Flow{{ID: "use", From: user, To: api, Authentication: model.AuthToken}}}
	m.Index()
	for _, tc := range []struct {
		rule   string
		origin model.Origin
		as     *model.Asset
		want   model.Impact
		why    string
	}{
		{"scraping", model.OriginBuiltin, profiles, 4, "profiles needs critical confidentiality" + gatheredWhy},
		{"validation-oracle", model.OriginBuiltin, profiles, 4, "profiles needs critical confidentiality" + gatheredWhy},
		{"scraping", model.OriginBuiltin, cards, 5, "cards needs critical confidentiality"}, // the value is a floor
		{"missing-object-authorization", model.OriginBuiltin, profiles, 5, "profiles needs critical confidentiality"},
		{"scraping", model.OriginCustom, profiles, 5, "profiles needs critical confidentiality"},
	} {
		f := &model.Finding{ID: tc.rule + ":api", Rule: tc.rule, Origin: tc.origin, Category: model.InformationDisclosure,
			Assets: []*model.Asset{tc.as}, Targets: []model.Target{{Component: api}}, Status: model.StatusUnverified}
		if got, why := ImpactOf(m, f); got != tc.want || why != tc.why {
			t.Errorf("%s (%s) on %s: %d %q, want %d %q", tc.rule, tc.origin, tc.as.ID, got, why, tc.want, tc.why)
		}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Impact != tc.want || !slices.Contains(f.Rationale, tc.why) {
			t.Errorf("assessed %s (%s) on %s: impact %d %v, want %d %q", tc.rule, tc.origin, tc.as.ID, f.Inherent.Impact, f.Rationale, tc.want, tc.why)
		}
	}
}
