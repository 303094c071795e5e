package model

import (
	"sync"
	"testing"
)

// TestGuessed checks that a guess is computed once per component and slot,
// that slots do not mix, and that Index forgets the answers.
func TestGuessed(t *testing.T) {
	c := &Component{ID: "edge-proxy"}
	m := &Model{Components: []*Component{c}}
	calls := 0
	yes := func(*Component) bool { calls++; return true }
	no := func(*Component) bool { calls++; return false }
	for range 3 {
		if !c.Guessed(GuessRelay, yes) || c.Guessed(GuessLinkLocal, no) {
			t.Fatal("wrong answer")
		}
	}
	if calls != 2 {
		t.Fatalf("%d computations, want 2", calls)
	}
	m.Index()
	if c.Guessed(GuessRelay, no) {
		t.Fatal("answer kept across Index")
	}
	if calls != 3 {
		t.Fatalf("%d computations, want 3", calls)
	}
	// Concurrent callers (run with -race) agree.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !c.Guessed(GuessLinkLocal, func(*Component) bool { return true }) {
				t.Error("concurrent guess disagrees")
			}
		})
	}
	wg.Wait()
}
