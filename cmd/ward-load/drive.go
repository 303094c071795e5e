package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardtm/ward/internal/server"
)

// This file drives the load: closed-loop clients or an open loop at a
// fixed rate, each request a read or a write with its latency recorded.

// Kinds of operation.
const (
	opFindings = "read findings"
	opSystem   = "read system"
	opVersion  = "read version"
	opPush     = "write push"
	opDecision = "write decision"
)

var opOrder = []string{opFindings, opSystem, opVersion, opPush, opDecision}

type sample struct {
	op      string
	d       time.Duration // from the first attempt to the answer, waits included
	err     string        // empty when the request succeeded
	retries int           // 429 answers retried after their Retry-After
	cut     bool          // still waiting to retry when the run ended
}

// doRetry is send retrying 429 answers; it stops waiting at the end of
// the run (deadline) and says so.
func (l *loader) doRetry(ctx context.Context, method, p, auth string, body any, deadline time.Time, keep bool) (resp *http.Response, data []byte, retries int, cut bool, err error) {
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		resp, data, err = l.send(ctx, method, p, auth, body, keep)
		if err != nil {
			return resp, data, retries, false, err
		}
		wait, again := server.RetryAfter(resp, attempt, waited)
		if !again {
			return resp, data, retries, false, nil
		}
		if time.Now().Add(wait).After(deadline) {
			return resp, data, retries, true, nil
		}
		retries++
		waited += wait
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return resp, data, retries, true, nil
		}
	}
}

type results struct {
	elapsed time.Duration
	cpu     time.Duration // this process's CPU while the clients ran
	// sched50, sched99 and schedN are the p50 and p99 of this process's
	// goroutines' waits for a core while the clients ran, and their count.
	sched50, sched99 time.Duration
	schedN           uint64
	samples          []sample
}

// findingFilters are the findings-list queries the clients make.
var findingFilters = []string{
	"severity=high&status=open",
	"severity=medium",
	"data=pii",
	"status=accepted",
	"sort=system&limit=20",
	"severity=critical&sort=id",
}

// drive runs the clients for the configured duration.
func (l *loader) drive(ctx context.Context) results {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu  sync.Mutex
		all []sample
		seq atomic.Int64
	)
	start := time.Now()
	deadline := start.Add(l.c.duration)
	var wg sync.WaitGroup
	for i := range l.c.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
			var mine []sample
			// Client i writes only to its own systems, so its writes never
			// race another client's decision on the same revision.
			var own []*system
			for j := i; j < len(l.systems); j += l.c.clients {
				own = append(own, l.systems[j])
			}
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if l.c.think > 0 {
					time.Sleep(time.Duration(rng.ExpFloat64() * float64(l.c.think)))
					if !time.Now().Before(deadline) {
						break
					}
				}
				var s sample
				if rng.Float64() >= l.c.readRatio && len(own) > 0 {
					s = l.write(ctx, rng, own[rng.IntN(len(own))], seq.Add(1), deadline)
				} else {
					s = l.read(ctx, rng, l.systems[rng.IntN(len(l.systems))], deadline)
				}
				if ctx.Err() != nil && s.err != "" {
					break
				}
				mine = append(mine, s)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return results{elapsed: time.Since(start), samples: all}
}

// driveOpen sends requests for the configured duration at random arrival
// times (a Poisson process of -rate a second; with -arrivals fixed, one
// every 1/rate seconds), each on its own, whatever
// the latency of those before: the load an open population of users
// makes, where the closed loop's clients wait for each answer before
// asking again. At most -clients requests are in flight; an arrival that
// finds them all busy waits for one, and every latency is counted from
// the request's arrival, so that wait is in it (the load does not slow
// down when the server does). A write goes to a system no other write
// is writing to, as in the closed loop.
func (l *loader) driveOpen(ctx context.Context) results {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu  sync.Mutex
		all []sample
		seq atomic.Int64
		wg  sync.WaitGroup
	)
	inFlight := make(chan struct{}, l.c.clients)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	start := time.Now()
	deadline := start.Add(l.c.duration)
	gap := float64(time.Second) / l.c.rate
	for at := start; ; {
		at = at.Add(nextGap(l.c.arrivals, rng, gap))
		if !at.Before(deadline) {
			break
		}
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		select {
		case inFlight <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		arrival, seed := at, rng.Uint64()
		wg.Go(func() {
			defer func() { <-inFlight }()
			rng := rand.New(rand.NewPCG(seed, 2))
			var s sample
			if rng.Float64() >= l.c.readRatio {
				sys, locked := l.systems[rng.IntN(len(l.systems))], false
				for range 8 { // a system nobody is writing to
					if locked = sys.writing.TryLock(); locked {
						break
					}
					sys = l.systems[rng.IntN(len(l.systems))]
				}
				if !locked {
					sys.writing.Lock()
				}
				s = l.write(ctx, rng, sys, seq.Add(1), deadline)
				sys.writing.Unlock()
			} else {
				s = l.read(ctx, rng, l.systems[rng.IntN(len(l.systems))], deadline)
			}
			if ctx.Err() != nil && s.err != "" {
				return
			}
			s.d = time.Since(arrival)
			mu.Lock()
			all = append(all, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	return results{elapsed: time.Since(start), samples: all}
}

// nextGap is the time from one arrival to the next in the open loop: a
// draw from the exponential distribution of mean gap (a Poisson process),
// or gap itself for fixed arrivals.
func nextGap(arrivals string, rng *rand.Rand, gap float64) time.Duration {
	if arrivals == arrivalsFixed {
		return time.Duration(gap)
	}
	return time.Duration(rng.ExpFloat64() * gap)
}

func (l *loader) read(ctx context.Context, rng *rand.Rand, s *system, deadline time.Time) sample {
	tok := l.tokens[s.team]
	var op, p string
	switch x := rng.Float64(); {
	case x < 0.4:
		op, p = opFindings, "/api/v1/findings?team="+l.teams[s.team]+"&"+findingFilters[rng.IntN(len(findingFilters))]
	case x < 0.7:
		op, p = opSystem, "/api/v1/systems/"+s.id
	default:
		op, p = opVersion, "/api/v1/systems/"+s.id+"/versions/"+[]string{"1", "latest"}[rng.IntN(2)]
	}
	t0 := time.Now()
	resp, _, retries, cut, err := l.doRetry(ctx, "GET", p, tok, nil, deadline, false)
	d := time.Since(t0)
	switch {
	case err != nil:
		return sample{op: op, d: d, err: err.Error(), retries: retries}
	case cut:
		return sample{op: op, d: d, retries: retries, cut: true}
	case resp.StatusCode != http.StatusOK:
		return sample{op: op, d: d, err: resp.Status, retries: retries}
	}
	return sample{op: op, d: d, retries: retries}
}

func (l *loader) write(ctx context.Context, rng *rand.Rand, s *system, n int64, deadline time.Time) sample {
	op, p := opPush, "/api/v1/systems/"+s.id+"/versions"
	var body any = map[string]any{"team": l.teams[s.team], "message": fmt.Sprintf("load %d", n), "main": "ward.yaml",
		"files": l.pushFiles(s, n)}
	if s.finding != "" && rng.IntN(2) == 0 {
		op, p = opDecision, "/api/v1/systems/"+s.id+"/decisions"
		body = map[string]any{"finding": s.finding, "status": []string{"accepted", "mitigated", "false_positive"}[rng.IntN(3)],
			"reason": fmt.Sprintf("ward-load decision %d", n), "owner": "load", "expires": "2030-01-01"}
	}
	t0 := time.Now()
	resp, data, retries, cut, err := l.doRetry(ctx, "POST", p, l.tokens[s.team], body, deadline, true)
	d := time.Since(t0)
	switch {
	case err != nil:
		return sample{op: op, d: d, err: err.Error(), retries: retries}
	case cut:
		return sample{op: op, d: d, retries: retries, cut: true}
	case resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK:
		return sample{op: op, d: d, err: fmt.Sprintf("%s %s", resp.Status, bytes.TrimSpace(data)), retries: retries}
	}
	var pr pushResult
	if err := json.Unmarshal(data, &pr); err != nil || pr.Version < 1 || pr.SHA256 == "" {
		return sample{op: op, d: d, err: fmt.Sprintf("bad acknowledgement %s", data), retries: retries}
	}
	s.mu.Lock()
	s.acked[pr.Version] = pr.SHA256
	s.mu.Unlock()
	return sample{op: op, d: d, retries: retries}
}
