package synth

import (
	"context"
	"testing"

	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestUnwordedQuestions: questions left unworded by the rules
// (rule.Options.Unworded, as internal/analysis runs them) and worded after
// with rule.WordQuestions read exactly as those the rules word themselves,
// for every kind of fact a generated model asks about.
func TestUnwordedQuestions(t *testing.T) {
	data := Generate(300, DefaultSeed)
	run := func(unworded bool) *rule.Result {
		m, _, err := spec.Parse("ward.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rule.RunWith(context.Background(), m, rules.All(), rule.Options{Unworded: unworded})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	want, got := run(false), run(true)
	if len(got.Questions) == 0 || len(got.Questions) != len(want.Questions) {
		t.Fatalf("%d questions, want %d (and some)", len(got.Questions), len(want.Questions))
	}
	keys := map[string]bool{}
	for _, q := range got.Questions {
		if q.Text != "" {
			t.Fatalf("question %s worded: %q", q.ID, q.Text)
		}
	}
	rule.WordQuestions(got.Questions)
	for i, q := range got.Questions {
		keys[q.Key] = true
		if w := want.Questions[i]; q.ID != w.ID || q.Text != w.Text {
			t.Errorf("question %s: %q, want %s: %q", q.ID, q.Text, w.ID, w.Text)
		}
	}
	for _, k := range []string{"encryption", "authentication", "forwards_identity"} {
		if !keys[k] {
			t.Errorf("no question about %s: the test does not cover its wording", k)
		}
	}
}
