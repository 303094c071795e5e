package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLookupTurnsInArrivalOrder: past the lookups' turns, waiting readers
// get theirs in the order they came, and a reader whose context ends stops
// waiting.
func TestLookupTurnsInArrivalOrder(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var held []func()
	for range cap(s.lookups) {
		done, err := s.lookup(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, done)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.lookup(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a lookup past the turns with its context ended: %v, want the context's error", err)
	}
	const waiters = 20
	got := make(chan int, waiters)
	for i := range waiters {
		go func() {
			done, err := s.lookup(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			got <- i
			done()
		}()
		// Each waiter is queued before the next starts.
		for deadline := time.Now().Add(5 * time.Second); ; {
			if n := waitingLookups(); n == i+1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	// One turn freed: the waiters take it one after the other (each
	// frees it when done), the other turns stay held.
	held[0]()
	for want := range waiters {
		if i := <-got; i != want {
			t.Fatalf("waiter %d got its turn in place %d", i, want)
		}
	}
	for _, done := range held[1:] {
		done()
	}
}

// waitingLookups counts the goroutines blocked in lookup, from their
// stacks.
func waitingLookups() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, "sqlstore.(*DB).lookup(") {
			n++
		}
	}
	return n
}
