package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
)

// TestListRanksWhatIsListed checks that the ranking of the listed threats
// counts only the threats the cap and the fold leave: a threat the cap
// drops no longer names its (element, category) pair first and so no
// longer sends a listed threat of that pair to the end of its band.
func TestListRanksWhatIsListed(t *testing.T) {
	api := model.Target{Component: &model.Component{ID: "api"}}
	web := model.Target{Component: &model.Component{ID: "web"}}
	find := func(id string, tg model.Target, inherent, residual model.Risk) *model.Finding {
		r, _, _ := cutID(id)
		return &model.Finding{ID: id, Rule: r, Category: model.Tampering, Status: model.StatusUnverified,
			Targets: []model.Target{tg}, Inherent: inherent, Residual: residual}
	}
	rules := []*rule.Rule{
		{ID: "held", Category: model.Tampering},
		{ID: "idor", Category: model.Tampering},
		{ID: "inj", Category: model.Tampering},
	}
	// held:api ranks first (the higher impact at equal residual score) but
	// has the lower inherent score of api's two tampering threats, so a cap
	// of one threat per element drops it; idor:api is api's listed
	// tampering threat and, at equal residual score and impact, has the
	// higher inherent score than inj:web.
	fs := []*model.Finding{
		find("held:api", api, risk.Make(3, 4), risk.Make(3, 4)),
		find("idor:api", api, risk.Make(5, 3), risk.Make(4, 3)),
		find("inj:web", web, risk.Make(4, 3), risk.Make(4, 3)),
	}
	ranking := risk.NewRanking(fs)
	if fs[0].ID != "held:api" {
		t.Fatalf("setup: held:api should rank first, got %s", fs[0].ID)
	}
	q := &model.Question{ID: "api.x", Threats: append([]*model.Finding(nil), fs[:2]...)}
	got := list(fs, ranking, []*model.Question{q}, rules, nil, 1, 1)
	var ids []string
	for i, f := range got {
		ids = append(ids, f.ID)
		if f.Rank != i+1 {
			t.Errorf("%s has rank %d at place %d", f.ID, f.Rank, i+1)
		}
	}
	if diff := cmp.Diff([]string{"idor:api", "inj:web"}, ids); diff != "" {
		t.Errorf("listed threats in rank order (-want +got):\n%s", diff)
	}
	for _, f := range q.Threats {
		if f.ID == "held:api" {
			t.Error("the question still lists held:api, which the cap dropped")
		}
	}
}

func cutID(id string) (string, string, bool) {
	for i := range id {
		if id[i] == ':' {
			return id[:i], id[i+1:], true
		}
	}
	return id, "", false
}
