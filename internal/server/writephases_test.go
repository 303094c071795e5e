package server_test

import (
	"path/filepath"
	"testing"
)

// TestWritePhasesMetrics: /metrics times each push and each decision by
// phase — a push that analyses spends time loading, analysing and
// storing, and a push whose content is the latest's stores nothing.
func TestWritePhasesMetrics(t *testing.T) {
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	const push = "/api/v1/systems/larkspur-shop/versions"
	pushes, edits := s.metric(t, "ward_writes_timed_push"), s.metric(t, "ward_writes_timed_edit")
	phase := func(kind, ph string) float64 { return s.metric(t, "ward_write_phase_seconds_"+kind+"_"+ph) }
	analysed, stored := phase("push", "analyse"), phase("push", "store")
	s.want(s.do("POST", push, s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Store")}), 201)
	if got := s.metric(t, "ward_writes_timed_push"); got != pushes+1 {
		t.Fatalf("ward_writes_timed_push %v after a push, want %v", got, pushes+1)
	}
	if phase("push", "analyse") <= analysed || phase("push", "store") <= stored {
		t.Errorf("a new model's push spent no time analysing (%v → %v s) or storing (%v → %v s)", analysed, phase("push", "analyse"), stored, phase("push", "store"))
	}
	stored = phase("push", "store")
	s.want(s.do("POST", push, s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Store")}), 200)
	if got := phase("push", "store"); got != stored {
		t.Errorf("an unchanged push spent %v s storing, want none", got-stored)
	}
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": s.findings[0], "status": "accepted", "reason": "edge control", "owner": "dana", "expires": "2027-02-01"}), 201)
	if got := s.metric(t, "ward_writes_timed_edit"); got != edits+1 {
		t.Fatalf("ward_writes_timed_edit %v after a decision, want %v", got, edits+1)
	}
	if phase("edit", "merge") <= 0 || phase("edit", "queue") <= 0 {
		t.Errorf("a decision spent no time editing (%v s) or taking its slot (%v s)", phase("edit", "merge"), phase("edit", "queue"))
	}
	if y := s.metric(t, "ward_write_yields_push") + s.metric(t, "ward_write_yields_edit"); y != 0 {
		t.Errorf("%v yields without Config.YieldWrites, want none", y)
	}
}

// TestYieldWrites: with Config.YieldWrites a push and a decision give up
// their core at each step (ward_write_yields_*), and answer as without it.
func TestYieldWrites(t *testing.T) {
	envYieldWrites = true
	defer func() { envYieldWrites = false }()
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	pushed := s.metric(t, "ward_write_yields_push")
	if pushed < 5 { // the seeding push: queue, merge, load, analyse, report, encode, store, after
		t.Errorf("ward_write_yields_push %v after a push, want a yield at each of its steps", pushed)
	}
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Store")}), 201)
	if got := s.metric(t, "ward_write_yields_push"); got < 2*pushed-1 {
		t.Errorf("ward_write_yields_push %v after a second push, want ≈ %v", got, 2*pushed)
	}
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": s.findings[0], "status": "accepted", "reason": "edge control", "owner": "dana", "expires": "2027-02-01"}), 201)
	if got := s.metric(t, "ward_write_yields_edit"); got < 5 {
		t.Errorf("ward_write_yields_edit %v after a decision, want a yield at each of its steps", got)
	}
	_, files := s.latest()
	if !decided(files, s.findings[0], "accepted") {
		t.Errorf("the decision is not in the latest version's model")
	}
}
