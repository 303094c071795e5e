package rule

import "github.com/wardtm/ward/internal/model"

// FlowFact is a one-byte fact about a flow that several flow rules read
// (which rule of a partition owns the flow, say): computed once per run for
// every flow the rules examine, in one pass, and shared by the rules, instead
// of each rule deriving it again for each flow. Declare one with NewFlowFact
// as a package variable and read it with Ctx.FlowFact.
type FlowFact struct {
	fn func(m *model.Model, f *model.Flow) uint8
}

// NewFlowFact returns a fact computed by fn, which must depend only on the
// model and the flow.
func NewFlowFact(fn func(m *model.Model, f *model.Flow) uint8) *FlowFact {
	return &FlowFact{fn: fn}
}

// CompFact is FlowFact's counterpart for components: a one-byte fact
// several rules read about a component (their target or another), computed
// once per run for every component of the model. Read it with
// Ctx.CompFact.
type CompFact struct {
	fn func(m *model.Model, c *model.Component) uint8
}

// NewCompFact returns a fact computed by fn, which must depend only on the
// model and the component.
func NewCompFact(fn func(m *model.Model, c *model.Component) uint8) *CompFact {
	return &CompFact{fn: fn}
}

// factSlot is one fact's values (a *FlowFact's by the flow's place in the
// run's scope, a *CompFact's by component number), as a Ctx has fetched
// them from the run's memo.
type factSlot struct {
	k any
	v []uint8
}

// CompFact returns k for component c. A rule's first call fetches the run's
// values (computing them for every component if no rule has yet, with any
// other rule that asks meanwhile: memo.table); later
// calls index a slice. A component the model does not number gets its
// value computed directly.
func (x *Ctx) CompFact(k *CompFact, c *model.Component) uint8 {
	n := x.Model.CompNum(c)
	if n < 0 || x.memo == nil {
		return k.fn(x.Model, c)
	}
	for _, s := range x.facts {
		if s.k == any(k) {
			return s.v[n]
		}
	}
	m := x.Model
	v := x.memo.table(k, len(m.Components), func(i int) uint8 { return k.fn(m, m.Components[i]) })
	x.facts = append(x.facts, factSlot{k: k, v: v})
	return v[n]
}

// FlowFact returns k for the target flow. A rule's first call fetches the
// run's values (computing them for every flow if no rule has yet, with any
// other rule that asks meanwhile: memo.table); later
// calls index a slice. Outside the flow pass (another kind of rule, or a
// target the run does not list) it computes k for the target directly.
func (x *Ctx) FlowFact(k *FlowFact) uint8 {
	f := x.Target.Flow
	if x.flow < 0 || x.scope == nil || x.memo == nil || x.flow >= len(x.scope.flows) || x.scope.flows[x.flow] != f {
		return k.fn(x.Model, f)
	}
	for _, s := range x.facts {
		if s.k == any(k) {
			return s.v[x.flow]
		}
	}
	in, m := x.scope, x.Model
	v := x.memo.table(k, len(in.flows), func(i int) uint8 { return k.fn(m, in.flows[i]) })
	x.facts = append(x.facts, factSlot{k: k, v: v})
	return v[x.flow]
}
