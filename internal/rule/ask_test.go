package rule_test

import (
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// TestAsk: a rule that asks instead of reporting raises no threat, and the
// unknown control it consulted is on the question list, settling nothing; a
// stated gap is still reported.
func TestAsk(t *testing.T) {
	asks := &rule.Rule{ID: "asks", Title: "t", Doc: "d", Category: model.ElevationOfPrivilege, On: rule.OnComponent,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsStore() {
				return
			}
			gap := x.Lacks(c, model.CtlAccessReviewed)
			if gap == model.Unknown {
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, "insiders on "+c.ID, nil)
			}
		}}
	db := &model.Component{ID: "db", Kind: model.KindDatastore}
	files := &model.Component{ID: "files", Kind: model.KindStorage}
	files.Controls[model.CtlAccessReviewed] = model.No
	m := &model.Model{System: model.System{ID: "sys"}, Components: []*model.Component{db, files}}
	m.Index()
	res, err := rule.Run(t.Context(), m, []*rule.Rule{asks})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Findings); !slices.Equal(got, []string{"asks:files"}) {
		t.Errorf("threats %v, want [asks:files] (the stated gap only)", got)
	}
	var qs []string
	for _, q := range res.Questions {
		qs = append(qs, q.ID)
		if q.ID == "db.access_reviewed" && (len(q.Threats) > 0 || !slices.Equal(q.Rules, []string{"asks"}) || q.Text == "") {
			t.Errorf("db.access_reviewed: threats %d, rules %v, text %q; want none, [asks], a question", len(q.Threats), q.Rules, q.Text)
		}
	}
	if !slices.Equal(qs, []string{"db.access_reviewed"}) {
		t.Errorf("questions %v, want [db.access_reviewed]", qs)
	}
}
