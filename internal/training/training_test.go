package training

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/spec"
)

func TestBuiltinExercisesAreValidAndDifferent(t *testing.T) {
	xs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) < 2 {
		t.Fatalf("%d built-in exercises, want at least 2", len(xs))
	}
	for _, x := range xs {
		if len(x.Flaws) < 4 || len(x.Reference.Threats) < 8 || len(x.Design) < 500 {
			t.Errorf("%s: %d flaws, %d reference threats, %d bytes of design: too thin for 45 minutes", x.ID, len(x.Flaws), len(x.Reference.Threats), len(x.Design))
		}
		if Lookup(x.ID) != x {
			t.Errorf("Lookup(%q) did not find it", x.ID)
		}
		if _, err := Source(x.ID); err != nil {
			t.Errorf("Source(%q): %v", x.ID, err)
		}
	}
	if xs[0].Model.System.ID == xs[1].Model.System.ID {
		t.Error("the two exercises model the same system")
	}
}

const minimal = `training: 1
id: tiny
title: Tiny
design: |
  A web app and its database.
model:
  ward: 1
  system: {id: tiny, name: Tiny}
  assets:
    - {id: data, name: Data, kind: data}
  components:
    - {id: web, name: Web, kind: service}
    - {id: db, name: DB, kind: datastore, stores: [data]}
  flows:
    - {id: web-db, from: web, to: db, protocol: sql}
flaws:
  - {id: f1, title: No auth on the database, where: [db]}
reference:
  threats:
    - {id: a, title: Read everything, target: db, stride: [I], asset: data, severity: high, flaw: f1}
    - {id: b, title: Change rows, target: web-db, stride: [tampering], severity: medium}
    - {id: c, title: Flood, target: web, stride: [D], severity: low}
  top_three: [a, b, c]
`

func TestParseMinimal(t *testing.T) {
	x, err := Parse("tiny.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Reference.Threats[1].Stride; !cmp.Equal(got, []string{"T"}) {
		t.Errorf("stride names become letters: got %v", got)
	}
	if x.Minutes != (Minutes{10, 30, 5}) {
		t.Errorf("default minutes: %+v", x.Minutes)
	}
	if !strings.HasPrefix(x.ModelYAML, "ward: 1\n") {
		t.Errorf("model YAML is dedented: %q", x.ModelYAML[:20])
	}
	if got := len(x.Elements()); got != 3 {
		t.Errorf("%d elements, want 3", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		want           string
	}{
		{"unknown key", "design: |", "desing: |", "tiny.yaml:4:1: unknown key \"desing\" in the exercise — did you mean \"design\"?"},
		{"bad target", "target: db, stride: [I]", "target: dbb, stride: [I]", "tiny.yaml:20:47: target \"dbb\" is not an element or flow of the model — did you mean \"db\"?"},
		{"bad stride", "stride: [D]", "stride: [X]", "tiny.yaml:22:50: STRIDE category \"X\" — use S, T, R, I, D, E or their names (spoofing, tampering, ...)"},
		{"model error keeps its place", "kind: datastore", "kind: database", "tiny.yaml:13:32: \"database\" is not a valid kind"},
		{"top three", "top_three: [a, b, c]", "top_three: [a, b]", "tiny.yaml:23:14: top_three has 2 entries"},
		{"unknown top three", "top_three: [a, b, c]", "top_three: [a, b, z]", "top_three names \"z\", which is not a reference threat"},
		{"severity", "severity: low", "severity: huge", "tiny.yaml:22:65: severity \"huge\""},
		{"flaw without threat", ", flaw: f1}", "}", "tiny.yaml:17:5: planted flaw \"f1\" has no reference threat"},
		{"syntax", "  top_three: [a, b, c]", "  top_three: [a, b, c", "tiny.yaml:24:1: YAML syntax error"},
		{"flow-style model", "model:\n  ward: 1", "model: {ward: 1}\nx:\n  ward: 1", "the model is not a block mapping"},
		{"alias", "title: Tiny", "title: &t Tiny\nsummary: *t", "YAML alias *t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimal, tc.from, tc.to, 1)
			if src == minimal {
				t.Fatalf("the test's replacement %q did not apply", tc.from)
			}
			_, err := Parse("tiny.yaml", []byte(src))
			var ds spec.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("got %v, want diagnostics", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got\n%v\nwant it to contain\n%s", err, tc.want)
			}
		})
	}
}

func TestParseRefusesHugeFile(t *testing.T) {
	_, err := Parse("big.yaml", []byte(strings.Repeat("#", MaxFileBytes+1)))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v", err)
	}
}

func ref3() Reference {
	return Reference{Threats: []RefThreat{
		{ID: "a", Target: "db", Stride: []string{"I"}, Severity: "critical"},
		{ID: "b", Target: "web-db", Stride: []string{"T"}, Severity: "high"},
		{ID: "c", Target: "web", Stride: []string{"D", "S"}, Severity: "medium"},
		{ID: "d", Target: "web", Stride: []string{"E"}, Severity: "low"},
	}, TopThree: []string{"a", "b", "c"}}
}

func TestMatches(t *testing.T) {
	ref := ref3().Threats
	for _, tc := range []struct {
		name string
		f    Found
		want []string
	}{
		{"same target and letter", Found{Target: "db", Stride: []string{"I", "T"}}, []string{"a"}},
		{"other letter", Found{Target: "db", Stride: []string{"T"}}, nil},
		{"other target", Found{Target: "web", Stride: []string{"I"}}, nil},
		{"no stride matches the target", Found{Target: "web"}, []string{"c", "d"}},
		{"matched by hand", Found{Target: "db", Stride: []string{"T"}, Ref: "c"}, []string{"c"}},
		{"matched by hand to an unknown one", Found{Target: "db", Stride: []string{"I"}, Ref: "zz"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Matches(ref, tc.f)); diff != "" {
				t.Errorf("-want +got\n%s", diff)
			}
		})
	}
}

func TestAgree(t *testing.T) {
	ref := ref3()
	cards := []Found{
		{ID: "x", Target: "db", Stride: []string{"I"}},     // a
		{ID: "y", Target: "web-db", Stride: []string{"T"}}, // b
		{ID: "z", Target: "web", Stride: []string{"S"}},    // c
		{ID: "w", Target: "web", Stride: []string{"E"}},    // d (not in top three)
		{ID: "o", Target: "db", Stride: []string{"R"}},     // outside
	}
	for _, tc := range []struct {
		name   string
		top    []string
		score  float64
		points [3]float64
		any    int
	}{
		{"same order", []string{"x", "y", "z"}, 1, [3]float64{1, 1, 1}, 3},
		{"reversed", []string{"z", "y", "x"}, (1.0/3 + 1 + 1.0/3) / 3, [3]float64{1.0 / 3, 1, 1.0 / 3}, 3},
		{"first only", []string{"x", "w", "o"}, 1.0 / 3, [3]float64{1, 0, 0}, 1},
		{"shifted by one", []string{"w", "x", "y"}, (2.0/3 + 2.0/3) / 3, [3]float64{2.0 / 3, 2.0 / 3, 0}, 2},
		{"none", []string{"w", "o"}, 0, [3]float64{}, 0},
		{"empty", nil, 0, [3]float64{}, 0},
		{"same threat twice counts once", []string{"x", "x", "y"}, (1 + 2.0/3) / 3, [3]float64{1, 2.0 / 3, 0}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Agree(ref, Submission{Threats: cards, TopThree: tc.top})
			if math.Abs(a.Score-tc.score) > 1e-9 || a.InAnyOrder != tc.any {
				t.Errorf("score %.4f in any order %d, want %.4f and %d", a.Score, a.InAnyOrder, tc.score, tc.any)
			}
			for i := range a.Points {
				if math.Abs(a.Points[i]-tc.points[i]) > 1e-9 {
					t.Errorf("points %v, want %v", a.Points, tc.points)
					break
				}
			}
		})
	}
}

func TestCompare(t *testing.T) {
	ref := ref3()
	subs := []Submission{
		{Group: "g1", Name: "Red", Threats: []Found{{ID: "1", Target: "db", Stride: []string{"I"}}, {ID: "2", Target: "web", Stride: []string{"S"}}}},
		{Group: "g2", Name: "Blue", Threats: []Found{{ID: "1", Target: "db", Stride: []string{"I"}}, {ID: "2", Target: "db", Stride: []string{"R"}, Text: "no audit"}}},
		{Group: "g3", Name: "Green", Threats: []Found{{ID: "1", Target: "web", Stride: []string{"E"}}, {ID: "2", Target: "web", Stride: []string{"D"}}}},
	}
	c := Compare(ref, subs)
	want := [][]int{{2, 1, 1}, {1, 1, 0}, {1, 0, 2}}
	if diff := cmp.Diff(want, c.Overlap); diff != "" {
		t.Errorf("overlap -want +got\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b"}, c.Missed); diff != "" {
		t.Errorf("missed -want +got\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{}, {}, {"d"}}, [][]string{c.Groups[0].Unique, c.Groups[1].Unique, c.Groups[2].Unique}); diff != "" {
		t.Errorf("unique -want +got\n%s", diff)
	}
	if len(c.Groups[1].Outside) != 1 || c.Groups[1].Outside[0].Text != "no audit" {
		t.Errorf("outside: %+v", c.Groups[1].Outside)
	}
	wantStride := []Cell{{"T", 1, 0}, {"I", 1, 1}, {"D", 1, 1}, {"S", 1, 1}, {"E", 1, 0}}
	_ = wantStride
	got := map[string]Cell{}
	for _, x := range c.Groups[0].ByStride {
		got[x.Key] = x
	}
	if got["I"] != (Cell{"I", 1, 1}) || got["T"] != (Cell{"T", 1, 0}) || got["S"] != (Cell{"S", 1, 1}) {
		t.Errorf("by stride: %+v", c.Groups[0].ByStride)
	}
	if c.Groups[0].ByStride[0].Key != "S" {
		t.Errorf("by stride is in STRIDE order: %+v", c.Groups[0].ByStride)
	}
	if c.Groups[0].BySeverity[0].Key != "critical" {
		t.Errorf("by severity starts with critical: %+v", c.Groups[0].BySeverity)
	}
	// Adding a group's outside find to the reference makes it count.
	ref.Threats = append(ref.Threats, RefThreat{ID: "added-1", Target: "db", Stride: []string{"R"}, Severity: "medium"})
	c = Compare(ref, subs)
	if got := c.Groups[1].Covered; !cmp.Equal(got, []string{"a", "added-1"}) || len(c.Groups[1].Outside) != 0 {
		t.Errorf("after adding: covered %v, outside %v", got, c.Groups[1].Outside)
	}
}

func TestRun(t *testing.T) {
	x := Lookup("food-delivery")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ins := Actor{ID: "u-ins", Name: "Ines"}
	r, err := Open("run1", x, "", []string{"Red", "Blue", "Green"}, Minutes{}, ins, at)
	if err != nil {
		t.Fatal(err)
	}
	if r.Deadline != at.Add(10*time.Minute) || r.Phase != Read {
		t.Fatalf("phase %s deadline %v", r.Phase, r.Deadline)
	}
	if _, err := Open("run2", x, "", []string{"A"}, Minutes{Read: 5, Find: 0, Prioritise: 5}, ins, at); !errors.Is(err, ErrInvalid) {
		t.Errorf("a zero time box: %v", err)
	}
	if r2, err := Open("run2", x, "", []string{"A"}, Minutes{5, 20, 5}, ins, at); err != nil || r2.Deadline != at.Add(5*time.Minute) {
		t.Errorf("own time boxes: %v", err)
	}
	if _, err := Open("run2", x, "", []string{"A", "a"}, Minutes{}, ins, at); !errors.Is(err, ErrInvalid) {
		t.Errorf("two groups of the same name: %v", err)
	}
	alice, bob := Actor{ID: "u-a", Name: "Alice", Team: "payments"}, Actor{ID: "u-b", Name: "Bob", Team: "growth"}
	must := func(a Action, by Actor) {
		t.Helper()
		if err := r.Apply(a, by, at); err != nil {
			t.Fatalf("%s: %v", a.Type, err)
		}
	}
	refuse := func(a Action, by Actor, kind error) {
		t.Helper()
		if err := r.Apply(a, by, at); !errors.Is(err, kind) {
			t.Fatalf("%s: got %v, want %v", a.Type, err, kind)
		}
	}
	card := func(target, text string, stride ...string) *session.Card {
		return &session.Card{Target: target, Text: text, Stride: stride}
	}
	refuse(Action{Type: "card.add", Card: card("tracking-page", "x", "I")}, alice, ErrForbidden)
	must(Action{Type: "join", Group: "g1"}, alice)
	must(Action{Type: "join", Group: "g2"}, bob)
	refuse(Action{Type: "join", Group: "g2"}, alice, ErrInvalid)
	refuse(Action{Type: "join", Group: "g1"}, ins, ErrInvalid)
	refuse(Action{Type: "card.add", Card: card("tracking-page", "x", "I")}, alice, ErrPhase)
	must(Action{Type: "note.add", Note: &Note{Kind: Question, Text: "Does the gateway bind tokens to couriers?", Target: "api-gateway"}}, alice)
	refuse(Action{Type: "phase", Phase: Find}, alice, ErrForbidden)
	must(Action{Type: "phase", Phase: Find}, ins)
	if r.Groups[0].Board.Phase != session.Brainstorm || r.Groups[0].Board.Deadline != at.Add(30*time.Minute) {
		t.Fatalf("board phase %s deadline %v", r.Groups[0].Board.Phase, r.Groups[0].Board.Deadline)
	}
	must(Action{Type: "card.add", Card: card("tracking-page", "Order numbers are guessable", "I")}, alice)
	must(Action{Type: "card.add", Card: card("provider-webhook", "Fake paid webhook", "S")}, alice)
	must(Action{Type: "card.add", Card: card("provider-webhook", "Forged payment", "T")}, alice)
	must(Action{Type: "card.add", Card: card("auth-service", "Guess SMS codes", "S")}, bob)
	must(Action{Type: "card.add", Card: card("orders-db", "Backups readable by ops", "I")}, bob)
	refuse(Action{Type: "card.add", Card: card("nowhere", "x", "I")}, bob, ErrInvalid)
	refuse(Action{Type: "top_three", TopThree: []string{"g1-c1"}}, alice, ErrPhase)
	must(Action{Type: "phase", Phase: Prioritise}, ins)
	must(Action{Type: "card.merge", CardID: "g1-c2", From: "g1-c3"}, alice)
	refuse(Action{Type: "top_three", TopThree: []string{"g1-c3"}}, alice, ErrNotFound)
	refuse(Action{Type: "top_three", TopThree: []string{"g2-c1"}}, alice, ErrNotFound)
	refuse(Action{Type: "submit"}, alice, ErrInvalid)
	must(Action{Type: "top_three", TopThree: []string{"g1-c2", "g1-c1"}}, alice)
	must(Action{Type: "submit"}, alice)
	must(Action{Type: "top_three", TopThree: []string{"g2-c1"}}, bob)
	must(Action{Type: "accept", Group: "g2", CardID: "g2-c2", Severity: "medium"}, ins)
	refuse(Action{Type: "accept", Group: "g2", CardID: "g2-c2", Severity: "medium"}, ins, ErrInvalid)
	refuse(Action{Type: "match", Group: "g2", CardID: "g2-c1", Ref: "nope"}, ins, ErrNotFound)
	refuse(Action{Type: "match", Group: "g2", CardID: "g2-c1", Ref: "sms-pumping"}, bob, ErrForbidden)
	if err := r.ApplyTo(x, Action{Type: "match", Group: "g2", CardID: "g2-c1", Ref: "sms-pumping"}, ins, at); err != nil {
		t.Fatal(err)
	}
	if got := Compare(r.Reference(x), r.Submissions()).Groups[1].Covered; !cmp.Equal(got, []string{"sms-pumping", "added-1"}) {
		t.Errorf("after the instructor's match: %v", got)
	}
	if err := r.ApplyTo(x, Action{Type: "match", Group: "g2", CardID: "g2-c1"}, ins, at); err != nil {
		t.Fatal(err)
	}
	must(Action{Type: "phase", Phase: Done}, ins)
	refuse(Action{Type: "card.add", Card: card("auth-service", "late", "S")}, bob, ErrPhase)
	refuse(Action{Type: "phase", Phase: Find}, ins, ErrPhase)
	if r.Completed != at || !cmp.Equal(r.EvidenceTeams(), []string{"growth", "payments"}) || r.Participants() != 2 {
		t.Errorf("completed %v, teams %v, participants %d", r.Completed, r.EvidenceTeams(), r.Participants())
	}
	c := Compare(r.Reference(x), r.Submissions())
	if got := c.Groups[0].Covered; !cmp.Equal(got, []string{"forged-payment", "tracking-enumeration"}) {
		t.Errorf("group 1 covered %v", got)
	}
	if got := c.Groups[0].TopThree.Score; math.Abs(got-2.0/3) > 1e-9 {
		t.Errorf("group 1 agreement %.3f", got)
	}
	if got := c.Groups[1].Covered; !cmp.Equal(got, []string{"otp-bruteforce", "added-1"}) {
		t.Errorf("group 2 covered %v", got)
	}
	if c.Overlap[0][1] != 0 || c.Overlap[0][0] != 2 {
		t.Errorf("overlap %v", c.Overlap)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	for _, n := range []string{"exercises/food-delivery.yaml", "exercises/build-platform.yaml"} {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("training: 1\nmodel: {}\n"))
	f.Add([]byte("model:\n  ward: 1\nmodel:\n  ward: 1\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ds spec.Diagnostics
			if !errors.As(err, &ds) || len(ds) == 0 {
				t.Fatalf("error is not diagnostics: %v", err)
			}
			for _, d := range ds {
				if d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Fatalf("diagnostic without a position: %v", d)
				}
			}
			return
		}
		if x.Model == nil || len(x.Reference.TopThree) != 3 {
			t.Fatalf("valid exercise without a model or a top three")
		}
		Compare(x.Reference, nil)
	})
}

// BenchmarkCompare scores a large run: 12 groups of 200 threats each
// against the food-delivery reference.
//
//	go test ./internal/training -run '^$' -bench Compare
func BenchmarkCompare(b *testing.B) {
	x := Lookup("food-delivery")
	els := x.Elements()
	var subs []Submission
	for g := range 12 {
		s := Submission{Group: fmt.Sprintf("g%d", g)}
		for i := range 200 {
			e := els[(g*7+i)%len(els)]
			s.Threats = append(s.Threats, Found{ID: fmt.Sprintf("c%d", i), Target: e.ID, Stride: []string{"STRIDE"[i%6 : i%6+1]}})
		}
		s.TopThree = []string{"c1", "c2", "c3"}
		subs = append(subs, s)
	}
	for b.Loop() {
		Compare(x.Reference, subs)
	}
}

// BenchmarkParse parses the larger built-in exercise (with its model).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("exercises/food-delivery.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse("food-delivery.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseHostile: inputs built to be expensive end in a bounded list of
// problems, never a panic or a hang (the fuzz target explores further).
func TestParseHostile(t *testing.T) {
	for name, in := range map[string]string{
		"deep flow nesting":   strings.Repeat("[", 400000),
		"many duplicate keys": "training: 1\n" + strings.Repeat("x: 1\n", 150000),
		"long list":           "flaws:\n" + strings.Repeat("- a\n", 200000),
		"deep model":          "model:\n  ward: 1\n  x: " + strings.Repeat("[", 300000),
		"alias in the model":  strings.Replace(minimal, "  system: {id: tiny, name: Tiny}", "  system: &s {id: tiny, name: Tiny}\n  scope: *s", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("h.yaml", []byte(in))
			var ds spec.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("got %v, want diagnostics", err)
			}
			if len(ds) > spec.MaxDiagnostics+1 {
				t.Errorf("%d problems reported", len(ds))
			}
		})
	}
}
