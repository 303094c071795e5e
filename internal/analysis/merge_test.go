package analysis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestMergeByIDIsStableSort checks that merging the team's threats into the
// rules' sorted findings gives what a stable sort of the two lists one after
// the other gives, ties (same id, same position) included, and that the
// merge is skipped when a decision's id shares a part with a team's threat.
func TestMergeByIDIsStableSort(t *testing.T) {
	var rules []*model.Finding
	for i := range 50 {
		rules = append(rules, &model.Finding{ID: fmt.Sprintf("r%02d:c%d", i/5, i%5)})
	}
	people := []*model.Finding{
		{ID: "r03"}, {ID: "zz"}, {ID: "a"}, {ID: "r03:c1", Pos: model.Pos{File: "f", Line: 2}},
		{ID: "r03:c1"}, {ID: "r07:c9"}, {ID: "a"},
	}
	want := slices.Concat(rules, people)
	slices.SortStableFunc(want, byID)
	got := mergeByID(slices.Clone(rules), slices.Clone(people))
	if !slices.Equal(got, want) {
		t.Errorf("merge order differs from a stable sort:\n got %v\nwant %v", ids(got), ids(want))
	}
	unsorted := []*model.Finding{rules[3], rules[1]}
	if got := mergeByID(unsorted, people[:1]); !slices.Equal(got, []*model.Finding{rules[3], rules[1], people[0]}) {
		t.Errorf("unsorted input was not appended: %v", ids(got))
	}
	m := &model.Model{Decisions: []*model.Decision{{Finding: "rule-x:c7"}}}
	if !hintsIgnore(m, people) {
		t.Error("a decision sharing no part with the team's threats blocked the merge")
	}
	m.Decisions = append(m.Decisions, &model.Decision{Finding: "zz:c4"})
	if hintsIgnore(m, people) {
		t.Error("a decision naming a team's threat id as its rule part allowed the merge")
	}
	m.Decisions = nil
	m.Assumptions = []*model.Assumption{{Supports: []string{"mitigation-1", "other:c7"}}}
	if !hintsIgnore(m, people) {
		t.Error("an assumption supporting a mitigation blocked the merge")
	}
	m.Assumptions[0].Supports = append(m.Assumptions[0].Supports, "other:c1")
	if hintsIgnore(m, people) {
		t.Error("an assumption sharing an element part with a team's threat allowed the merge")
	}
}

func ids(fs []*model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID+"@"+f.Pos.String())
	}
	return out
}
