package rules

import (
	"fmt"
	"testing"
)

// TestIDs compares ids with the plain wording it replaced, for lists of
// every length around the cut at three.
func TestIDs(t *testing.T) {
	ref := func(xs []string) string {
		s := ""
		for i, x := range xs {
			if i == 2 && len(xs) > 3 {
				return s + fmt.Sprintf(" and %d more", len(xs)-2)
			}
			if i > 0 {
				if i == len(xs)-1 {
					s += " and "
				} else {
					s += ", "
				}
			}
			s += "`" + x + "`"
		}
		return s
	}
	var xs []string
	for n := range 14 {
		if got, want := ids(xs, func(s string) string { return s }), ref(xs); got != want {
			t.Errorf("%d ids: %q, want %q", n, got, want)
		}
		xs = append(xs, fmt.Sprintf("element-%d", n*n))
	}
}
