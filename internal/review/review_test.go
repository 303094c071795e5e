package review

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/triage"
)

func TestNext(t *testing.T) {
	// Every (state, action) pair: the state it leads to, or "-" when refused.
	want := map[State]map[Action]string{
		Requested:        {Triage: "triaged", MakeSelfServe: "self_serve", Assign: "requested"},
		Triaged:          {Start: "in_review", MakeSelfServe: "self_serve", Assign: "triaged"},
		InReview:         {RequestChanges: "changes_requested", Approve: "approved", Assign: "in_review"},
		ChangesRequested: {Start: "in_review", Resubmit: "in_review", Assign: "changes_requested"},
		Approved:         {},
		SelfServe:        {Triage: "triaged"},
	}
	for _, s := range States {
		for _, a := range Actions {
			got, err := Next(s, a)
			w, ok := want[s][a]
			if !ok {
				w = "-"
			}
			g := string(got)
			if err != nil {
				g = "-"
				if !errors.Is(err, ErrTransition) {
					t.Errorf("%s %s: error %v does not wrap ErrTransition", s, a, err)
				}
			}
			if g != w {
				t.Errorf("Next(%s, %s) = %s (%v), want %s", s, a, g, err, w)
			}
		}
	}
	if _, err := Next(Requested, "explode"); err == nil || errors.Is(err, ErrTransition) {
		t.Errorf("unknown action: %v", err)
	}
	if diff := cmp.Diff([]Action{RequestChanges, Approve, Assign}, Possible(InReview)); diff != "" {
		t.Errorf("Possible(in_review) (-want +got):\n%s", diff)
	}
	_, err := Next(Approved, Approve)
	if err == nil || !strings.Contains(err.Error(), "cannot Approve a approved request") && !strings.Contains(err.Error(), "approved request") {
		t.Errorf("error should name the state: %v", err)
	}
}

func TestStates(t *testing.T) {
	for _, c := range []struct {
		s    State
		open bool
	}{{Requested, true}, {Triaged, true}, {InReview, true}, {ChangesRequested, true}, {Approved, false}, {SelfServe, false}} {
		if c.s.Open() != c.open {
			t.Errorf("%s.Open() = %v", c.s, !c.open)
		}
		if got, ok := ParseState(string(c.s)); !ok || got != c.s {
			t.Errorf("ParseState(%s) = %s %v", c.s, got, ok)
		}
	}
	if _, ok := ParseState("done"); ok {
		t.Error("ParseState accepted done")
	}
	for tier, want := range map[triage.Tier]State{triage.TierSecurityLed: Requested, triage.TierSelfServe: SelfServe, triage.TierNone: SelfServe} {
		if got := InitialState(tier); got != want {
			t.Errorf("InitialState(%s) = %s, want %s", tier, got, want)
		}
	}
	if Resubmit.BySecurity() || !Approve.BySecurity() {
		t.Error("BySecurity: resubmit is the team's, approve is security's")
	}
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func TestSettings(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		mod  func(*Settings)
		want string
	}{
		{"approval", func(s *Settings) { s.ApprovalDays = 0 }, "approval_days"},
		{"warn above approval", func(s *Settings) { s.WarnDays = 365 }, "warn_days"},
		{"due", func(s *Settings) { s.DueDays = 0 }, "due_days"},
		{"hours", func(s *Settings) { s.SecurityLedHours = -1 }, "security_led_hours"},
		{"self-serve hours", func(s *Settings) { s.SelfServeHours = 0 }, "self_serve_hours"},
		{"NaN hours", func(s *Settings) { s.SecurityLedHours = math.NaN() }, "security_led_hours"},
		{"infinite hours", func(s *Settings) { s.SelfServeHours = math.Inf(1) }, "self_serve_hours"},
	} {
		x := DefaultSettings()
		c.mod(&x)
		if err := x.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.want)
		}
	}
	if got := s.Due(t0, time.Time{}); !got.Equal(day(14)) {
		t.Errorf("Due without wanted-by = %v", got)
	}
	if got := s.Due(t0, day(3)); !got.Equal(day(3)) {
		t.Errorf("Due with wanted-by = %v", got)
	}
	if s.Estimate(triage.TierSecurityLed) != 8 || s.Estimate(triage.TierSelfServe) != 2 || s.Estimate(triage.TierNone) != 2 {
		t.Error("Estimate")
	}
}

func req(id string, score int, st State, created, due int) Request {
	return Request{ID: id, SystemID: "sys-" + id, State: st, Tier: triage.TierSecurityLed, Score: score, Created: day(created), Due: day(due)}
}

func ids(rs []Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestRank(t *testing.T) {
	rs := []Request{
		req("old-low", 20, Requested, -30, 5),
		req("new-high", 90, Requested, 0, 14),
		req("done", 100, Approved, -5, 1),
		req("mid-late", 60, InReview, -3, 10),
		req("mid-soon", 60, Triaged, -1, 2),
		req("mid-soon-older", 60, ChangesRequested, -2, 2),
		req("self", 95, SelfServe, 0, 1),
	}
	want := []string{"new-high", "mid-soon-older", "mid-soon", "mid-late", "old-low"}
	if diff := cmp.Diff(want, ids(Rank(rs))); diff != "" {
		t.Errorf("Rank (-want +got):\n%s", diff)
	}
	if len(Rank(nil)) != 0 {
		t.Error("Rank(nil)")
	}
}

func TestPlanWeek(t *testing.T) {
	s := DefaultSettings() // 8 h security-led, 2 h self-serve
	small := req("small", 30, Triaged, 0, 5)
	small.Tier = triage.TierSelfServe
	assigned := req("assigned", 70, InReview, 0, 5)
	assigned.Assignee = "bo"
	lazy := req("lazy", 65, InReview, 0, 5)
	lazy.Assignee = "cy"
	ranked := Rank([]Request{req("top", 90, Requested, 0, 5), assigned, lazy, req("big", 50, Requested, 0, 5), small})
	type slot struct {
		ID, Engineer string
		Fits         bool
	}
	for _, c := range []struct {
		name    string
		hours   []Hours
		want    []slot
		planned float64
		waiting int
		why     map[string]string
	}{
		{"no hours", nil, []slot{{"top", "", false}, {"assigned", "bo", false}, {"lazy", "cy", false}, {"big", "", false}, {"small", "", false}}, 0, 5,
			map[string]string{"top": "no hours entered", "assigned": "bo entered no hours"}},
		{"enough for all", []Hours{{"ann", 20}, {"bo", 8}, {"cy", 10}}, []slot{{"top", "ann", true}, {"assigned", "bo", true}, {"lazy", "cy", true}, {"big", "ann", true}, {"small", "ann", true}}, 34, 0,
			map[string]string{"assigned": "bo has the hours (0 h left"}},
		{"small one jumps the wait", []Hours{{"ann", 10}, {"bo", 4}}, []slot{{"top", "ann", true}, {"assigned", "bo", false}, {"lazy", "cy", false}, {"big", "", false}, {"small", "bo", true}}, 10, 3,
			map[string]string{"assigned": "bo has 4 h left; it needs 8 h", "big": "at most 4 h left", "lazy": "cy entered no hours"}},
		{"zero and negative hours ignored", []Hours{{"ann", 0}, {"bo", -3}}, []slot{{"top", "", false}, {"assigned", "bo", false}, {"lazy", "cy", false}, {"big", "", false}, {"small", "", false}}, 0, 5, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := PlanWeek(ranked, c.hours, s)
			var got []slot
			for _, sl := range p.Slots {
				got = append(got, slot{sl.Request.ID, sl.Engineer, sl.Fits})
				if w, ok := c.why[sl.Request.ID]; ok && !strings.Contains(sl.Why, w) {
					t.Errorf("%s: why %q, want it to contain %q", sl.Request.ID, sl.Why, w)
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
			if p.Planned != c.planned || p.Waiting != c.waiting {
				t.Errorf("planned %g waiting %d, want %g %d", p.Planned, p.Waiting, c.planned, c.waiting)
			}
			left := 0.0
			for _, h := range p.Left {
				left += h.Hours
			}
			if p.Capacity-p.Planned != left {
				t.Errorf("capacity %g - planned %g != left %g", p.Capacity, p.Planned, left)
			}
		})
	}
}

func TestWeek(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		week string
	}{
		{time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC), "2026-W49"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), "2025-W01"},
	} {
		if got := Week(c.at); got != c.week {
			t.Errorf("Week(%v) = %s, want %s", c.at, got, c.week)
		}
		mon, err := ParseWeek(c.week)
		if err != nil || mon.Weekday() != time.Monday || Week(mon) != c.week {
			t.Errorf("ParseWeek(%s) = %v %v", c.week, mon, err)
		}
	}
	for _, bad := range []string{"", "2026", "2026-W0", "2026-W54", "2025-W53", "26-W01", "2026-w01", "2026-W1x"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
}

func TestHighRisks(t *testing.T) {
	got := HighRisks([]Finding{
		{"b", "critical", "open"}, {"a", "high", "accepted"}, {"c", "high", "mitigated"}, {"d", "medium", "open"}, {"g", "high", "unverified"},
		{"e", "high", "false_positive"}, {"f", "high", "transferred"}, {"b", "critical", "open"},
	})
	if diff := cmp.Diff([]string{"a", "b", "f", "g"}, got); diff != "" {
		t.Errorf("HighRisks (-want +got):\n%s", diff)
	}
}

func TestSystemBadge(t *testing.T) {
	s := DefaultSettings()
	appr := NewApproval("shop", "r1", 3, "sec@example.com", t0, []string{"t1"}, s)
	if !appr.Expires.Equal(day(365)) {
		t.Fatalf("expires %v", appr.Expires)
	}
	open := req("r2", 60, InReview, 10, 24)
	for _, c := range []struct {
		name    string
		a       *Approval
		open    *Request
		latest  int
		high    []string
		now     time.Time
		status  BadgeStatus
		warning bool
		text    string
	}{
		{"nothing", nil, nil, 2, nil, day(1), BadgeNone, false, "no design review"},
		{"pending", nil, &open, 2, nil, day(11), BadgePending, false, "review in review"},
		{"approved", &appr, nil, 3, []string{"t1"}, day(1), BadgeApproved, false, "approved by sec@example.com"},
		{"newer version, same risk", &appr, nil, 5, []string{"t1"}, day(100), BadgeApproved, false, "version 3"},
		{"newer version, risk gone", &appr, nil, 5, nil, day(100), BadgeApproved, false, ""},
		{"warning 30 days before", &appr, nil, 3, nil, day(335), BadgeApproved, true, ""},
		{"no warning 31 days before", &appr, nil, 3, nil, day(334), BadgeApproved, false, ""},
		{"expired", &appr, nil, 3, nil, day(365), BadgeStale, false, "expired on 2027-12-01"},
		{"new high risk", &appr, nil, 4, []string{"t1", "t9"}, day(10), BadgeStale, false, "version 4 adds high or critical risk"},
		{"same version ignores risk list", &appr, nil, 3, []string{"t1", "t9"}, day(10), BadgeApproved, false, ""},
		{"stale but re-review open", &appr, &open, 4, []string{"t9"}, day(11), BadgePending, false, "review in review"},
		{"valid approval wins over open request", &appr, &open, 3, nil, day(11), BadgeApproved, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := SystemBadge("shop", c.a, c.open, c.latest, c.high, c.now, s)
			if b.Status != c.status || (b.Warning != "") != c.warning || !strings.Contains(b.Text, c.text) {
				t.Errorf("badge = %s %q warning %q; want %s %q warning %v", b.Status, b.Text, b.Warning, c.status, c.text, c.warning)
			}
		})
	}
}

func TestReminders(t *testing.T) {
	s := DefaultSettings()
	now := day(100)
	reqs := []Request{
		req("late", 50, InReview, 80, 95),
		req("soon", 50, Triaged, 90, 102),
		req("later", 50, Requested, 99, 120),
		req("closed-late", 50, Approved, 10, 20),
	}
	fresh := NewApproval("fresh", "a1", 1, "sec", day(90), nil, s)
	old := NewApproval("old", "a2", 1, "sec", day(-250), nil, s) // expires day 115
	gone := NewApproval("gone", "a3", 1, "sec", day(-400), nil, s)
	stale := NewApproval("stale", "a4", 1, "sec", day(50), []string{"x"}, s)
	badges := []Badge{
		SystemBadge("fresh", &fresh, nil, 1, nil, now, s),
		SystemBadge("old", &old, nil, 1, nil, now, s),
		SystemBadge("gone", &gone, nil, 1, nil, now, s),
		SystemBadge("stale", &stale, nil, 2, []string{"x", "y"}, now, s),
		SystemBadge("none", nil, nil, 1, nil, now, s),
	}
	var got []string
	for _, r := range Reminders(reqs, badges, now, s) {
		got = append(got, fmt.Sprintf("%s %s", r.Kind, r.SystemID))
	}
	want := []string{"overdue sys-late", "approval_stale stale", "approval_expired gone", "due_soon sys-soon", "approval_expiring old"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reminders (-want +got):\n%s", diff)
	}
}

func TestForm(t *testing.T) {
	for _, c := range []struct {
		name string
		f    Form
		want triage.Answers
		err  string
	}{
		{"all unknown", Form{}, triage.Answers{}, ""},
		{"answered", Form{PavedPath: "no", InternetFacing: "Yes ", SensitiveData: []string{"pii", "payment_card", "pii"}, NewThirdParties: []string{"Stripe", " ", "Stripe"},
			AuthChanges: "no", Criticality: "high"},
			triage.Answers{PavedPath: model.No, InternetFacing: model.Yes, SensitiveData: []model.DataKind{"pii", "payment_card"}, SensitiveDataKnown: true,
				NewThirdParties: []string{"Stripe"}, NewThirdPartiesKnown: true, AuthChanges: model.No, Criticality: model.High}, ""},
		{"none", Form{SensitiveData: []string{"none"}, NewThirdParties: []string{}, Criticality: "unknown"},
			triage.Answers{SensitiveData: []model.DataKind{}, SensitiveDataKnown: true, NewThirdParties: []string{}, NewThirdPartiesKnown: true}, ""},
		{"bad tri", Form{PavedPath: "maybe"}, triage.Answers{}, "paved_path"},
		{"bad level", Form{Criticality: "huge"}, triage.Answers{}, "criticality"},
		{"bad kind", Form{SensitiveData: []string{"gossip"}}, triage.Answers{}, "sensitive_data"},
		{"long name", Form{NewThirdParties: []string{strings.Repeat("x", 101)}}, triage.Answers{}, "new_third_parties"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.f.Answers()
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one naming %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
			back, err := FormOf(got).Answers()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, back); diff != "" {
				t.Errorf("FormOf round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyYAMLRoundTrip(t *testing.T) {
	custom := triage.DefaultPolicy()
	custom.Name = "acme: strict"
	custom.Thresholds.SecurityLed = 40
	custom.Weights.SensitiveData.PII = 30
	custom.Overrides = append(custom.Overrides, triage.Override{When: triage.Condition{InternetFacing: []model.Tri{model.Yes}, Criticality: []string{"critical"}},
		Tier: triage.TierSecurityLed, Reason: `critical and "exposed"`})
	none := triage.DefaultPolicy()
	none.Overrides = nil
	for _, p := range []triage.Policy{triage.DefaultPolicy(), custom, none} {
		text := PolicyYAML(p)
		got, err := triage.ParsePolicy("policy.yaml", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.Name, err, text)
		}
		if p.Overrides == nil {
			p.Overrides = []triage.Override{}
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s\n%s", p.Name, diff, text)
		}
	}
}

// FuzzParseWeek: any text either parses to a Monday that names itself, or
// is refused; never a panic.
func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W49", "2026-W53", "2025-W01", "", "2026-W", "-W1", "9999-W52", "0000-W01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mon, err := ParseWeek(s)
		if err != nil {
			return
		}
		if mon.Weekday() != time.Monday || Week(mon) != s {
			t.Errorf("ParseWeek(%q) = %v (%s)", s, mon, Week(mon))
		}
	})
}

// FuzzFormAnswers: any form either turns into answers that survive the
// round trip through FormOf, or is refused; never a panic.
func FuzzFormAnswers(f *testing.F) {
	f.Add("no", "yes", "pii,payment_card", "Stripe", "yes", "high")
	f.Add("", "", "", "", "", "")
	f.Add("maybe", "x", "none", "none", "unknown", "unknown")
	f.Fuzz(func(t *testing.T, paved, internet, kinds, parties, auth, crit string) {
		form := Form{PavedPath: paved, InternetFacing: internet, AuthChanges: auth, Criticality: crit}
		if kinds != "" {
			form.SensitiveData = strings.Split(kinds, ",")
		}
		if parties != "" {
			form.NewThirdParties = strings.Split(parties, ",")
		}
		a, err := form.Answers()
		if err != nil {
			return
		}
		back, err := FormOf(a).Answers()
		if err != nil {
			t.Fatalf("FormOf(%+v) does not parse back: %v", a, err)
		}
		if diff := cmp.Diff(a, back); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		_ = triage.Evaluate(a, triage.DefaultPolicy())
	})
}
