package rule_test

import (
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// TestEase: Ease sets the exploitability of the next report's threats (every
// category it raises), and the one after falls back to the rule's.
func TestEase(t *testing.T) {
	r := &rule.Rule{ID: "eases", Title: "t", Doc: "d", Category: model.ElevationOfPrivilege, On: rule.OnComponent,
		Also: []model.Category{model.Tampering}, Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.ID == "hard" {
				x.Ease(-5) // clamped to -2
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				x.Report(gap, c.ID, nil)
			}
		}}
	hard := &model.Component{ID: "hard", Kind: model.KindService}
	easy := &model.Component{ID: "easy", Kind: model.KindService}
	m := &model.Model{System: model.System{ID: "sys"}, Components: []*model.Component{hard, easy}}
	m.Index()
	res, err := rule.Run(t.Context(), m, []*rule.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 4 {
		t.Fatalf("got %d threats, want 4", len(res.Findings))
	}
	for _, f := range res.Findings {
		want := 1
		if f.Targets[0].ID() == "hard" {
			want = -2
		}
		if int(f.Exploitability) != want {
			t.Errorf("%s: exploitability %d, want %d", f.ID, f.Exploitability, want)
		}
	}
}
