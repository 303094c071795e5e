package cpuclock_test

import (
	"runtime"
	"testing"

	"github.com/wardtm/ward/internal/cpuclock"
)

// TestProcessAdvances checks that busy work shows as CPU time where the
// system measures it.
func TestProcessAdvances(t *testing.T) {
	before := cpuclock.Process()
	if before == 0 && runtime.GOOS == "windows" {
		t.Skip("not measured on this system")
	}
	x := 0
	for i := range 50_000_000 {
		x ^= i * 7
	}
	if after := cpuclock.Process(); after <= before {
		t.Errorf("CPU time did not advance: %v then %v (x %d)", before, after, x)
	}
}
