package session

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// board returns a session with a facilitator f, participants p1 and p2, an
// observer o, one engine threat card e1 on api (S) and one engine question
// e2, in the review phase.
func board(t *testing.T) *State {
	t.Helper()
	s := &State{}
	seeds := []Card{{Kind: KindThreat, Target: "api", Stride: []string{"S"}, Text: "Spoofed caller", Source: "spoof:api"},
		{Kind: KindQuestion, Target: "db", Text: "Is the db encrypted?", Source: "db.enc"}}
	in := Info{ID: "s1", SystemID: "shop", TeamID: "t", Version: 3, Title: "Checkout", Facilitator: "f", Name: "Fay",
		Elements: []Element{{ID: "api", Kind: "service"}, {ID: "db", Kind: "datastore"}, {ID: "api-db", Kind: "flow"}},
		Assets:   []AssetRef{{ID: "cards"}}}
	must(t, s, New(in, seeds, t0))
	for _, m := range []Member{{ID: "p1", Name: "Pat", Role: Participant}, {ID: "p2", Name: "Sam", Role: Participant}, {ID: "o", Name: "Oli", Role: Observer}} {
		must(t, s, Event{Type: EvJoin, Actor: m.ID, Member: &m, At: t0})
	}
	return s
}

func must(t *testing.T, s *State, e Event) {
	t.Helper()
	if err := s.Apply(e); err != nil {
		t.Fatalf("%s by %s: %v", e.Type, e.Actor, err)
	}
}

func phase(p Phase) Event { return Event{Type: EvPhase, Actor: "f", Phase: p, At: t0} }

func add(actor, id, target, text string, stride ...string) Event {
	return Event{Type: EvAdd, Actor: actor, Card: &Card{ID: id, Target: target, Text: text, Stride: stride}, At: t0}
}

func TestApplyRules(t *testing.T) {
	tests := []struct {
		name    string
		setup   []Event
		event   Event
		wantErr error
	}{
		{"participant adds in brainstorm", []Event{phase(Brainstorm)}, add("p1", "c1", "api", "x", "T"), nil},
		{"stranger cannot add", []Event{phase(Brainstorm)}, add("zz", "c1", "api", "x"), ErrForbidden},
		{"empty text", []Event{phase(Brainstorm)}, add("p1", "c1", "api", "  "), ErrInvalid},
		{"unknown target", []Event{phase(Brainstorm)}, add("p1", "c1", "nope", "x"), ErrInvalid},
		{"bad STRIDE letter", []Event{phase(Brainstorm)}, add("p1", "c1", "api", "x", "Q"), ErrInvalid},
		{"no cards while voting", []Event{phase(Vote)}, add("p1", "c1", "api", "x"), ErrPhase},
		{"locked board", []Event{phase(Brainstorm), {Type: EvSettings, Actor: "f", Settings: &Settings{Budget: 5, MaxPerCard: 3, Majority: 50, Locked: true}}},
			add("p1", "c1", "api", "x"), ErrForbidden},
		{"only the facilitator moves phases", nil, Event{Type: EvPhase, Actor: "p1", Phase: Vote}, ErrForbidden},
		{"unknown phase", nil, Event{Type: EvPhase, Actor: "f", Phase: "party"}, ErrInvalid},
		{"merge outside grouping", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), add("p2", "c2", "api", "b")},
			Event{Type: EvMerge, Actor: "p1", CardID: "c1", From: "c2"}, ErrPhase},
		{"observer does not merge", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), add("p2", "c2", "api", "b"), phase(Group)},
			Event{Type: EvMerge, Actor: "o", CardID: "c1", From: "c2"}, ErrForbidden},
		{"observer does not vote", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), phase(Vote)},
			Event{Type: EvVote, Actor: "o", CardID: "c1", Count: 1}, ErrForbidden},
		{"no votes on offered engine card", []Event{phase(Vote)}, Event{Type: EvVote, Actor: "p1", CardID: "e1", Count: 1}, ErrNotFound},
		{"more than 3 on a card", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), phase(Vote)},
			Event{Type: EvVote, Actor: "p1", CardID: "c1", Count: 4}, ErrInvalid},
		{"stale edit", []Event{phase(Brainstorm), add("p1", "c1", "api", "a")},
			Event{Type: EvEdit, Actor: "p1", Card: &Card{ID: "c1", Version: 7, Target: "api", Text: "b"}}, ErrStale},
		{"someone else's card", []Event{phase(Brainstorm), add("p1", "c1", "api", "a")},
			Event{Type: EvEdit, Actor: "p2", Card: &Card{ID: "c1", Version: 1, Target: "api", Text: "b"}}, ErrForbidden},
		{"observer cannot reflect", []Event{phase(Reflect)}, Event{Type: EvReflect, Actor: "o", Reflection: &Reflection{Yes: true}}, ErrForbidden},
		{"accept needs expiry", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), phase(Decide)},
			Event{Type: EvDecide, Actor: "f", Decision: &Decision{Card: "c1", Likelihood: "likely", Impact: "major", Status: "accept", Owner: "x", Reason: "y"}}, ErrInvalid},
		{"bad likelihood", []Event{phase(Brainstorm), add("p1", "c1", "api", "a"), phase(Decide)},
			Event{Type: EvDecide, Actor: "f", Decision: &Decision{Card: "c1", Likelihood: "often", Impact: "major", Status: "false_positive", Reason: "y"}}, ErrInvalid},
		{"closed session", []Event{phase(Close)}, Event{Type: EvJoin, Actor: "n", Member: &Member{ID: "n", Role: Participant}}, ErrPhase},
		{"second facilitator", nil, Event{Type: EvJoin, Actor: "n", Member: &Member{ID: "n", Role: Facilitator}}, ErrInvalid},
		{"budget above 100", nil, Event{Type: EvSettings, Actor: "f", Settings: &Settings{Budget: 101, MaxPerCard: 3}}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := board(t)
			for _, e := range tt.setup {
				must(t, s, e)
			}
			before, _ := json.Marshal(s)
			err := s.Apply(tt.event)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Apply = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				after, _ := json.Marshal(s)
				if d := cmp.Diff(string(before), string(after)); d != "" {
					t.Errorf("a refused event changed the state (-before +after):\n%s", d)
				}
			}
		})
	}
}

func TestHiddenUntilRevealAndAnonymous(t *testing.T) {
	s := board(t)
	must(t, s, phase(Brainstorm))
	must(t, s, add("p1", "c1", "api", "token replay", "S"))
	must(t, s, add("o", "c2", "db", "backups are world-readable", "I"))
	if c := s.View("p1").Cards[2]; c.Hidden || c.Text != "token replay" {
		t.Errorf("the author sees own card as %+v", c)
	}
	for _, viewer := range []string{"p2", "f"} {
		v := s.View(viewer)
		if c := v.Cards[2]; !c.Hidden || c.Text != "" || len(c.Authors) != 0 {
			t.Errorf("%s sees p1's card before the reveal: %+v", viewer, c)
		}
		if c := v.Cards[3]; c.Kind != KindHint {
			t.Errorf("an observer's card is %q, want a hint", c.Kind)
		}
	}
	if c := s.View("p2").Cards[0]; c.Hidden || c.Text == "" {
		t.Errorf("engine cards are visible to all: %+v", c)
	}
	must(t, s, Event{Type: EvSettings, Actor: "f", Settings: &Settings{Anonymous: true, HideUntilReveal: true, Budget: 5, MaxPerCard: 3, Majority: 50}})
	must(t, s, phase(Reveal))
	v := s.View("p2")
	if c := v.Cards[2]; c.Hidden || c.Text != "token replay" || len(c.Authors) != 0 {
		t.Errorf("after the reveal in an anonymous session p2 sees %+v", c)
	}
	if c := s.View("p1").Cards[2]; len(c.Authors) != 1 || c.Authors[0] != "p1" {
		t.Errorf("an author still sees own authorship: %+v", c.Authors)
	}
	if c := v.Cards[3]; c.Kind != KindHint {
		t.Errorf("hints stay marked in anonymous sessions, got %q", c.Kind)
	}
}

func TestMergeKeepsAuthorsAndVotesMove(t *testing.T) {
	s := board(t)
	must(t, s, phase(Brainstorm))
	must(t, s, add("p1", "c1", "api", "spoofed JWT", "S"))
	must(t, s, add("p2", "c2", "api", "forged token", "S", "E"))
	must(t, s, add("o", "c3", "api", "check the alg header", "S"))
	must(t, s, phase(Group))
	if got, want := s.Suggestions(), []Suggestion{{"e1", "c1"}, {"e1", "c2"}}; !cmp.Equal(got, want) {
		t.Errorf("Suggestions = %v, want %v", got, want)
	}
	must(t, s, Event{Type: EvMerge, Actor: "p2", CardID: "c1", From: "c2", At: t0})
	must(t, s, Event{Type: EvMerge, Actor: "p1", CardID: "c1", From: "c3", At: t0})
	c := s.Card("c1")
	if d := cmp.Diff([]string{"p1", "p2", "o"}, c.Authors); d != "" {
		t.Errorf("authors (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"S", "E"}, c.Stride); d != "" {
		t.Errorf("stride (-want +got):\n%s", d)
	}
	if s.Card("c2").MergedInto != "c1" || len(c.Hints) != 1 {
		t.Errorf("merge bookkeeping: c2.MergedInto=%q hints=%v", s.Card("c2").MergedInto, c.Hints)
	}
	if err := s.Apply(Event{Type: EvMerge, Actor: "p1", CardID: "c1", From: "c2"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("merging a merged card again: %v", err)
	}
}

func TestVotingBudgetIdempotentAndHiddenTallies(t *testing.T) {
	s := board(t)
	must(t, s, phase(Brainstorm))
	for i, id := range []string{"c1", "c2", "c3"} {
		must(t, s, add("p1", id, "api", "card "+id))
		_ = i
	}
	must(t, s, Event{Type: EvTake, Actor: "p2", CardID: "e1"})
	must(t, s, phase(Vote))
	vote := func(actor, card string, n int) error {
		return s.Apply(Event{Type: EvVote, Actor: actor, CardID: card, Count: n})
	}
	for _, st := range []struct {
		actor, card string
		n           int
		err         error
	}{
		{"p1", "c1", 3, nil},
		{"p1", "c1", 3, nil}, // the same vote again changes nothing
		{"p1", "c2", 2, nil},
		{"p1", "c3", 1, ErrInvalid}, // 6 > 5
		{"p1", "c1", 2, nil},        // lowering frees one
		{"p1", "c3", 1, nil},
		{"p2", "e1", 3, nil},
		{"f", "c1", 1, nil},
	} {
		if err := vote(st.actor, st.card, st.n); !errors.Is(err, st.err) {
			t.Fatalf("%s votes %d on %s: %v, want %v", st.actor, st.n, st.card, err, st.err)
		}
	}
	v := s.View("p1")
	if d := cmp.Diff(map[string]int{"c1": 2, "c2": 2, "c3": 1}, v.Mine); d != "" {
		t.Errorf("my votes (-want +got):\n%s", d)
	}
	if v.Used != 5 || v.Left != 0 || v.Tally != nil || v.Votes != nil || v.Voters != 3 {
		t.Errorf("view while voting: used %d left %d tally %v votes %v voters %d", v.Used, v.Left, v.Tally, v.Votes, v.Voters)
	}
	// The facilitator raises the budget live.
	must(t, s, Event{Type: EvSettings, Actor: "f", Settings: &Settings{HideUntilReveal: true, Budget: 7, MaxPerCard: 3, Majority: 50}})
	if err := vote("p1", "c3", 3); err != nil {
		t.Errorf("after raising the budget: %v", err)
	}
	must(t, s, phase(Decide))
	v = s.View("p2")
	if d := cmp.Diff(map[string]int{"c1": 3, "c2": 2, "c3": 3, "e1": 3}, v.Tally); d != "" {
		t.Errorf("tally after voting (-want +got):\n%s", d)
	}
	if r := v.Ranked(); r[0].ID != "e1" && r[0].ID != "c1" {
		t.Errorf("ranked first = %s", r[0].ID)
	}
}

func TestDecideAndPlan(t *testing.T) {
	s := board(t)
	must(t, s, phase(Brainstorm))
	must(t, s, add("p1", "c1", "api", "Replay of reset tokens\nvia referer", "S"))
	must(t, s, Event{Type: EvAdd, Actor: "o", Card: &Card{ID: "c2", Target: "db", Text: "unencrypted backups", Stride: []string{"I"}, Asset: "cards"}})
	must(t, s, Event{Type: EvTake, Actor: "p1", CardID: "e1"})
	must(t, s, phase(Decide))
	for _, d := range []Decision{
		{Card: "c1", Likelihood: "likely", Impact: "major", Status: "mitigate", Owner: "pat", Mitigation: "single-use tokens", Due: "2027-01-31", Assumption: "TLS everywhere"},
		{Card: "c2", Likelihood: "possible", Impact: "severe", Status: "accept", Owner: "sam", Reason: "backups move in Q1", Expires: "2027-03-31"},
		{Card: "e1", Likelihood: "rare", Impact: "minor", Status: "false_positive", Reason: "mTLS at the mesh"},
	} {
		must(t, s, Event{Type: EvDecide, Actor: "f", Decision: &d})
	}
	p := s.Plan()
	want := Plan{
		Threats: []ThreatEntry{
			{ID: "session-s1-c1", Title: "Replay of reset tokens", Description: "Replay of reset tokens\nvia referer", Stride: []string{"S"}, Targets: []string{"api"},
				Likelihood: "likely", Impact: "major", FoundBy: "team", Owner: "pat", Mitigations: []string{"session-s1-c1-m"}},
			{ID: "session-s1-c2", Title: "unencrypted backups", Description: "unencrypted backups", Stride: []string{"I"}, Targets: []string{"db"}, Assets: []string{"cards"},
				Likelihood: "possible", Impact: "severe", FoundBy: "security_review", Owner: "sam", Status: "accepted", Reason: "backups move in Q1", Expires: "2027-03-31"},
		},
		Mitigations: []MitigationEntry{{ID: "session-s1-c1-m", Title: "single-use tokens", Status: "planned", Owner: "pat", Due: "2027-01-31"}},
		Assumptions: []AssumptionEntry{{ID: "session-s1-c1-a", Text: "TLS everywhere", Supports: []string{"session-s1-c1"}}},
		Decisions:   []FindingDecision{{Finding: "spoof:api", Status: "false_positive", Reason: "mTLS at the mesh"}},
		Cards:       map[string]string{"c1": "session-s1-c1", "c2": "session-s1-c2", "e1": "spoof:api"},
	}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("Plan (-want +got):\n%s", d)
	}
	must(t, s, Event{Type: EvPromoted, Actor: "f", Produced: 4, Threats: p.Cards})
	if p := s.Plan(); len(p.Threats)+len(p.Decisions) != 0 {
		t.Errorf("saved decisions planned again: %+v", p)
	}
	if err := s.Apply(Event{Type: EvDecide, Actor: "f", Decision: &Decision{Card: "c1", Likelihood: "rare", Impact: "minor", Status: "false_positive", Reason: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("deciding a saved card again: %v", err)
	}
}

func TestReflectionMajority(t *testing.T) {
	tests := []struct {
		name     string
		yes      []string // of f, p1, p2 (the observer is not counted)
		majority int
		want     string
	}{
		{"two of three", []string{"f", "p1"}, 50, SignedOff},
		{"one of three", []string{"f"}, 50, StaysOpen},
		{"none", nil, 50, StaysOpen},
		{"two of three below a 70 % bar", []string{"f", "p1"}, 70, StaysOpen},
		{"all of three at 99 %", []string{"f", "p1", "p2"}, 99, SignedOff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := board(t)
			must(t, s, Event{Type: EvSettings, Actor: "f", Settings: &Settings{Budget: 5, MaxPerCard: 3, Majority: tt.majority}})
			must(t, s, phase(Reflect))
			for _, m := range []string{"f", "p1", "p2"} {
				yes := strings.Contains(strings.Join(tt.yes, ","), m)
				must(t, s, Event{Type: EvReflect, Actor: m, Reflection: &Reflection{Yes: yes, Comment: "from " + m}})
			}
			must(t, s, Event{Type: EvConclude, Actor: "f", At: t0.Add(time.Hour)})
			if s.Outcome != tt.want {
				t.Errorf("outcome = %q, want %q", s.Outcome, tt.want)
			}
			if (s.Phase == Close) != (tt.want == SignedOff) {
				t.Errorf("phase = %s with outcome %s", s.Phase, s.Outcome)
			}
			r := s.Record(t0.Add(time.Hour))
			if len(r.Reflection.Comments) != 3 || r.Reflection.Present != 3 {
				t.Errorf("record keeps every comment, dissent included: %+v", r.Reflection)
			}
		})
	}
}

func TestRecordMarkdown(t *testing.T) {
	s := board(t)
	must(t, s, Event{Type: EvPhase, Actor: "f", Phase: Brainstorm, At: t0.Add(10 * time.Minute)})
	must(t, s, add("p1", "c1", "api", "a | pipe", "S"))
	must(t, s, Event{Type: EvPhase, Actor: "f", Phase: Reflect, At: t0.Add(40 * time.Minute)})
	must(t, s, Event{Type: EvReflect, Actor: "p2", Reflection: &Reflection{Comment: "we skipped the db"}})
	must(t, s, Event{Type: EvConclude, Actor: "f", At: t0.Add(45 * time.Minute)})
	md := s.Record(t0.Add(45 * time.Minute))
	out := md.Markdown()
	for _, want := range []string{"# Threat-modeling session: Checkout", "**Not signed off**: 0 of 3", "| review | 10.0 |", "| brainstorm | 30.0 |",
		`a \| pipe`, "| Pat |", "- not yet: we skipped the db — Sam"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
	s.Settings.Anonymous = true
	r := s.Record(t0)
	if out := r.Markdown(); strings.Contains(out, "— Sam") || strings.Contains(out, "| Pat |") {
		t.Errorf("anonymous record names people:\n%s", out)
	}
}

func TestReplayFromJSON(t *testing.T) {
	// The state is the fold of its events: replaying the stored JSON
	// events gives the same state.
	var log []Event
	x := &State{}
	rec := func(e Event) {
		t.Helper()
		must(t, x, e)
		b, _ := json.Marshal(e)
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		log = append(log, back)
	}
	rec(New(Info{ID: "s1", SystemID: "shop", Facilitator: "f"}, nil, t0))
	rec(Event{Type: EvJoin, Actor: "p", Member: &Member{ID: "p", Role: Participant}, At: t0})
	rec(phase(Brainstorm))
	rec(add("p", "c1", "api", "x", "S"))
	rec(phase(Vote))
	rec(Event{Type: EvVote, Actor: "p", CardID: "c1", Count: 2})
	y := &State{}
	for _, e := range log {
		must(t, y, e)
	}
	a, _ := json.Marshal(x)
	b, _ := json.Marshal(y)
	if d := cmp.Diff(string(a), string(b)); d != "" {
		t.Errorf("replay differs:\n%s", d)
	}
}
