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
