package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/wardtm/ward/internal/diff"
	"github.com/wardtm/ward/internal/store"
)

// Diffs between stored versions are computed once and stored (issue 10):
// versions never change, so a diff never goes stale while the engine stays
// the same; the key names the engine (server version and diff schema), so
// an upgrade recomputes. Concurrent requests for the same diff share one
// computation, which runs in the analysis pool like any analysis.

// flight shares one computation among concurrent callers with the same key.
type flight struct {
	mu    sync.Mutex
	calls map[store.DiffKey]*flightCall
}

type flightCall struct {
	done chan struct{}
	body []byte
	err  error
}

func (f *flight) do(k store.DiffKey, fn func() ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[store.DiffKey]*flightCall{}
	}
	if c := f.calls[k]; c != nil {
		f.mu.Unlock()
		<-c.done
		return c.body, c.err
	}
	c := &flightCall{done: make(chan struct{})}
	f.calls[k] = c
	f.mu.Unlock()
	c.body, c.err = fn()
	f.mu.Lock()
	delete(f.calls, k)
	f.mu.Unlock()
	close(c.done)
	return c.body, c.err
}

// diffEngine names what a stored diff was computed with.
func (s *Server) diffEngine() string { return s.cfg.Version + "|" + diff.Schema }

// opDiff returns the diff (ward.diff/v1 JSON) between versions from and to
// of system x (0 = none), from the store when it was computed before.
func (s *Server) opDiff(ctx context.Context, x store.System, from, to int) ([]byte, error) {
	if to == 0 { // ?to=latest
		to = x.Latest
	}
	if from < 0 || to < 1 || from > x.Latest || to > x.Latest {
		return nil, errorf(http.StatusNotFound, "not_found", "system %s has versions 1 to %d", x.ID, x.Latest)
	}
	k := store.DiffKey{SystemID: x.ID, From: from, To: to, Engine: s.diffEngine()}
	body, err := s.store.GetDiff(ctx, k)
	if err == nil {
		return body, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return s.diffs.do(k, func() ([]byte, error) {
		side := func(n int) (diff.Side, error) {
			if n < 1 {
				return diff.Side{Label: "(none)"}, nil
			}
			v, err := s.store.GetVersion(ctx, x.ID, n)
			if err != nil {
				return diff.Side{}, err
			}
			a, res, err := s.analyseBundle(ctx, unarchive(v.YAML))
			if err != nil {
				return diff.Side{}, fmt.Errorf("analyse version %d: %w", n, err)
			}
			return diff.Side{Label: "version " + strconv.Itoa(n), Result: res, Model: a.Model}, nil
		}
		o, err := side(from)
		if err != nil {
			return nil, err
		}
		n, err := side(to)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(diff.Compare(o, n))
		if err != nil {
			return nil, err
		}
		// A failure to store only costs a recomputation next time.
		if err := s.store.PutDiff(context.WithoutCancel(ctx), k, body); err != nil {
			s.log.Warn("storing a diff failed", "system", x.ID, "err", err)
		}
		return body, nil
	})
}
