package rule

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestRunFindingsSorted checks that the findings come out sorted by id
// whatever the rules' order and ids (prefixes of one another, sorting
// differently with and without the colon), and also when two rules share an
// id, where the per-rule lists interleave.
func TestRunFindingsSorted(t *testing.T) {
	m := synthModel(t, 60)
	mk := func(id string, also ...model.Category) *Rule {
		return &Rule{ID: id, Title: "t", Doc: "d", Category: model.Tampering, On: OnComponent, Also: also,
			Check: func(x *Ctx) { x.Report(model.Yes, "t "+x.Target.ID(), nil) }}
	}
	cases := map[string][]*Rule{
		"prefixes":  {mk("foo-bar"), mk("foo"), mk("foo0"), mk("fo"), mk("a", model.Spoofing, model.DenialOfService)},
		"shared id": {mk("same"), mk("other"), mk("same")},
	}
	for name, rules := range cases {
		res, err := Run(context.Background(), m, rules)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) < len(m.Components) {
			t.Fatalf("%s: only %d findings", name, len(res.Findings))
		}
		if !slices.IsSortedFunc(res.Findings, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) }) {
			t.Errorf("%s: findings not sorted by id", name)
		}
	}
	if _, ok := byRuleID([]*Rule{mk("x"), mk("y"), mk("x")}); ok {
		t.Error("byRuleID accepted two rules with one id")
	}
}
