package programme

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAttributeTeamAndEngine(t *testing.T) {
	fs := []Finding{
		{ID: "t1", Origin: "people", FoundBy: "team", Severity: "medium", Status: "open", Elements: []string{"api"}, Categories: []string{"spoofing"}},
		{ID: "s1", Origin: "people", FoundBy: "security_review", Severity: "high", Status: "mitigated", Elements: []string{"db"}, Categories: []string{"tampering"}},
		{ID: "rule:api", Origin: "builtin", FoundBy: "tool", Severity: "high", Status: "open", Elements: []string{"api"}, Categories: []string{"spoofing"}},
		{ID: "rule:queue", Origin: "builtin", FoundBy: "tool", Severity: "low", Status: "open", Elements: []string{"queue"}, Categories: []string{"spoofing"}},
	}
	got := Attribute(fs)
	want := []Threat{
		{ID: "t1", FoundBy: "team", Severity: "high", Status: "open", Element: "api", Category: "spoofing", AlsoEngine: []string{"rule:api"}},
		{ID: "s1", FoundBy: "security_review", Severity: "high", Status: "mitigated", Element: "db", Category: "tampering"},
		{ID: "rule:queue", FoundBy: "tool", Severity: "low", Status: "open", Element: "queue", Category: "spoofing"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Attribute (-want +got):\n%s", diff)
	}
	tally := TallyOf(got)
	if tally.Get("team", "high") != 1 || tally.Get("tool", "high") != 0 || tally.Total("tool") != 1 {
		t.Errorf("tally = %v: the engine's duplicate must count for the team", tally)
	}
}

func TestCatchOf(t *testing.T) {
	model := []Finding{
		{ID: "login-bruteforce", Origin: "people", FoundBy: "team", Status: "accepted", Elements: []string{"login"}, Categories: []string{"spoofing"}},
		{ID: "sqli:orders-db", Origin: "builtin", FoundBy: "tool", Status: "open", Elements: []string{"orders-db"}, Categories: []string{"tampering"}, CWE: []int{89}},
		{ID: "idor:api", Origin: "builtin", FoundBy: "tool", Status: "accepted", Decided: true, Elements: []string{"api"}, Categories: []string{"elevation_of_privilege"}, CWE: []int{639}},
	}
	for _, c := range []struct {
		name   string
		o      Outside
		known  bool
		want   Catch
		threat string
		cat    string
	}{
		{"named threat", Outside{Threat: "login-bruteforce"}, true, Known, "login-bruteforce", "spoofing"},
		{"element and category", Outside{Element: "login", Category: "spoofing"}, true, Known, "login-bruteforce", "spoofing"},
		{"category from CWE", Outside{Element: "orders-db", CWE: []int{89}}, true, Engine, "sqli:orders-db", "tampering"},
		{"decided engine finding is known", Outside{Element: "api", Category: "elevation_of_privilege"}, true, Known, "idor:api", "elevation_of_privilege"},
		{"CWE anywhere", Outside{CWE: []int{639}}, true, Known, "idor:api", "elevation_of_privilege"},
		{"escape", Outside{Element: "checkout", Category: "denial_of_service"}, true, Escaped, "", "denial_of_service"},
		{"escape with CWE category", Outside{Element: "checkout", CWE: []int{79}}, true, Escaped, "", "tampering"},
		{"missing named threat", Outside{Threat: "gone"}, true, Escaped, "", ""},
		{"unknown system", Outside{Element: "login", Category: "spoofing"}, false, Unlinked, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := CatchOf(c.o, model, c.known)
			if r.Catch != c.want || r.Threat != c.threat || r.Category != c.cat || r.Why == "" {
				t.Errorf("CatchOf = %+v, want %s threat %q category %q", r, c.want, c.threat, c.cat)
			}
		})
	}
}

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func reviewed(n int, every time.Duration, threats ...Threat) []ReviewedModel {
	var out []ReviewedModel
	for i := range n {
		out = append(out, ReviewedModel{SystemID: fmt.Sprintf("sys-%d", i), Version: i + 1, ReviewedAt: now.Add(-time.Duration(i+1) * every), Threats: threats})
	}
	return out
}

func TestAssess(t *testing.T) {
	r := DefaultRules()
	day := 24 * time.Hour
	team := func(sev string) Threat { return Threat{ID: "t-" + sev, FoundBy: "team", Severity: sev} }
	sec := func(sev string) Threat { return Threat{ID: "s-" + sev, FoundBy: "security_review", Severity: sev} }
	for _, c := range []struct {
		name      string
		e         Evidence
		ready     bool
		to        Phase
		stepBack  bool
		failCheck string
	}{
		{"traditional never moves by itself", Evidence{Phase: Traditional}, false, Training, false, "enrolled in training"},
		{"training done", Evidence{Phase: Training, Activities: []Activity{{Kind: ActTraining, Ref: "run-1"}, {Kind: ActObserved, Ref: "ls-1"}}}, true, Observation, false, ""},
		{"training without observed session", Evidence{Phase: Training, Activities: []Activity{{Kind: ActTraining, Ref: "run-1"}}}, false, Observation, false, "sessions observed by security"},
		{"observation ready: one high", Evidence{Phase: Observation, Reviewed: reviewed(3, 20*day, team("critical"), sec("medium"))}, true, Review, false, ""},
		{"observation: two highs", Evidence{Phase: Observation, Reviewed: append(reviewed(2, 20*day, sec("high")), reviewed(1, 10*day)...)}, false, Review, false, "high threats added by security"},
		{"observation: too few models", Evidence{Phase: Observation, Reviewed: reviewed(2, 20*day)}, false, Review, false, "reviewed models"},
		{"observation: old high outside the window", Evidence{Phase: Observation, Reviewed: append(reviewed(3, 10*day), ReviewedModel{SystemID: "old", ReviewedAt: now.Add(-200 * day), Threats: []Threat{sec("critical")}})}, true, Review, false, ""},
		{"review ready", Evidence{Phase: Review, Reviewed: reviewed(5, 40*day, team("high"), team("medium"), team("medium"), team("medium"), team("medium"), sec("medium"))}, true, SecurityOptional, false, ""},
		{"review: medium share 1 of 3", Evidence{Phase: Review, Reviewed: reviewed(5, 40*day, team("medium"), team("medium"), sec("medium"))}, false, SecurityOptional, false, "share of medium threats added by security"},
		{"review: history too short", Evidence{Phase: Review, Reviewed: reviewed(5, 20*day)}, false, SecurityOptional, false, "months of reviewed history"},
		{"review: a critical escape blocks and steps back", Evidence{Phase: Review, Since: now.Add(-300 * day), Reviewed: reviewed(5, 40*day),
			Escapes: []Escape{{ID: "of-1", Severity: "critical", Found: now.Add(-30 * day)}}}, false, SecurityOptional, true, "critical escapes since"},
		{"two high escapes in 90 days step back", Evidence{Phase: Observation, Since: now.Add(-300 * day), Reviewed: reviewed(3, 10*day),
			Escapes: []Escape{{ID: "a", Severity: "high", Found: now.Add(-10 * day)}, {ID: "b", Severity: "high", Found: now.Add(-80 * day)}}}, true, Review, true, ""},
		{"high escapes 100 days apart do not", Evidence{Phase: Observation, Since: now.Add(-300 * day), Reviewed: reviewed(3, 10*day),
			Escapes: []Escape{{ID: "a", Severity: "high", Found: now.Add(-10 * day)}, {ID: "b", Severity: "high", Found: now.Add(-110 * day)}}}, true, Review, false, ""},
		{"escapes before the phase began do not", Evidence{Phase: Observation, Since: now.Add(-5 * day), Reviewed: reviewed(3, 10*day),
			Escapes: []Escape{{ID: "a", Severity: "critical", Found: now.Add(-10 * day)}}}, true, Review, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.e.Now = now
			a := Assess(c.e, r)
			if a.Advance == nil || a.Advance.To != c.to || a.Advance.Ready != c.ready {
				t.Fatalf("advance = %+v, want to %s ready %v", a.Advance, c.to, c.ready)
			}
			if (a.StepBack != nil) != c.stepBack {
				t.Errorf("step back = %+v, want %v", a.StepBack, c.stepBack)
			}
			if c.failCheck != "" {
				found := false
				for _, ch := range a.Advance.Checks {
					if strings.HasPrefix(ch.What, c.failCheck) && !ch.OK {
						found = true
					}
				}
				if !found {
					t.Errorf("no failing check %q in %+v", c.failCheck, a.Advance.Checks)
				}
			}
			for _, ch := range a.Advance.Checks {
				if ch.Want == "" || ch.Got == "" {
					t.Errorf("check %+v lacks its numbers", ch)
				}
			}
		})
	}
}

func TestAssessNumbersTraceable(t *testing.T) {
	e := Evidence{Phase: Observation, Now: now, Reviewed: []ReviewedModel{
		{SystemID: "checkout", Version: 4, ReviewedAt: now.Add(-24 * time.Hour), Threats: []Threat{{ID: "x", Title: "Replay", FoundBy: "security_review", Severity: "high"}}},
	}}
	a := Assess(e, DefaultRules())
	var high Check
	for _, c := range a.Advance.Checks {
		if c.What == "high threats added by security" {
			high = c
		}
	}
	if high.Got != "1" || len(high.Refs) != 1 || high.Refs[0].ID != "checkout/x" || !strings.Contains(high.Refs[0].Label, "checkout v4") {
		t.Errorf("high check = %+v", high)
	}
}

func TestRulesParse(t *testing.T) {
	r, err := ParseRules([]byte(`{"observation_models": 4}`))
	if err != nil || r.ObservationModels != 4 || r.ReviewModels != 5 {
		t.Fatalf("ParseRules = %+v, %v", r, err)
	}
	if _, err := ParseRules([]byte(`{"observation_modls": 4}`)); err == nil {
		t.Error("unknown key accepted")
	}
	if _, err := ParseRules([]byte(`{"review_max_medium_share": 2}`)); err == nil || !strings.Contains(err.Error(), "share between 0 and 1") {
		t.Errorf("bad share: %v", err)
	}
}

func TestCosts(t *testing.T) {
	m := DefaultCostModel()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	d := m.DesignFix()
	if d.Low != 75 || d.Central != 400 || d.High != 1200 {
		t.Errorf("design fix = %+v", d)
	}
	a := m.AvoidedVsProduction()
	if a.Low != 75*9 || a.Central != 400*29 || a.High != 1200*99 || len(a.Sources) != 3 {
		t.Errorf("avoided = %+v", a)
	}
	fixed := []Threat{{Severity: "critical", Status: "mitigated", FoundBy: "team"}, {Severity: "critical", Status: "mitigated", FoundBy: "tool"},
		{Severity: "high", Status: "mitigated", FoundBy: "team"}, {Severity: "high", Status: "open", FoundBy: "team"}}
	outside := []Outside{{Source: "bug_bounty", Severity: "high", Cost: 500}, {Source: "bug_bounty", Severity: "high", Cost: 1500}, {Source: "bug_bounty", Severity: "high", Cost: 1000},
		{Source: "bug_bounty", Severity: "medium"}, {Source: "pen_test", Severity: "high"}}
	v := Costs(m, fixed, outside)
	if v.DesignFixed != 3 {
		t.Errorf("design fixed = %d", v.DesignFixed)
	}
	if v.AvoidedProduction.Low != 3*75*9 || v.AvoidedProduction.High != 3*1200*99 {
		t.Errorf("avoided vs production = %+v", v.AvoidedProduction)
	}
	// Critical: the HackerOne default; high: the imported payments' range.
	if v.AvoidedOutside.Low != 2*1923+500 || v.AvoidedOutside.High != 2*2041+1500 || v.AvoidedOutside.Central != 2*2000+1000 {
		t.Errorf("avoided vs outside = %+v", v.AvoidedOutside)
	}
	if v.Recorded != 3000 {
		t.Errorf("recorded = %v", v.Recorded)
	}
	// The medium bounty and the pen test (GBP figure, USD organisation)
	// have no figure: said, not invented.
	if !strings.Contains(v.OutsideSpent.Missing, "no figure") {
		t.Errorf("outside spent = %+v, want a missing note", v.OutsideSpent)
	}
	if v.OutsideSpent.Low != 3000 {
		t.Errorf("outside spent = %+v", v.OutsideSpent)
	}
	if s := v.AvoidedProduction.String(); !strings.HasPrefix(s, "USD ") || !strings.Contains(s, "–") || !strings.Contains(s, "central") {
		t.Errorf("range text %q", s)
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 75: "75", 675: "680", 1923: "1.9k", 11600: "12k", 356400: "360k", 4.44e6: "4.4M", 125: "120"} {
		if got := Money(in); got != want {
			t.Errorf("Money(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestEvidenceTable(t *testing.T) {
	q3 := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	q4 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	th := []Threat{{ID: "a", FoundBy: "team", Severity: "high"}, {ID: "b", FoundBy: "security_review", Severity: "medium"}}
	rows := EvidenceTable([]ReviewedModel{
		{SystemID: "x", ReviewedAt: q4, Threats: append(th, Threat{ID: "c", FoundBy: "team", Severity: "low"})},
		{SystemID: "x", ReviewedAt: q3, Threats: th},
	}, []Outside{{Source: "bug_bounty", Severity: "high", Found: q4}})
	if len(rows) != 2 || rows[0].Quarter != "2026-Q4" || rows[1].Quarter != "2026-Q3" {
		t.Fatalf("rows = %+v", rows)
	}
	if rows[1].Tally.Get("team", "high") != 1 || rows[0].Tally.Get("team", "high") != 0 || rows[0].Tally.Get("team", "low") != 1 || rows[0].Tally.Get("bug_bounty", "high") != 1 {
		t.Errorf("rows = %+v", rows)
	}
}

func TestSample(t *testing.T) {
	recent := []int{10, 20, 30, 40, 50, 60, 70}
	if ok, why := Sample(80, recent, 0.25); !ok || !strings.Contains(why, "top 25 %") {
		t.Errorf("riskiest not sampled: %s", why)
	}
	if ok, _ := Sample(60, recent, 0.25); !ok {
		t.Error("second riskiest of 8 with 25 % not sampled")
	}
	if ok, _ := Sample(50, recent, 0.25); ok {
		t.Error("third of 8 sampled at 25 %")
	}
	if ok, _ := Sample(5, nil, 0.25); !ok {
		t.Error("the only design is the riskiest")
	}
	if ok, _ := Sample(99, recent, 0); ok {
		t.Error("share 0 sampled")
	}
}

func TestGraduationTrend(t *testing.T) {
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	moves := map[string][]Move{"a": {{To: Observation, At: d(2026, 4, 1)}}, "b": nil}
	outside := map[string][]Outside{"a": {{Found: d(2026, 2, 1)}, {Found: d(2026, 5, 1)}}, "b": {{Found: d(2026, 5, 2)}}}
	rows := GraduationTrend(moves, outside, d(2026, 1, 15), d(2026, 6, 30))
	if len(rows) != 2 || rows[0].Quarter != "2026-Q1" {
		t.Fatalf("rows = %+v", rows)
	}
	if rows[0].Findings[Traditional] != 1 || rows[0].Teams[Traditional] != 2 {
		t.Errorf("Q1 = %+v", rows[0])
	}
	if rows[1].Findings[Observation] != 1 || rows[1].Findings[Traditional] != 1 || rows[1].Teams[Observation] != 1 {
		t.Errorf("Q2 = %+v", rows[1])
	}
	if v, ok := rows[1].PerTeam(Observation); !ok || v != 1 {
		t.Errorf("per team = %v %v", v, ok)
	}
}

func TestOutsideCostFewObservations(t *testing.T) {
	m := DefaultCostModel()
	// One critical payment: the published figure, not a single number.
	if r := m.OutsideCost("bug_bounty", "critical", []float64{2500}); r.Low != 1923 || r.High != 2041 {
		t.Errorf("critical with one payment = %+v", r)
	}
	// One medium payment and no published figure: half to twice it, said.
	r := m.OutsideCost("bug_bounty", "medium", []float64{600})
	if r.Low != 300 || r.High != 1200 || r.Central != 600 || !strings.Contains(r.How, "half to twice") {
		t.Errorf("medium with one payment = %+v", r)
	}
}

// FuzzSettings: the organisation's rules and cost model, as stored JSON,
// parse to valid values or fail with an error; never panic.
func FuzzSettings(f *testing.F) {
	f.Add([]byte(`{"observation_models": 4, "sample_share": 0.3}`))
	f.Add([]byte(`{"currency": "EUR", "bounty": {"high": {"low": 1, "central": 2, "high": 3, "currency": "EUR", "unit": "x", "source": "y"}}}`))
	f.Add([]byte(`{"review_max_medium_share": NaN}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := ParseRules(data); err == nil {
			if r.Validate() != nil {
				t.Fatalf("invalid rules accepted: %+v", r)
			}
			Assess(Evidence{Phase: Review, Now: now, Reviewed: reviewed(3, 24*time.Hour)}, r)
		}
		if m, err := ParseCostModel(data); err == nil {
			if m.Validate() != nil {
				t.Fatalf("invalid cost model accepted: %+v", m)
			}
			_ = Costs(m, []Threat{{Severity: "high", Status: "mitigated"}}, []Outside{{Source: "pen_test", Severity: "low"}}).AvoidedProduction.String()
		}
	})
}
