package rule

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestSortByID checks the two-core sort of a long question list against a
// plain sort, for lengths around the split.
func TestSortByID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, sortSplitMin - 1, sortSplitMin, sortSplitMin + 1, 3*sortSplitMin + 5} {
		qs := make([]*model.Question, n)
		for i := range qs {
			qs[i] = &model.Question{ID: "c" + strconv.Itoa(r.IntN(1<<30)) + "." + strconv.Itoa(i)}
		}
		want := slices.Clone(qs)
		slices.SortFunc(want, func(a, b *model.Question) int { return strings.Compare(a.ID, b.ID) })
		sortByID(qs, 2)
		if !slices.Equal(qs, want) {
			t.Errorf("n=%d: the two-core sort differs from a plain sort", n)
		}
	}
}

// TestSchedule checks that the rules' run order holds every rule once,
// the families' rules first.
func TestSchedule(t *testing.T) {
	var rules []*Rule
	for i, on := range []On{OnAsset, OnFlow, OnModel, OnComponent, OnFlow, OnBoundary, 0, OnComponent} {
		r := &Rule{ID: "r" + strconv.Itoa(i), On: on}
		if i == 4 || i == 7 {
			r.Family = "f"
		}
		rules = append(rules, r)
	}
	order, _ := byRuleID(rules)
	sched := familiesOf(rules, order).schedule(rules)
	got := slices.Sorted(slices.Values(sched))
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(got, want) {
		t.Fatalf("schedule %v does not hold each rule once", sched)
	}
	if !(sched[0] == 4 && sched[1] == 7) {
		t.Errorf("schedule %v does not start with the family's rules", sched)
	}
}
