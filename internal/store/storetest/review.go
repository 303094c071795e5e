package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

// testReviews checks review requests, their history, approvals, capacity
// and settings.
func testReviews(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "payments", Name: "Payments"}, "admin"))
	must(s.CreateTeam(ctx, store.Team{ID: "growth", Name: "Growth"}, "admin"))
	due := time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC)
	mk := func(id, team, system, state string, score int) store.ReviewRequest {
		return store.ReviewRequest{ID: id, SystemID: system, TeamID: team, Title: "Review " + id, DesignDoc: "https://docs.example.com/" + id,
			Answers: `{"paved_path":"no"}`, Tier: "security-led", Score: score, Reasons: `[]`, Policy: "default", State: state,
			RequestedBy: "user:u1", Due: due}
	}
	first := must(s.CreateReview(ctx, mk("r1", "payments", "checkout", "requested", 70), store.ReviewEvent{Actor: "user:u1", Action: "request", To: "requested"}))
	if first.Revision != 1 || first.CreatedAt.IsZero() || !first.Due.Equal(due) {
		t.Errorf("created = %+v", first)
	}
	must(s.CreateReview(ctx, mk("r2", "payments", "ledger", "self_serve", 20), store.ReviewEvent{Actor: "user:u1", Action: "request", To: "self_serve"}))
	must(s.CreateReview(ctx, mk("r3", "growth", "referrals", "requested", 40), store.ReviewEvent{Actor: "user:u2", Action: "request", To: "requested"}))
	if _, err := s.CreateReview(ctx, mk("r1", "payments", "x", "requested", 1), store.ReviewEvent{}); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate id: %v, want ErrExists", err)
	}
	if _, err := s.CreateReview(ctx, mk("r9", "nobody", "x", "requested", 1), store.ReviewEvent{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown team: %v, want ErrNotFound", err)
	}
	got := must(s.GetReview(ctx, "r1"))
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("GetReview (-created +got):\n%s", diff)
	}
	if _, err := s.GetReview(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing review: %v", err)
	}

	ids := func(rs []store.ReviewRequest) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		q     store.ReviewQuery
		want  []string
		total int
	}{
		{"all", store.ReviewQuery{}, []string{"r3", "r2", "r1"}, 3},
		{"team", store.ReviewQuery{TeamID: "payments"}, []string{"r2", "r1"}, 2},
		{"system", store.ReviewQuery{SystemID: "referrals"}, []string{"r3"}, 1},
		{"open states", store.ReviewQuery{States: []string{"requested", "triaged"}}, []string{"r3", "r1"}, 2},
		{"state and team", store.ReviewQuery{TeamID: "growth", States: []string{"self_serve"}}, nil, 0},
		{"page", store.ReviewQuery{Page: store.Page{Limit: 1, Offset: 1}}, []string{"r2"}, 3},
	} {
		rs, total, err := s.ListReviews(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(c.want, ids(rs)); diff != "" || total != c.total {
			t.Errorf("%s: total %d (want %d) (-want +got):\n%s", c.name, total, c.total, diff)
		}
	}

	// Updates: optimistic concurrency, history, approval in the same step.
	up := first
	up.State, up.Assignee, up.Note = "triaged", "sec@example.com", "looks sensitive"
	up.SystemID, up.TeamID = "moved", "growth" // ignored: identity stays
	got = must(s.UpdateReview(ctx, store.ReviewUpdate{Request: up, BaseRevision: 1, Event: store.ReviewEvent{Actor: "user:sec", Action: "triage", From: "requested", To: "triaged", Note: "looks sensitive"}}))
	if got.Revision != 2 || got.State != "triaged" || got.Assignee != "sec@example.com" || got.SystemID != "checkout" || got.TeamID != "payments" {
		t.Errorf("updated = %+v", got)
	}
	if _, err := s.UpdateReview(ctx, store.ReviewUpdate{Request: up, BaseRevision: 1, Event: store.ReviewEvent{Action: "triage"}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale revision: %v, want ErrConflict", err)
	}
	if _, err := s.UpdateReview(ctx, store.ReviewUpdate{Request: store.ReviewRequest{ID: "nope"}, BaseRevision: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing review: %v, want ErrNotFound", err)
	}
	if _, err := s.LatestApproval(ctx, "checkout"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no approval yet: %v", err)
	}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	appr := store.Approval{Version: 3, ApprovedBy: "sec@example.com", ApprovedAt: at, ExpiresAt: at.AddDate(1, 0, 0), HighRisks: []string{"t1", "t2"}}
	got.State = "approved"
	got = must(s.UpdateReview(ctx, store.ReviewUpdate{Request: got, BaseRevision: 2, Event: store.ReviewEvent{Actor: "user:sec", Action: "approve", From: "triaged", To: "approved"}, Approval: &appr}))
	if got.Revision != 3 {
		t.Errorf("revision after approval = %d", got.Revision)
	}
	la := must(s.LatestApproval(ctx, "checkout"))
	want := store.Approval{SystemID: "checkout", TeamID: "payments", RequestID: "r1", Version: 3, ApprovedBy: "sec@example.com", ApprovedAt: at, ExpiresAt: at.AddDate(1, 0, 0), HighRisks: []string{"t1", "t2"}}
	if diff := cmp.Diff(want, la); diff != "" {
		t.Errorf("LatestApproval (-want +got):\n%s", diff)
	}
	// A second approval (of another request) becomes the latest.
	r4 := must(s.CreateReview(ctx, mk("r4", "payments", "checkout", "in_review", 70), store.ReviewEvent{Actor: "user:u1", Action: "request", To: "in_review"}))
	r4.State = "approved"
	appr2 := store.Approval{Version: 5, ApprovedBy: "ann@example.com", ApprovedAt: at.Add(time.Hour), ExpiresAt: at.AddDate(1, 0, 0)}
	must(s.UpdateReview(ctx, store.ReviewUpdate{Request: r4, BaseRevision: 1, Event: store.ReviewEvent{Actor: "user:ann", Action: "approve"}, Approval: &appr2}))
	if la := must(s.LatestApproval(ctx, "checkout")); la.Version != 5 || la.RequestID != "r4" || la.HighRisks != nil {
		t.Errorf("latest approval after a second one = %+v", la)
	}
	r3 := must(s.GetReview(ctx, "r3"))
	r3.State = "approved"
	must(s.UpdateReview(ctx, store.ReviewUpdate{Request: r3, BaseRevision: 1, Event: store.ReviewEvent{Actor: "user:ann", Action: "approve"}, Approval: &appr}))
	all := must(s.LatestApprovals(ctx, ""))
	var sums []string
	for _, a := range all {
		sums = append(sums, fmt.Sprintf("%s@%d", a.SystemID, a.Version))
	}
	if diff := cmp.Diff([]string{"checkout@5", "referrals@3"}, sums); diff != "" {
		t.Errorf("LatestApprovals (-want +got):\n%s", diff)
	}
	if team := must(s.LatestApprovals(ctx, "growth")); len(team) != 1 || team[0].SystemID != "referrals" {
		t.Errorf("LatestApprovals(growth) = %+v", team)
	}

	evs := must(s.ReviewEvents(ctx, "r1"))
	var steps []string
	for i, e := range evs {
		steps = append(steps, fmt.Sprintf("%d %s %s>%s %s", e.Seq, e.Action, e.From, e.To, e.Actor))
		if e.At.IsZero() || e.RequestID != "r1" || e.Seq != i+1 {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	if diff := cmp.Diff([]string{"1 request >requested user:u1", "2 triage requested>triaged user:sec", "3 approve triaged>approved user:sec"}, steps); diff != "" {
		t.Errorf("ReviewEvents (-want +got):\n%s", diff)
	}
	if evs[1].Note != "looks sensitive" {
		t.Errorf("event note = %q", evs[1].Note)
	}

	// Every change is in the audit log.
	audit := must(s.Audit(ctx, 0, store.Page{Limit: 500}))
	actions := map[string]int{}
	for _, e := range audit {
		actions[e.Action]++
	}
	if actions["review.request"] != 4 || actions["review.triage"] != 1 || actions["review.approve"] != 3 {
		t.Errorf("audit actions = %v", actions)
	}

	// Capacity: set, replace, remove.
	must(0, s.SetCapacity(ctx, store.Capacity{Week: "2026-W49", Engineer: "bo@example.com", Hours: 6, UpdatedBy: "user:bo"}))
	must(0, s.SetCapacity(ctx, store.Capacity{Week: "2026-W49", Engineer: "ann@example.com", Hours: 12.5, UpdatedBy: "user:ann"}))
	must(0, s.SetCapacity(ctx, store.Capacity{Week: "2026-W50", Engineer: "ann@example.com", Hours: 4, UpdatedBy: "user:ann"}))
	must(0, s.SetCapacity(ctx, store.Capacity{Week: "2026-W49", Engineer: "bo@example.com", Hours: 10, UpdatedBy: "user:ann"}))
	caps := must(s.ListCapacity(ctx, "2026-W49"))
	var hours []string
	for _, c := range caps {
		hours = append(hours, fmt.Sprintf("%s %g %s", c.Engineer, c.Hours, c.UpdatedBy))
		if c.UpdatedAt.IsZero() {
			t.Errorf("capacity without a time: %+v", c)
		}
	}
	if diff := cmp.Diff([]string{"ann@example.com 12.5 user:ann", "bo@example.com 10 user:ann"}, hours); diff != "" {
		t.Errorf("ListCapacity (-want +got):\n%s", diff)
	}
	must(0, s.SetCapacity(ctx, store.Capacity{Week: "2026-W49", Engineer: "ann@example.com", Hours: 0, UpdatedBy: "user:ann"}))
	if caps := must(s.ListCapacity(ctx, "2026-W49")); len(caps) != 1 {
		t.Errorf("after removing ann: %+v", caps)
	}

	// Settings.
	if v := must(s.ReviewSetting(ctx, "policy")); v != "" {
		t.Errorf("unset setting = %q", v)
	}
	must(0, s.SetReviewSetting(ctx, "policy", "ward_policy: 1\n", "user:admin"))
	must(0, s.SetReviewSetting(ctx, "policy", "ward_policy: 1\nname: acme\n", "user:admin"))
	if v := must(s.ReviewSetting(ctx, "policy")); v != "ward_policy: 1\nname: acme\n" {
		t.Errorf("setting = %q", v)
	}
	must(0, s.SetReviewSetting(ctx, "policy", "", "user:admin"))
	if v := must(s.ReviewSetting(ctx, "policy")); v != "" {
		t.Errorf("removed setting = %q", v)
	}
}

// testConcurrentReviewUpdates: of many writers basing an update on the
// same revision, exactly one wins; the others get ErrConflict.
func testConcurrentReviewUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "payments", Name: "Payments"}, "admin"))
	r := must(s.CreateReview(ctx, store.ReviewRequest{ID: "r1", SystemID: "checkout", TeamID: "payments", State: "requested", Answers: "{}", Reasons: "[]"},
		store.ReviewEvent{Actor: "user:u1", Action: "request"}))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			up := r
			up.Assignee = fmt.Sprintf("sec%d@example.com", i)
			_, errs[i] = s.UpdateReview(ctx, store.ReviewUpdate{Request: up, BaseRevision: r.Revision, Event: store.ReviewEvent{Actor: "user:sec", Action: "assign"}})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d writers won, want exactly 1", won)
	}
	if got := must(s.GetReview(ctx, "r1")); got.Revision != 2 {
		t.Errorf("revision = %d, want 2", got.Revision)
	}
	if evs := must(s.ReviewEvents(ctx, "r1")); len(evs) != 2 {
		t.Errorf("%d events, want 2 (request + the one winning assign)", len(evs))
	}
}
