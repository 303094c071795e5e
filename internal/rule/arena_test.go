package rule

import (
	"strings"
	"testing"
)

// TestArena checks that strings cut from the arena keep their bytes as
// chunks fill and that slab lists do not share room with their neighbours.
func TestArena(t *testing.T) {
	var a strArena
	var got, want []string
	for i := range 5000 {
		x, y := strings.Repeat("x", i%37), strings.Repeat("y", i%5)
		got, want = append(got, a.concat3(x, ":", y)), append(want, x+":"+y)
		got, want = append(got, a.concat2(y, x)), append(want, y+x)
	}
	got = append(got, a.concat2("", ""), a.concat2(strings.Repeat("z", arenaMax), "!"))
	want = append(want, "", strings.Repeat("z", arenaMax)+"!")
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("string %d: %q, want %q", i, got[i], want[i])
		}
	}
	var s strSlab
	l1 := s.done(append(s.take(2), "a", "b"))
	l2 := s.done(append(s.take(1), "c"))
	l3 := s.done(s.take(0))
	if l3 == nil || len(l3) != 0 {
		t.Errorf("empty list %#v, want empty and not nil", l3)
	}
	if cap(l1) != 2 || cap(l2) != 1 {
		t.Errorf("capacities %d, %d, want 2, 1", cap(l1), cap(l2))
	}
	_ = append(l1, "overwrites?")
	if l2[0] != "c" {
		t.Errorf("append to a list wrote into the next: %q", l2[0])
	}
}
