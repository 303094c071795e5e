package risk

import (
	"reflect"
	"testing"
)

// TestAblateOff: every ablation switch has its own name and is off unless
// a measurement build's WARD_ABLATE names it (a normal build never does).
func TestAblateOff(t *testing.T) {
	seen := map[*bool]string{}
	for name, p := range ablateNames() {
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s switch the same ingredient", name, other)
		}
		seen[p] = name
		if *p && tieSeed == 0 {
			t.Errorf("%s is switched off in a normal build", name)
		}
	}
	if n := reflect.TypeOf(ab).NumField(); len(seen) != n {
		t.Errorf("%d switches named, want %d: a field of ab without a name", len(seen), n)
	}
}
