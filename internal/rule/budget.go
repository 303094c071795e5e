package rule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// Budget bounds the work of one analysis (one Run), so that no model and
// no rule file — however large or hostile — can take unbounded time or
// memory, in the CLI and in the server alike. docs/rules.md lists the
// limits with their defaults. A zero field means its default.
type Budget struct {
	// MaxCustomRules bounds the custom rules run on one model.
	MaxCustomRules int
	// MaxFindings bounds the findings custom rules raise on one model; past
	// it the analysis stops with an error naming the rule that produced
	// most. The built-in catalogue is not counted: what it raises grows
	// linearly with the model, whose size the loader bounds, and a large
	// real model (10,000 components) legitimately has over 100,000 threats.
	MaxFindings int
	// MaxCost bounds the CEL cost (CostLimit's units) spent by all custom
	// rules on all elements together; CostLimit still bounds each single
	// evaluation.
	MaxCost int64
	// Workers, when set, bounds the cores one analysis uses (a server
	// keeps some for answering requests); zero means all (up to 8).
	Workers int
}

// Default limits.
const (
	DefaultMaxCustomRules = 500
	DefaultMaxFindings    = 50_000
	DefaultMaxCost        = 20_000_000
)

// DefaultBudget is the budget of an analysis whose context carries none.
func DefaultBudget() Budget {
	return Budget{MaxCustomRules: DefaultMaxCustomRules, MaxFindings: DefaultMaxFindings, MaxCost: DefaultMaxCost}
}

func (b Budget) normal() Budget {
	d := DefaultBudget()
	if b.MaxCustomRules <= 0 {
		b.MaxCustomRules = d.MaxCustomRules
	}
	if b.MaxFindings <= 0 {
		b.MaxFindings = d.MaxFindings
	}
	if b.MaxCost <= 0 {
		b.MaxCost = d.MaxCost
	}
	return b
}

// WithBudgetDefaults returns b with its zero fields set to the defaults.
func WithBudgetDefaults(b Budget) Budget { return b.normal() }

type budgetKey struct{}

// WithBudget returns a context whose analyses (Run) keep within b.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b.normal())
}

// BudgetOf returns the budget ctx carries, or the default.
func BudgetOf(ctx context.Context) Budget {
	if b, ok := ctx.Value(budgetKey{}).(Budget); ok {
		return b
	}
	return DefaultBudget()
}

// BudgetError says an analysis went over its budget.
type BudgetError struct {
	// Limit is "custom rules", "findings" or "rule cost".
	Limit string
	Max   int64
	// Rule is the rule that produced most (findings, cost), if known;
	// Count what it produced.
	Rule  string
	Count int64
	// Setting names how to raise the limit.
	Setting string
}

func (e *BudgetError) Error() string {
	msg := fmt.Sprintf("the analysis went over its budget of %d %s", e.Max, e.Limit)
	if e.Rule != "" {
		msg += fmt.Sprintf("; rule %q produced the most (%d)", e.Rule, e.Count)
	}
	return msg + " — narrow the rule's condition or split the model; an administrator may raise " + e.Setting
}

// IsBudget reports whether err is a BudgetError.
func IsBudget(err error) bool {
	var be *BudgetError
	return errors.As(err, &be)
}

// tracker counts one Run's spending. Its methods are safe for the
// concurrent rule workers and for a nil tracker (rules run outside Run).
type tracker struct {
	ctx      context.Context
	b        Budget
	cost     atomic.Int64
	findings atomic.Int64
	// halted is set on cancellation or when a limit is passed; rule
	// loops check it before every element, so a stop takes effect within
	// one evaluation (itself interruptible).
	halted atomic.Bool
	mu     sync.Mutex
	err    error
	// costBy counts each custom rule's spending, to name the worst.
	costBy sync.Map // rule id -> *atomic.Int64
}

// newTracker starts tracking ctx's budget; stop releases the context
// watch.
func newTracker(ctx context.Context, rules []*Rule) (t *tracker, stop func() bool, err error) {
	b := BudgetOf(ctx)
	n := 0
	for _, r := range rules {
		if r.Origin == model.OriginCustom {
			n++
		}
	}
	if n > b.MaxCustomRules {
		return nil, nil, &BudgetError{Limit: "custom rules", Max: int64(b.MaxCustomRules), Count: int64(n), Setting: "max-custom-rules"}
	}
	t = &tracker{ctx: ctx, b: b}
	return t, context.AfterFunc(ctx, func() { t.halted.Store(true) }), nil
}

// stopped says whether work should stop.
func (t *tracker) stopped() bool { return t != nil && t.halted.Load() }

// interrupted says whether an evaluation error may come from the run
// being stopped rather than from the rule: halted, or the context done.
// The context is asked too because context.AfterFunc sets halted from
// its own goroutine, which can run after an evaluation has already seen
// the cancellation.
func (t *tracker) interrupted() bool {
	return t != nil && (t.halted.Load() || t.ctx.Err() != nil)
}

func (t *tracker) fail(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
	t.halted.Store(true)
}

// found counts n new findings.
func (t *tracker) found(n int) {
	if t == nil || n == 0 {
		return
	}
	if t.findings.Add(int64(n)) > int64(t.b.MaxFindings) {
		t.fail(&BudgetError{Limit: "findings", Max: int64(t.b.MaxFindings), Setting: "max-findings"})
	}
}

// eval evaluates a custom rule's condition, interruptibly, and charges its
// cost to the run.
func (t *tracker) eval(r *Rule, p cel.Program, act interpreter.Activation) (ref.Val, error) {
	if t == nil {
		out, _, err := p.Eval(act)
		return out, err
	}
	out, det, err := p.ContextEval(t.ctx, act)
	if det != nil {
		if c := det.ActualCost(); c != nil {
			v, _ := t.costBy.LoadOrStore(r.ID, new(atomic.Int64))
			v.(*atomic.Int64).Add(int64(*c))
			if t.cost.Add(int64(*c)) > t.b.MaxCost {
				t.fail(&BudgetError{Limit: "rule cost", Max: t.b.MaxCost, Setting: "max-rule-cost"})
			}
		}
	}
	return out, err
}

// result returns why the run stopped, if it went over budget, naming the
// rule that produced most.
func (t *tracker) result(rules []*Rule, per []*results) error {
	t.mu.Lock()
	err := t.err
	t.mu.Unlock()
	var be *BudgetError
	if !errors.As(err, &be) {
		return err
	}
	switch be.Limit {
	case "findings":
		for i, out := range per {
			if out != nil && rules[i].Origin == model.OriginCustom && int64(len(out.findings)) > be.Count {
				be.Rule, be.Count = rules[i].ID, int64(len(out.findings))
			}
		}
	case "rule cost":
		t.costBy.Range(func(k, v any) bool {
			if c := v.(*atomic.Int64).Load(); c > be.Count {
				be.Rule, be.Count = k.(string), c
			}
			return true
		})
	}
	return be
}

// CheckCustomCount refuses rule files that define more custom rules than
// ctx's budget allows before any is compiled: compiling is what costs (a
// push of 60,000 rules used 9 s of CPU and 280 MB to be refused after
// compiling). Only the entries of the rules: lists are counted: the files
// are parsed, not decoded, so aliases are not expanded; a file that does
// not parse is left to LoadCustom, which reports it with its position.
func CheckCustomCount(ctx context.Context, srcs []spec.Source) error {
	b := BudgetOf(ctx)
	n := 0
	for _, src := range srcs {
		var doc yaml.Node
		if err := yaml.Unmarshal(src.Data, &doc); err != nil || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "rules" {
				n += len(root.Content[i+1].Content)
			}
		}
	}
	if n > b.MaxCustomRules {
		return &BudgetError{Limit: "custom rules", Max: int64(b.MaxCustomRules), Count: int64(n), Setting: "max-custom-rules"}
	}
	return nil
}
