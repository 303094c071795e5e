package risk

import (
	"strconv"
	"testing"
)

// TestIDFilter checks that every id added may be in the set (no false
// negatives: a decision is never missed) and that most others are not.
func TestIDFilter(t *testing.T) {
	var f idFilter
	if f.may("x") || f.may("") {
		t.Fatal("the empty filter may hold ids")
	}
	added := []string{""}
	for i := range 2000 {
		added = append(added, "unencrypted-flow:flow-"+strconv.Itoa(i*7), "weak-authn:service-"+strconv.Itoa(i)+":spoofing")
	}
	for _, s := range added {
		f.add(s)
	}
	for _, s := range added {
		if !f.may(s) {
			t.Fatalf("%q added but not found", s)
		}
	}
	hits := 0
	for i := range 100000 {
		if f.may("unencrypted-flow:flow-" + strconv.Itoa(i*7+3)) {
			hits++
		}
	}
	t.Logf("%d of 100,000 ids not added pass", hits)
	if hits > 20000 {
		t.Errorf("%d of 100,000 ids not added pass the filter", hits)
	}
}
