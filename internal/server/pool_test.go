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
	p := newAnalysisPool(1, 1, 1<<20, 0)
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
	p := newAnalysisPool(1, 10, 150, 0)
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

	p = newAnalysisPool(1, 10, 1<<20, time.Second)
	p.hold.Store(int64(3 * time.Second))
	release, _ = p.acquire(t.Context(), 1)
	defer release()
	_, err = p.acquire(t.Context(), 1)
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter != 3*time.Second {
		t.Errorf("expected wait 3 s over a 1 s maximum: %v, want 429 with Retry-After 3 s", err)
	}
}
