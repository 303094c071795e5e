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
	p := newAnalysisPool(1, 1)
	release, err := p.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := p.acquire(t.Context())
		if err == nil {
			r()
		}
		got <- err
	}()
	for p.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	_, err = p.acquire(t.Context())
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter == 0 {
		t.Errorf("past the queue: %v, want 429 with Retry-After", err)
	}
	release()
	if err := <-got; err != nil {
		t.Errorf("the queued caller: %v", err)
	}
	release, _ = p.acquire(t.Context())
	defer release()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a waiter past its deadline: %v", err)
	}
}
