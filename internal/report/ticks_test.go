package report

import "testing"

var ticksSeeds = []string{"", "plain", "`a`", "one ` tick", "`a` and `b` <x> & 'q' \"d\"", "``", "```", "`\x1b[31m`", "\x00`é`\u202e"}

// TestAppendTicksIsTicks compares the page's in-place ticks with the
// template function.
func TestAppendTicksIsTicks(t *testing.T) {
	for _, s := range ticksSeeds {
		checkTicks(t, s)
	}
}

func FuzzAppendTicks(f *testing.F) {
	for _, s := range ticksSeeds {
		f.Add(s)
	}
	f.Fuzz(checkTicks)
}

func checkTicks(t *testing.T, s string) {
	got := string(appendTicks([]byte("x"), s))
	want := string(appendShown([]byte("x"), string(ticks(s))))
	if got != want {
		t.Errorf("appendTicks(%q) = %q, want %q", s, got, want)
	}
}
