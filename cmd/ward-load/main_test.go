package main

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// small is a short run against an in-process server on a SQLite file in
// the test's directory (PostgreSQL when WARD_TEST_POSTGRES is set is left to
// the store conformance suite; this tests the benchmark itself).
func small(t *testing.T) config {
	return config{
		db: filepath.Join(t.TempDir(), "load.db"), clients: 4, duration: 700 * time.Millisecond, readRatio: 0.8,
		teams: 2, maxReadP99: 10 * time.Second, timeout: 30 * time.Second, example: "shop", content: contentUnique,
	}
}

// TestRunClosedLoop: a closed-loop run serves reads and writes, verifies
// every acknowledged write and passes its bounds.
func TestRunClosedLoop(t *testing.T) {
	c := small(t)
	c.content = contentVaried
	var out strings.Builder
	ok, err := run(context.Background(), c, &out)
	if err != nil || !ok {
		t.Fatalf("run = %v, %v\n%s", ok, err, out.String())
	}
	for _, want := range []string{"4 clients", "pushes varied", "all reads", "all writes", "verified: every acknowledged write is stored", "push phases (", "edit phases (",
		"little: 4 clients ÷ ", "of CPU a request on", "waits for a core: p50", "PASS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunOpenLoopFailsBound: an open-loop run with a read p99 bound no
// server can meet fails (ok false), and says why.
func TestRunOpenLoopFailsBound(t *testing.T) {
	c := small(t)
	c.rate, c.maxReadP99, c.content = 200, time.Nanosecond, contentSame
	var out strings.Builder
	ok, err := run(context.Background(), c, &out)
	if err != nil || ok {
		t.Fatalf("run = %v, %v, want a failed bound\n%s", ok, err, out.String())
	}
	if !strings.Contains(out.String(), "open loop at 200 requests/s") || !strings.Contains(out.String(), "FAIL") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestRunRefuses: bad settings are errors before anything starts, and the
// benchmark never targets another machine.
func TestRunRefuses(t *testing.T) {
	for name, mod := range map[string]func(*config){
		"rate and think": func(c *config) { c.rate, c.think = 10, time.Second },
		"content":        func(c *config) { c.content = "other" },
		"example":        func(c *config) { c.example = "no-such-example" },
		"remote server":  func(c *config) { c.serverURL = "http://192.0.2.1:8080" },
		"arrivals":       func(c *config) { c.rate, c.arrivals = 10, "bursty" },
		"fixed closed":   func(c *config) { c.arrivals = arrivalsFixed },
		"write p99":      func(c *config) { c.maxWriteP99 = -time.Second },
	} {
		c := small(t)
		mod(&c)
		if ok, err := run(context.Background(), c, &strings.Builder{}); err == nil || ok {
			t.Errorf("%s: run = %v, %v, want an error", name, ok, err)
		}
	}
}

// TestRenamed: -content varied changes the system's name in the model,
// keeping the file valid YAML with the same lines.
func TestRenamed(t *testing.T) {
	in := "ward: 1\nsystem:\n  id: s1\n  name: Larkspur Shop\n  team: t\n"
	got, ok := renamed(in, "s1", "r-7")
	if want := "ward: 1\nsystem:\n  id: s1\n  name: Larkspur Shop r-7\n  team: t\n"; !ok || got != want {
		t.Errorf("renamed = %q, %v; want %q", got, ok, want)
	}
	for _, in := range []string{"system:\n  id: s1\n  team: t\n", "system:\n  id: s1\n  name: \"Quoted\"\n", "system:\n  id: s2\n  name: X\n"} {
		if _, ok := renamed(in, "s1", "m"); ok {
			t.Errorf("renamed(%q) ok, want refused", in)
		}
	}
}

// TestRunOpenLoopFixed: fixed arrivals send rate × duration requests, no
// more (a Poisson process would vary), count latency from each arrival,
// and a write p99 bound no server meets fails the run.
func TestRunOpenLoopFixed(t *testing.T) {
	c := small(t)
	c.rate, c.arrivals, c.duration, c.maxWriteP99 = 40, arrivalsFixed, time.Second, time.Nanosecond
	var out strings.Builder
	ok, err := run(context.Background(), c, &out)
	if err != nil || ok {
		t.Fatalf("run = %v, %v, want the write bound failed\n%s", ok, err, out.String())
	}
	for _, want := range []string{"open loop at 40 requests/s, fixed arrivals", "little: ", "requests in flight on average", "FAIL: write p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// 40 a second for 1 s, the first 25 ms after the start: 39 arrivals.
	if !strings.Contains(out.String(), "all reads") || !regexp.MustCompile(`(?m)^ +all writes +\d+`).MatchString(out.String()) {
		t.Fatalf("output:\n%s", out.String())
	}
	total := 0
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && f[0] == "all" {
			n, _ := strconv.Atoi(f[2])
			total += n
		}
	}
	if total != 39 {
		t.Errorf("%d requests, want 39 (fixed arrivals every 25 ms in 1 s)\n%s", total, out.String())
	}
}

// TestNextGap: fixed gaps are exact; Poisson gaps average the gap and vary.
func TestNextGap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	if g := nextGap(arrivalsFixed, rng, float64(25*time.Millisecond)); g != 25*time.Millisecond {
		t.Errorf("fixed gap = %s, want 25ms", g)
	}
	var sum, lo, hi time.Duration
	lo = time.Hour
	const n = 20000
	for range n {
		g := nextGap(arrivalsPoisson, rng, float64(10*time.Millisecond))
		sum += g
		lo, hi = min(lo, g), max(hi, g)
	}
	if m := sum / n; m < 9500*time.Microsecond || m > 10500*time.Microsecond {
		t.Errorf("Poisson mean gap = %s, want ≈ 10ms", m)
	}
	if lo > time.Millisecond || hi < 40*time.Millisecond {
		t.Errorf("Poisson gaps within %s..%s: not exponential", lo, hi)
	}
}

// TestSchedQuantiles: the quantiles of the waits recorded between two
// readings, by bucket upper bound.
func TestSchedQuantiles(t *testing.T) {
	b := []float64{0, 0.001, 0.01, 0.1, math.Inf(1)}
	before := &metrics.Float64Histogram{Buckets: b, Counts: []uint64{5, 5, 5, 5}}
	after := &metrics.Float64Histogram{Buckets: b, Counts: []uint64{95, 10, 8, 7}}
	p50, p99, n := schedQuantiles(before, after)
	if n != 100 || p50 != time.Millisecond || p99 != 100*time.Millisecond {
		t.Errorf("schedQuantiles = %s, %s, %d; want 1ms, 100ms, 100", p50, p99, n)
	}
	if _, _, n := schedQuantiles(nil, after); n != 0 {
		t.Errorf("no reading before: n = %d", n)
	}
	if h := schedHist(); h == nil || len(h.Counts) == 0 {
		t.Errorf("schedHist = %v", h)
	}
}
