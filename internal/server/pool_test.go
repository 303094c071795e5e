package server

import (
	"context"
	"errors"
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
