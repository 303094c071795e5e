package main

import (
	"context"
	"path/filepath"
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
	for _, want := range []string{"4 clients", "pushes varied", "all reads", "all writes", "verified: every acknowledged write is stored", "push phases (", "edit phases (", "PASS"} {
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
