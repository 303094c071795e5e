package rule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// customRules loads n custom rules on components with condition when.
func customRules(t testing.TB, n int, when string) []*Rule {
	t.Helper()
	var b strings.Builder
	b.WriteString("ward_rules: 1\nrules:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: r-%d\n    title: Rule %d\n    category: tampering\n    on: component\n    when: %q\n    doc: d\n", i, i, when)
	}
	rules, err := LoadCustom([]spec.Source{{Name: "rules.yaml", Data: []byte(b.String())}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func synthModel(t testing.TB, n int) *model.Model {
	t.Helper()
	m, _, err := spec.Parse("ward.yaml", synth.Generate(n, synth.DefaultSeed))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantBudget(t *testing.T, err error, limit, rule string) *BudgetError {
	t.Helper()
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("Run: %v, want a BudgetError on %s", err, limit)
	}
	if be.Limit != limit || rule != "" && be.Rule != rule {
		t.Errorf("BudgetError = %+v, want limit %q naming rule %q", be, limit, rule)
	}
	if !strings.Contains(be.Error(), be.Setting) {
		t.Errorf("the message does not say how to raise the limit: %s", be)
	}
	return be
}

// TestBudgetCustomRules: too many custom rules are refused before any runs.
func TestBudgetCustomRules(t *testing.T) {
	m := synthModel(t, 10)
	rules := customRules(t, 11, "true")
	ctx := WithBudget(t.Context(), Budget{MaxCustomRules: 10})
	_, err := Run(ctx, m, rules)
	be := wantBudget(t, err, "custom rules", "")
	if be.Count != 11 {
		t.Errorf("count %d, want 11", be.Count)
	}
	if _, err := Run(ctx, m, rules[:10]); err != nil {
		t.Errorf("10 rules within a budget of 10: %v", err)
	}
}

// TestBudgetFindings: past the findings cap the run stops early, naming
// the rule that produced most.
func TestBudgetFindings(t *testing.T) {
	m := synthModel(t, 400)
	rules := append(customRules(t, 3, "false"), customRules(t, 1, "true")...)
	rules[3].ID = "noisy"
	ctx := WithBudget(t.Context(), Budget{MaxFindings: 100})
	_, err := Run(ctx, m, rules)
	be := wantBudget(t, err, "findings", "noisy")
	if be.Count > 101 {
		t.Errorf("the run went on past the cap: the rule produced %d findings", be.Count)
	}
}

// TestBudgetFindingsCatalogue: the findings cap counts custom rules only;
// the built-in catalogue on a large model is not stopped by it.
func TestBudgetFindingsCatalogue(t *testing.T) {
	m := synthModel(t, 400)
	// Rules of the catalogue are values like custom ones; only their
	// origin differs.
	builtin := customRules(t, 3, "true")
	for i, r := range builtin {
		r.ID, r.Origin = fmt.Sprintf("builtin-%d", i), model.OriginBuiltin
	}
	rules := append(customRules(t, 1, "false"), builtin...)
	ctx := WithBudget(t.Context(), Budget{MaxFindings: 10})
	res, err := Run(ctx, m, rules)
	if err != nil {
		t.Fatalf("the catalogue counted against the custom-rule findings cap: %v", err)
	}
	if len(res.Findings) <= 10 {
		t.Fatalf("want more than 10 catalogue findings on a 400-component model to make the test meaningful, got %d", len(res.Findings))
	}
}

// TestBudgetCost: the cost of all evaluations together is bounded, not
// only each one.
func TestBudgetCost(t *testing.T) {
	m := synthModel(t, 200)
	rules := customRules(t, 2, `component.tags.all(t, t.size() >= 0) && [1,2,3,4,5,6,7,8,9,10].all(i, component.name.contains(string(i)) || true)`)
	ctx := WithBudget(t.Context(), Budget{MaxCost: 5_000})
	_, err := Run(ctx, m, rules)
	wantBudget(t, err, "rule cost", "")
	if _, err := Run(WithBudget(t.Context(), Budget{MaxCost: 1 << 40}), m, rules); err != nil {
		t.Errorf("within budget: %v", err)
	}
}

// TestCancelInsideRule: cancelling stops a single long rule at once, not
// after it has run over every element (about 7 s here, measured). On a
// quiet machine it stops within a few milliseconds; the bound is loose
// because CI machines are shared and a descheduled process can wait
// hundreds of milliseconds for a core — what the test guards is that
// cancellation reaches inside the rule's evaluation.
func TestCancelInsideRule(t *testing.T) {
	m := synthModel(t, 2000)
	const l = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"
	heavy := l + ".all(i, " + l + ".all(j, " + l + `.all(k, component.id + string(i + j + k) != "")))`
	rules := customRules(t, 1, heavy)
	ctx, cancel := context.WithCancel(WithBudget(t.Context(), Budget{MaxCost: 1 << 50}))
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, m, rules)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Run stopped %s after the cancel, want well within 1 s", d)
		}
		t.Logf("stopped %s after the cancel", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop within 10 s of the cancel")
	}
	for _, e := range EvalErrors(rules) {
		if strings.Contains(e.Err, "interrupt") {
			t.Errorf("an interrupted evaluation was recorded as the rule's failure: %v", e)
		}
	}
}

// TestCheckCustomCount: the custom-rule cap is applied to the files,
// before any rule is compiled, whatever the YAML style.
func TestCheckCustomCount(t *testing.T) {
	ctx := WithBudget(t.Context(), Budget{MaxCustomRules: 3})
	block := spec.Source{Name: "a.yaml", Data: []byte("ward_rules: 1\nrules:\n  - id: a\n  - id: b\n")}
	flow := spec.Source{Name: "b.yaml", Data: []byte("ward_rules: 1\nrules: [{id: c}, {id: d}]\n")}
	broken := spec.Source{Name: "c.yaml", Data: []byte("rules: [")}
	if err := CheckCustomCount(ctx, []spec.Source{block, broken}); err != nil {
		t.Errorf("2 rules within 3: %v", err)
	}
	err := CheckCustomCount(ctx, []spec.Source{block, flow})
	var be *BudgetError
	if !errors.As(err, &be) || be.Count != 4 || be.Limit != "custom rules" {
		t.Errorf("4 rules over 3: %v", err)
	}
}
