package risk

import (
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestRepeatValues: a rule's active threats on its further elements are
// worth three eighths of a point less per element of the rule ranked before theirs
// (the elements in the order of their best threat of the rule), within
// their band; other rules, closed threats and the team's own threats keep
// their value.
func TestRepeatValues(t *testing.T) {
	comp := func(id string) []model.Target { return []model.Target{{Component: &model.Component{ID: id}}} }
	at := func(id, rule string, tg []model.Target, l, i int, reach uint8) *model.Finding {
		return &model.Finding{ID: id, Rule: rule, Category: model.ElevationOfPrivilege, Status: model.StatusUnverified,
			Targets: tg, Inherent: Make(model.Likelihood(l), model.Impact(i)), Residual: Make(model.Likelihood(l), model.Impact(i)), Reach: reach}
	}
	a, b, c, d := comp("a"), comp("b"), comp("c"), comp("d")
	idorA2 := at("idor:a:information_disclosure", "idor", a, 3, 4, 0)
	idorA2.Category = model.InformationDisclosure
	closed := at("idor:e", "idor", comp("e"), 4, 5, 0)
	closed.Status = model.StatusMitigated
	people := at("t1", model.PeopleRule, d, 4, 4, 0)
	people.Origin = model.OriginPeople
	fs := []*model.Finding{
		at("idor:a", "idor", a, 4, 4, 0),  // 16, third element: 15.25
		idorA2,                            // 12, on the third element: 11.25
		at("idor:b", "idor", b, 4, 4, 64), // 16 + 1.125: the rule's first element
		at("idor:c", "idor", c, 4, 4, 48), // 16 + 0.84375, second: 16.46875
		at("idor:d", "idor", d, 3, 4, 0),  // 12, fourth: 10.875, still high
		at("xss:c", "xss", c, 4, 4, 0),    // 16, another rule
		closed,                            // mitigated: not counted
		people,                            // the team's: not counted
	}
	want := map[string]float64{"idor:a": 15.25, "idor:a:information_disclosure": 11.25, "idor:b": 17.125, "idor:c": 16.46875,
		"idor:d": 10.875, "xss:c": 16, "idor:e": 20, "t1": 16}
	r := NewRanking(fs)
	for _, it := range r.items {
		if got := float64(it.score) / 128; got != want[it.f.ID] {
			t.Errorf("%s: ranking value %v, want %v", it.f.ID, got, want[it.f.ID])
		}
		if it.sev != uint8(it.f.Residual.Severity) {
			t.Errorf("%s: band %d, want %d", it.f.ID, it.sev, it.f.Residual.Severity)
		}
	}
	// The key orders by the lowered value: idor:c before idor:a.
	if ci, ai := rankOf(fs, "idor:c"), rankOf(fs, "idor:a"); ci > ai {
		t.Errorf("idor:c ranked %d, after idor:a (%d)", ci, ai)
	}
}

func rankOf(fs []*model.Finding, id string) int {
	for _, f := range fs {
		if f.ID == id {
			return f.Rank
		}
	}
	return 0
}
