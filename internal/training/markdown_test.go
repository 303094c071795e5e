package training

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/session"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestMarkdownGolden renders a played run's results.
func TestMarkdownGolden(t *testing.T) {
	x := Lookup("build-platform")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ins := Actor{ID: "ins", Name: "Ines"}
	r, err := Open("run1", x, "Platform guild", []string{"Red", "Blue | pipes"}, Minutes{}, ins, at)
	if err != nil {
		t.Fatal(err)
	}
	a, b := Actor{ID: "a", Name: "Ann", Team: "pay"}, Actor{ID: "b", Name: "Bo", Team: "web"}
	steps := []struct {
		act Action
		by  Actor
	}{
		{Action{Type: "join", Group: "g1"}, a},
		{Action{Type: "join", Group: "g2"}, b},
		{Action{Type: "note.add", Note: &Note{Kind: Question, Text: "Who approves fork pipelines?"}}, a},
		{Action{Type: "phase", Phase: Find}, ins},
		{Action{Type: "card.add", Card: &session.Card{Target: "jobs-to-runners", Stride: []string{"I"}, Text: "Fork MR prints the <token>"}}, a},
		{Action{Type: "card.add", Card: &session.Card{Target: "deployer-pull", Stride: []string{"T"}, Text: ":latest swapped"}}, a},
		{Action{Type: "card.add", Card: &session.Card{Target: "registry-proxy", Stride: []string{"S"}, Text: "Internal name on the public registry"}}, b},
		{Action{Type: "card.add", Card: &session.Card{Target: "jobs-to-runners", Stride: []string{"E"}, Text: "Fork jobs get every variable"}}, b},
		{Action{Type: "card.add", Card: &session.Card{Target: "engineer-deploy", Stride: []string{"S"}, Text: "No second person | deploy"}}, b},
		{Action{Type: "phase", Phase: Prioritise}, ins},
		{Action{Type: "top_three", TopThree: []string{"g1-c1", "g1-c2"}}, a},
		{Action{Type: "top_three", TopThree: []string{"g2-c2", "g2-c1"}}, b},
		{Action{Type: "accept", Group: "g2", CardID: "g2-c3", Severity: "low"}, ins},
		{Action{Type: "phase", Phase: Done}, ins},
	}
	for _, s := range steps {
		if err := r.Apply(s.act, s.by, at); err != nil {
			t.Fatalf("%s: %v", s.act.Type, err)
		}
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, x, r, Compare(r.Reference(x), r.Submissions())); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/results.md"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("-want +got\n%s", diff)
	}
}
