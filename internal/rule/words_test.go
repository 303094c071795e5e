package rule_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestQuestionsWordedOnAllCores: the questions of a model large enough to
// be worded on several workers get the texts worded on one core.
func TestQuestionsWordedOnAllCores(t *testing.T) {
	data := synth.Generate(1500, 3)
	run := func(procs int) []*model.Question {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, _, err := spec.Parse("ward.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rule.Run(context.Background(), m, rules.All())
		if err != nil {
			t.Fatal(err)
		}
		return res.Questions
	}
	one, all := run(1), run(4)
	if len(one) < 2*4096 {
		t.Fatalf("%d questions: too few to word on several workers", len(one))
	}
	if len(all) != len(one) {
		t.Fatalf("%d questions on 4 cores, %d on 1", len(all), len(one))
	}
	for i := range one {
		if one[i].ID != all[i].ID || one[i].Text != all[i].Text || one[i].Text == "" {
			t.Fatalf("question %d: %q %q on 1 core, %q %q on 4", i, one[i].ID, one[i].Text, all[i].ID, all[i].Text)
		}
	}
}
