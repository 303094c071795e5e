package rule

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestFlowFact checks that a fact read by several flow rules is computed
// once per flow and run, that each rule reads the target flow's value, and
// that a rule outside the flow pass gets the value computed directly.
func TestFlowFact(t *testing.T) {
	m := synthModel(t, 50)
	var calls atomic.Int64
	fact := NewFlowFact(func(_ *model.Model, f *model.Flow) uint8 {
		calls.Add(1)
		return uint8(len(f.ID) % 7)
	})
	var wrong atomic.Int64
	flowRule := func(id string) *Rule {
		return &Rule{ID: id, Title: id, Category: model.Tampering, On: OnFlow, Doc: "d", Check: func(x *Ctx) {
			if x.FlowFact(fact) != uint8(len(x.Target.Flow.ID)%7) {
				wrong.Add(1)
			}
		}}
	}
	var direct uint8
	modelRule := &Rule{ID: "m", Title: "m", Category: model.Tampering, On: OnModel, Doc: "d", Check: func(x *Ctx) {
		x.Target.Flow = m.Flows[0]
		direct = x.FlowFact(fact)
	}}
	rules := []*Rule{flowRule("a"), flowRule("b"), flowRule("c"), modelRule}
	if _, err := Run(context.Background(), m, rules); err != nil {
		t.Fatal(err)
	}
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d reads returned another flow's value", n)
	}
	if want := uint8(len(m.Flows[0].ID) % 7); direct != want {
		t.Errorf("outside the flow pass: %d, want %d", direct, want)
	}
	if got, want := calls.Load(), int64(len(inScope(m).flows)+1); got != want {
		t.Errorf("fact computed %d times, want %d (once per flow, and once outside the pass)", got, want)
	}
}

// TestCompFact checks that a component fact is computed once per component
// and run however many rules read it, for their target or another
// component, and that a component the model does not number gets its value
// computed directly.
func TestCompFact(t *testing.T) {
	m := synthModel(t, 50)
	var calls atomic.Int64
	fact := NewCompFact(func(_ *model.Model, c *model.Component) uint8 {
		calls.Add(1)
		return uint8(len(c.ID) % 5)
	})
	var wrong atomic.Int64
	compRule := func(id string) *Rule {
		return &Rule{ID: id, Title: id, Category: model.Tampering, On: OnComponent, Doc: "d", Check: func(x *Ctx) {
			if x.CompFact(fact, x.Target.Component) != uint8(len(x.Target.Component.ID)%5) {
				wrong.Add(1)
			}
		}}
	}
	flowRule := &Rule{ID: "f", Title: "f", Category: model.Tampering, On: OnFlow, Doc: "d", Check: func(x *Ctx) {
		if to := x.Target.Flow.To; x.CompFact(fact, to) != uint8(len(to.ID)%5) {
			wrong.Add(1)
		}
	}}
	stranger := &model.Component{ID: "not-in-the-model"}
	var direct uint8
	modelRule := &Rule{ID: "m", Title: "m", Category: model.Tampering, On: OnModel, Doc: "d", Check: func(x *Ctx) {
		direct = x.CompFact(fact, stranger)
	}}
	if _, err := Run(context.Background(), m, []*Rule{compRule("a"), compRule("b"), flowRule, modelRule}); err != nil {
		t.Fatal(err)
	}
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d reads returned another component's value", n)
	}
	if want := uint8(len(stranger.ID) % 5); direct != want {
		t.Errorf("unnumbered component: %d, want %d", direct, want)
	}
	if got, want := calls.Load(), int64(len(m.Components)+1); got != want {
		t.Errorf("fact computed %d times, want %d (once per component, and once for the stranger)", got, want)
	}
}
