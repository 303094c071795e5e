package server

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestAnalysisPool: at most slots run, at most queue wait, the rest are
// refused with 429 and Retry-After; a waiter gives up with its context.
func TestAnalysisPool(t *testing.T) {
	p := newAnalysisPool(1, 1, 1<<20, 0, false, false)
	release, err := p.acquire(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := p.acquire(t.Context(), 100)
		if err == nil {
			r()
		}
		got <- err
	}()
	for p.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	_, err = p.acquire(t.Context(), 100)
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter == 0 {
		t.Errorf("past the queue: %v, want 429 with Retry-After", err)
	}
	release()
	if err := <-got; err != nil {
		t.Errorf("the queued caller: %v", err)
	}
	release, _ = p.acquire(t.Context(), 100)
	defer release()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.acquire(ctx, 100); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a waiter past its deadline: %v", err)
	}
}

// TestAnalysisPoolAdmission: the queue also refuses past its memory
// budget (the models the waiters hold) and when the expected wait is
// longer than the pool's maximum, with a Retry-After of that wait.
func TestAnalysisPoolAdmission(t *testing.T) {
	p := newAnalysisPool(1, 10, 150, 0, false, false)
	release, err := p.acquire(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := p.acquire(t.Context(), 100)
		if err == nil {
			r()
		}
		got <- err
	}()
	for p.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	var pe *Error
	if _, err := p.acquire(t.Context(), 100); !errors.As(err, &pe) || pe.Status != 429 {
		t.Errorf("past the memory budget: %v, want 429", err)
	}
	if p.bytes.Load() != 100 || p.waiting.Load() != 1 {
		t.Errorf("after a refusal the queue holds %d bytes in %d waiters, want 100 in 1", p.bytes.Load(), p.waiting.Load())
	}
	release()
	if err := <-got; err != nil {
		t.Errorf("the queued caller: %v", err)
	}

	p = newAnalysisPool(1, 10, 1<<20, time.Second, false, false)
	p.hold.Store(int64(3 * time.Second))
	release, _ = p.acquire(t.Context(), 1)
	defer release()
	_, err = p.acquire(t.Context(), 1)
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter != 3*time.Second {
		t.Errorf("expected wait 3 s over a 1 s maximum: %v, want 429 with Retry-After 3 s", err)
	}
}

// TestAnalysisPoolHoldEstimate: one long hold (a collection, the process
// descheduled) does not move the expected wait; holds that all grow do.
func TestAnalysisPoolHoldEstimate(t *testing.T) {
	var h holdTimes
	var est int64
	for range 31 {
		est = h.add(int64(10 * time.Millisecond))
	}
	if got := h.add(int64(2 * time.Second)); got != est || est != int64(10*time.Millisecond) {
		t.Errorf("after one hold of 2 s among 10 ms ones: estimate %v, want %v", time.Duration(got), 10*time.Millisecond)
	}
	for range 32 {
		est = h.add(int64(50 * time.Millisecond))
	}
	if est != int64(50*time.Millisecond) {
		t.Errorf("after 32 holds of 50 ms: estimate %v", time.Duration(est))
	}
}

// TestAnalysisPoolHandoff: a write gives its analysis slot to the next
// one when it goes on to store its version (handoff), takes one again
// when it must merge again (resume), and gives back all at the end; a
// write waiting for a store slot keeps its analysis slot.
func TestAnalysisPoolHandoff(t *testing.T) {
	p := newAnalysisPool(1, 10, 1<<20, 0, true, false)
	r, err := p.acquire(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, done := p.holding(t.Context(), r)
	if err := handoff(ctx); err != nil {
		t.Fatal(err)
	}
	if len(p.slots) != 0 || len(p.stores) != 1 {
		t.Fatalf("after the handoff: %d analysis and %d store slots held, want 0 and 1", len(p.slots), len(p.stores))
	}
	r2, err := p.acquire(t.Context(), 1) // the next write's analysis runs now
	if err != nil {
		t.Fatal(err)
	}
	resumed := make(chan error, 1)
	go func() { resumed <- resume(ctx) }()
	select {
	case err := <-resumed:
		t.Fatalf("resume took a slot held by another write: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	r2()
	if err := <-resumed; err != nil {
		t.Fatal(err)
	}
	if len(p.slots) != 1 || len(p.stores) != 0 {
		t.Fatalf("after resume: %d analysis and %d store slots held, want 1 and 0", len(p.slots), len(p.stores))
	}
	done()
	done()
	if len(p.slots) != 0 || len(p.stores) != 0 {
		t.Fatalf("after done: %d analysis and %d store slots held, want none", len(p.slots), len(p.stores))
	}

	// Store slots full: the handoff waits, keeping the analysis slot.
	for range cap(p.stores) {
		p.stores <- struct{}{}
	}
	r, _ = p.acquire(t.Context(), 1)
	ctx, done = p.holding(t.Context(), r)
	defer done()
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := handoff(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("handoff with the store slots full: %v, want the deadline", err)
	}
	if len(p.slots) != 1 {
		t.Errorf("a write waiting for a store slot gave up its analysis slot")
	}
	for range cap(p.stores) {
		<-p.stores
	}
}

// TestAnalysisPoolNoHandover: on a store whose writes are this process's
// work (SQLite), a write keeps its analysis slot while it stores.
func TestAnalysisPoolNoHandover(t *testing.T) {
	p := newAnalysisPool(1, 10, 1<<20, 0, false, false)
	r, err := p.acquire(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, done := p.holding(t.Context(), r)
	if err := handoff(ctx); err != nil {
		t.Fatal(err)
	}
	if len(p.slots) != 1 {
		t.Errorf("the write gave up its analysis slot to store on SQLite")
	}
	done()
	if len(p.slots) != 0 {
		t.Errorf("done left the analysis slot held")
	}
}

// TestWaitLine: a queued write prepares when at most ahead writes that
// joined before it are still queued, not when it joins.
func TestWaitLine(t *testing.T) {
	l := waitLine{ahead: 2}
	var turns []chan struct{}
	for i := 1; i <= 5; i++ {
		n, ch := l.join(true)
		if n != int64(i) {
			t.Fatalf("ticket %d, want %d", n, i)
		}
		if (ch == nil) != (i <= 3) {
			t.Fatalf("ticket %d: told to prepare at once %v", i, ch == nil)
		}
		turns = append(turns, ch)
	}
	closed := func(ch chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	if closed(turns[3]) || closed(turns[4]) {
		t.Fatal("a turn came before anyone left")
	}
	l.leave(1)
	if !closed(turns[3]) || closed(turns[4]) {
		t.Fatal("after one left, ticket 4 (not 5) prepares")
	}
	l.leave(4) // a waiter that gave up out of order
	if !closed(turns[4]) {
		t.Fatal("after two left, ticket 5 prepares")
	}
	if n, ch := l.join(true); n != 6 || ch == nil {
		t.Fatalf("ticket %d with 3 ahead still queued (2, 3, 5) must wait for its turn", n)
	}
	l.leave(6)
	l.leave(2)
	if n, ch := l.join(true); n != 7 || ch != nil {
		t.Fatalf("ticket %d with 2 ahead still queued (3, 5) must prepare at once", n)
	}
	if n, ch := l.join(false); n != 8 || ch != nil {
		t.Fatal("a waiter without prep gets no turn to wait for")
	}
}

// TestAcquirePrep: queued writes prepare before they take the slot, the
// ones far back only once the line moves.
func TestAcquirePrep(t *testing.T) {
	p := newAnalysisPool(1, 100, 1<<30, 0, false, false)
	hold, err := p.acquire(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	prepared := map[int]bool{}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			r, err := p.acquirePrep(t.Context(), 1, func() {
				mu.Lock()
				prepared[i] = true
				mu.Unlock()
			})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			if !prepared[i] {
				t.Errorf("waiter %d took the slot unprepared", i)
			}
			mu.Unlock()
			r()
		})
		for p.waiting.Load() != int64(i+1) {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	if n := len(prepared); n != 3 { // ahead = slots + 1 = 2: tickets 1..3
		t.Errorf("%d prepared while the line stood still, want 3", n)
	}
	mu.Unlock()
	hold()
	wg.Wait()
	if len(prepared) != 6 {
		t.Errorf("%d prepared in all, want 6", len(prepared))
	}
}
