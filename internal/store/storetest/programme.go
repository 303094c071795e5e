package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

// testProgramme checks outside findings, team phases, proposals, reviewed
// models, activities and snapshots.
func testProgramme(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "payments", Name: "Payments"}, "admin"))
	must(s.CreateTeam(ctx, store.Team{ID: "growth", Name: "Growth"}, "admin"))
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

	// Outside findings: an import, a re-import adds nothing, refs are
	// unique per source and system only.
	of := func(id, team, sys, src, ref, sev, catch string, found time.Time, cost float64) store.OutsideFinding {
		return store.OutsideFinding{ID: id, TeamID: team, SystemID: sys, Source: src, Ref: ref, Title: "Finding " + id, Severity: sev, Found: found,
			Element: "api", Category: "spoofing", CWE: []int{287, 79}, Cost: cost, Catch: catch, CatchWhy: "why " + id}
	}
	batch := []store.OutsideFinding{
		of("of-1", "payments", "checkout", "pen_test", "PT-1", "high", "escape", day(2), 1200),
		of("of-2", "payments", "checkout", "bug_bounty", "H1-1", "critical", "known", day(5), 2500),
		of("of-3", "growth", "referrals", "bug_bounty", "", "medium", "engine", day(3), 0),
	}
	n := must(s.ImportOutside(ctx, store.ImportBatch{ID: "b1", Source: "mixed", File: "f.csv", Format: "csv", ImportedBy: "user:sec"}, batch))
	if n != 3 {
		t.Errorf("imported %d, want 3", n)
	}
	again := []store.OutsideFinding{of("of-4", "payments", "checkout", "pen_test", "PT-1", "high", "escape", day(2), 0),
		of("of-5", "payments", "ledger", "pen_test", "PT-1", "low", "escape", day(6), 0)}
	if n := must(s.ImportOutside(ctx, store.ImportBatch{ID: "b2", Source: "pen_test", File: "g.csv", Format: "csv", ImportedBy: "user:sec"}, again)); n != 1 {
		t.Errorf("re-import added %d, want 1 (PT-1 on checkout was imported before)", n)
	}
	if _, err := s.ImportOutside(ctx, store.ImportBatch{ID: "b3", ImportedBy: "x"}, []store.OutsideFinding{of("of-9", "nobody", "x", "pen_test", "", "low", "escape", day(1), 0)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown team: %v, want ErrNotFound", err)
	}
	if got, total := mustList(s.OutsideFindings(ctx, store.OutsideQuery{Batch: "b3"})); total != 0 || len(got) != 0 {
		t.Errorf("a failed import left %d findings", total)
	}
	all, total := mustList(s.OutsideFindings(ctx, store.OutsideQuery{}))
	if total != 4 || len(all) != 4 || all[0].ID != "of-5" || all[len(all)-1].ID != "of-1" {
		t.Errorf("all = %d %v", total, ids(all))
	}
	got := all[len(all)-1]
	want := batch[0]
	want.Batch, want.ImportedBy, want.ImportedAt = "b1", "user:sec", got.ImportedAt
	if diff := cmp.Diff(want, got); diff != "" || got.ImportedAt.IsZero() {
		t.Errorf("stored finding (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		q    store.OutsideQuery
		want []string
	}{
		{store.OutsideQuery{TeamID: "payments"}, []string{"of-5", "of-2", "of-1"}},
		{store.OutsideQuery{TeamID: "payments", Catch: "escape"}, []string{"of-5", "of-1"}},
		{store.OutsideQuery{Source: "bug_bounty"}, []string{"of-2", "of-3"}},
		{store.OutsideQuery{SystemID: "checkout", Page: store.Page{Limit: 1, Offset: 1}}, []string{"of-1"}},
		{store.OutsideQuery{Severities: []string{"critical", "high"}}, []string{"of-2", "of-1"}},
		{store.OutsideQuery{TeamID: "payments", Severities: []string{"low"}}, []string{"of-5"}},
	} {
		got, _ := mustList(s.OutsideFindings(ctx, c.q))
		if diff := cmp.Diff(c.want, ids(got)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", c.q, diff)
		}
	}

	// Phases: none set means not found; set, history, list.
	if _, err := s.TeamPhase(ctx, "payments"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unset phase: %v", err)
	}
	mustDo(s.SetTeamPhase(ctx, store.TeamPhase{TeamID: "payments", Phase: "training", Since: day(1), UpdatedBy: "user:sec"},
		store.PhaseEvent{Actor: "user:sec", Kind: "set", From: "traditional", To: "training", Note: "kick-off"}))
	if err := s.SetTeamPhase(ctx, store.TeamPhase{TeamID: "nobody", Phase: "training", UpdatedBy: "x"}, store.PhaseEvent{Kind: "set"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown team: %v", err)
	}
	ph := must(s.TeamPhase(ctx, "payments"))
	if ph.Phase != "training" || !ph.Since.Equal(day(1)) {
		t.Errorf("phase = %+v", ph)
	}

	// Proposals: one open per team; confirm moves the team; a decided
	// proposal cannot be decided again.
	p := must(s.CreateProposal(ctx, store.PhaseProposal{ID: "pp-1", TeamID: "payments", From: "training", To: "observation", Summary: "ready", Evidence: `{"checks":[]}`, CreatedAt: day(10)}))
	if p.State != "open" {
		t.Errorf("created = %+v", p)
	}
	if _, err := s.CreateProposal(ctx, store.PhaseProposal{ID: "pp-2", TeamID: "payments", From: "training", To: "observation"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("second open proposal: %v, want ErrExists", err)
	}
	must(s.CreateProposal(ctx, store.PhaseProposal{ID: "pp-3", TeamID: "growth", From: "review", To: "observation", StepBack: true, CreatedAt: day(11)}))
	if open := must(s.ListProposals(ctx, "", "open")); len(open) != 2 || open[0].ID != "pp-3" || !open[0].StepBack {
		t.Errorf("open = %+v", open)
	}
	dec := must(s.DecideProposal(ctx, "pp-1", true, "user:sec", "agreed at the coaching call", day(12)))
	if dec.State != "confirmed" || dec.DecidedBy != "user:sec" || !dec.DecidedAt.Equal(day(12)) || dec.Note != "agreed at the coaching call" {
		t.Errorf("decided = %+v", dec)
	}
	if diff := cmp.Diff(dec, must(s.GetProposal(ctx, "pp-1"))); diff != "" {
		t.Errorf("GetProposal (-decided +got):\n%s", diff)
	}
	if _, err := s.DecideProposal(ctx, "pp-1", false, "user:sec", "", day(13)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("decide twice: %v, want ErrConflict", err)
	}
	if _, err := s.DecideProposal(ctx, "nope", true, "x", "", day(13)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing proposal: %v", err)
	}
	if ph := must(s.TeamPhase(ctx, "payments")); ph.Phase != "observation" || !ph.Since.Equal(day(12)) || ph.UpdatedBy != "user:sec" {
		t.Errorf("after confirm: %+v", ph)
	}
	must(s.DecideProposal(ctx, "pp-3", false, "user:sec", "one-off", day(12)))
	if _, err := s.TeamPhase(ctx, "growth"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a dismissed proposal moved the team: %v", err)
	}
	// A new proposal may follow a decided one.
	must(s.CreateProposal(ctx, store.PhaseProposal{ID: "pp-4", TeamID: "payments", From: "observation", To: "review", CreatedAt: day(14)}))
	evs := must(s.PhaseEvents(ctx, "payments"))
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, fmt.Sprintf("%d %s %s>%s", e.Seq, e.Kind, e.From, e.To))
	}
	if diff := cmp.Diff([]string{"1 set traditional>training", "2 proposed training>observation", "3 confirmed training>observation", "4 proposed observation>review"}, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(must(s.ListTeamPhases(ctx))) != 1 {
		t.Error("ListTeamPhases")
	}

	// Reviewed models: replace on the same version, newest first.
	mustDo(s.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: "payments", SystemID: "checkout", Version: 3, RequestID: "rv-1", ReviewedAt: day(3), Threats: `[]`}))
	mustDo(s.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: "payments", SystemID: "checkout", Version: 4, RequestID: "rv-2", ReviewedAt: day(8), Threats: `[{"id":"x"}]`}))
	mustDo(s.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: "payments", SystemID: "checkout", Version: 3, RequestID: "rv-1", ReviewedAt: day(4), Threats: `[{"id":"y"}]`}))
	mustDo(s.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: "growth", SystemID: "referrals", Version: 1, ReviewedAt: day(9), Threats: `[]`}))
	rms := must(s.ReviewedModels(ctx, "payments", 0))
	if len(rms) != 2 || rms[0].Version != 4 || rms[1].Threats != `[{"id":"y"}]` || !rms[1].ReviewedAt.Equal(day(4)) {
		t.Errorf("reviewed = %+v", rms)
	}
	if len(must(s.ReviewedModels(ctx, "", 1))) != 1 || len(must(s.ReviewedModels(ctx, "", 0))) != 3 {
		t.Error("ReviewedModels limit or all teams")
	}

	// Activities once per ref; snapshots replaced per week.
	mustDo(s.RecordActivity(ctx, store.ProgrammeActivity{TeamID: "payments", Kind: "training", Ref: "run-1", Label: "Exercise", At: day(2)}))
	mustDo(s.RecordActivity(ctx, store.ProgrammeActivity{TeamID: "payments", Kind: "training", Ref: "run-1", Label: "again", At: day(3)}))
	mustDo(s.RecordActivity(ctx, store.ProgrammeActivity{TeamID: "payments", Kind: "observed_session", Ref: "ls-1", Label: "Session", At: day(1)}))
	if acts := must(s.Activities(ctx, "payments")); len(acts) != 2 || acts[0].Ref != "ls-1" || acts[1].Label != "Exercise" {
		t.Errorf("activities = %+v", acts)
	}
	mustDo(s.PutSnapshot(ctx, store.RiskSnapshot{Week: "2026-W45", TeamID: "payments", Data: `{"a":1}`}))
	mustDo(s.PutSnapshot(ctx, store.RiskSnapshot{Week: "2026-W46", TeamID: "payments", Data: `{"a":2}`}))
	mustDo(s.PutSnapshot(ctx, store.RiskSnapshot{Week: "2026-W45", TeamID: "payments", Data: `{"a":3}`}))
	mustDo(s.PutSnapshot(ctx, store.RiskSnapshot{Week: "2026-W46", TeamID: "growth", Data: `{}`}))
	snaps := must(s.Snapshots(ctx, "payments", ""))
	if len(snaps) != 2 || snaps[0].Data != `{"a":3}` || snaps[1].Week != "2026-W46" {
		t.Errorf("snapshots = %+v", snaps)
	}
	if len(must(s.Snapshots(ctx, "", "2026-W46"))) != 2 {
		t.Error("Snapshots since")
	}
}

func mustDo(err error) {
	if err != nil {
		panic(failure{err})
	}
}

func ids(fs []store.OutsideFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}
