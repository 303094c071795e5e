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

// TestSortedByIDLarge checks the check of the rules' order on a list long
// enough to be split between the cores: one pair out of order anywhere,
// at the parts' edges too, is found.
func TestSortedByIDLarge(t *testing.T) {
	n := 2*parallelMin + 3
	fs := make([]*model.Finding, n)
	for i := range fs {
		fs[i] = &model.Finding{ID: fmt.Sprintf("r:%06d", i)}
	}
	if !sortedByID(fs) || !sortedByID(nil) || !sortedByID(fs[:1]) {
		t.Fatal("a sorted list was found unsorted")
	}
	if got := mergeByID(nil, []*model.Finding{{ID: "b"}, {ID: "a"}}); len(got) != 2 || got[0].ID != "a" {
		t.Errorf("merge into no rule findings: %v", ids(got))
	}
	for _, i := range []int{0, n/2 - 2, n/2 - 1, n / 2, n/2 + 1, n - 2} {
		fs[i], fs[i+1] = fs[i+1], fs[i]
		if sortedByID(fs) {
			t.Errorf("a swap at %d was not found", i)
		}
		fs[i], fs[i+1] = fs[i+1], fs[i]
	}
	people := []*model.Finding{{ID: "r:000100"}, {ID: "a"}, {ID: "r:999999"}, {ID: "r:020000x"}}
	want := slices.Concat(fs, people)
	slices.SortStableFunc(want, byID)
	if got := mergeByID(slices.Clone(fs), slices.Clone(people)); !slices.Equal(got, want) {
		t.Error("merge into a long list differs from a stable sort")
	}
}
