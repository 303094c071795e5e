// Reach: how much of the design's data a threat's elements hold or lead to
// (Finding.Reach), which the ranking counts on top of the score.

package risk

import (
	"runtime"
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// reachWeight is how many points of score the most data within reach adds
// to a threat's ranking value (rankValue), in 128ths: 1.125 points (it was
// 1.5, then 0.875, cross-validated between the older and the most recent
// seen sets, docs/quality-history.md, rank22; refitted with the repeat
// step on halves A and B, rank26). It orders threats of one score by how
// much of the design's data they reach, and with the crown jewels' 0.75
// point a threat on the element that reaches and holds them outranks one
// a point above it elsewhere; it never leaves its severity band.
const reachWeight = 144

// jewelWeight and physicalWeight are what the ranking adds, in 128ths of a
// point, for a threat on an element that holds or carries the design's
// crown jewels (model.FocusJewel: 0.75 point) and on one with a physical
// effect (model.FocusPhysical: 0.5 point): what a reviewer reads first
// (docs/risk.md). Like the data within reach, they order threats within
// their severity band only.
const (
	jewelWeight    = 96
	physicalWeight = 64
)

// reach holds the data within reach of each element of a model (reachOf),
// as the sum of the assets' worth (assetWorth): the elements' numbers in
// the model (model.CompNum, FlowNum) index their values in compV and flowV.
type reach struct {
	m     *model.Model
	compV []int32
	flowV []int32
	// most is the largest of the components': the element that holds or
	// leads to the design's crown jewels.
	most int32
	// compJ and flowJ say which components hold the design's crown jewels
	// and which flows carry them or lead to a component that holds them
	// (jewels).
	compJ, flowJ []bool
}

// assetWorth is how much an asset is worth to an attacker, as stakeValue
// counts it: the larger of its confidentiality and integrity needs, or its
// business value if higher (low 1 … critical 4).
func assetWorth(a *model.Asset) int32 {
	return int32(max(a.Need(model.Confidentiality), a.Need(model.Integrity), a.Value))
}

// reachChunk is how many elements a worker of reachOf takes at a time.
const reachChunk = 1024

// reachOf works out, for every component and flow of m, the data within
// its reach: a component's is what it stores or processes, what its
// outbound flows carry and what the data stores it sends to (a database,
// a bucket, a queue) hold; a flow's is what it carries and what its
// receiver reaches. Each asset counts once per element. A model that
// names no assets reaches nothing.
//
// It runs on the main goroutine before the threats are scored, so at
// 10,000s of elements the work is spread: the components' reach is
// worked out in chunks on GOMAXPROCS workers; a worker works out each
// flow into a component it has just done as the component's set plus what
// the flow carries (not the receiver's union again per flow).
func reachOf(m *model.Model) *reach {
	r := &reach{}
	if len(m.Assets) == 0 {
		return r
	}
	nc, nf := len(m.Components), len(m.Flows)
	// The elements are numbered by the model (Index; again here only if
	// its lists changed since): maps by pointer had 600,000 entries at
	// 100,000 components.
	m.Number()
	r.m = m
	// Assets are numbered so that each element's union is a stamp per
	// asset rather than a map.
	num := make(map[*model.Asset]int32, len(m.Assets))
	for i, a := range m.Assets {
		num[a] = int32(i)
	}
	worth := make([]int32, len(m.Assets))
	for i, a := range m.Assets {
		worth[i] = assetWorth(a)
	}
	r.compV = make([]int32, nc)
	r.flowV = make([]int32, nf)
	done := make([]bool, nf)
	// Each component's union, then that of each flow into it: the
	// component's plus what the flow carries (a second stamp, so that the
	// component's set stays as it is for its next flow).
	reachParts(nc, func() func(lo, hi int) {
		u := newUnion(num, worth)
		carried := make([]int32, len(worth))
		gen := int32(0)
		return func(lo, hi int) {
			for i, c := range m.Components[lo:hi] {
				u.reset()
				u.comp(c)
				r.compV[lo+i] = u.sum
				for _, fl := range c.In {
					k := m.FlowNum(fl)
					ok := k >= 0
					if !ok || fl.To != c {
						continue
					}
					gen++
					v := u.sum
					for _, a := range fl.Carries {
						j, ok := num[a]
						if !ok || u.stamp[j] == u.gen || carried[j] == gen {
							continue
						}
						carried[j] = gen
						v += worth[j]
					}
					r.flowV[k], done[k] = v, true
				}
			}
		}
	})
	for _, v := range r.compV {
		r.most = max(r.most, v)
	}
	r.jewels(worth, num)
	// A flow not in its receiver's inbound list (a receiver outside the
	// model's components, a model not indexed) on its own.
	var u *union
	for k, fl := range m.Flows {
		if done[k] {
			continue
		}
		if u == nil {
			u = newUnion(num, worth)
		}
		u.reset()
		if fl.To != nil {
			u.comp(fl.To)
		}
		u.add(fl.Carries)
		r.flowV[k] = u.sum
	}
	return r
}

// jewels marks the components that hold an asset of the design's highest
// worth (the crown jewels; none where that worth is below high) and the
// flows that carry one or lead to such a component: one pass over each
// list, after the elements are numbered.
func (r *reach) jewels(worth []int32, num map[*model.Asset]int32) {
	top := slices.Max(worth)
	if top < int32(model.High) {
		return
	}
	jewel := func(as []*model.Asset) bool {
		for _, a := range as {
			if i, ok := num[a]; ok && worth[i] == top {
				return true
			}
		}
		return false
	}
	m := r.m
	r.compJ = make([]bool, len(m.Components))
	r.flowJ = make([]bool, len(m.Flows))
	for i, c := range m.Components {
		r.compJ[i] = jewel(c.Assets())
	}
	for k, fl := range m.Flows {
		to := int32(-1)
		if fl.To != nil {
			to = m.CompNum(fl.To)
		}
		r.flowJ[k] = to >= 0 && r.compJ[to] || jewel(fl.Carries)
	}
}

// focus returns what a reviewer reads first that f's first element is
// (Finding.Focus): a component, or a flow, that holds or carries the
// crown jewels (jewels), a device or a flow to or from one (for a threat
// to what it does: not disclosure or repudiation). A threat the team wrote names its
// elements as a set, in no order: any of them counts.
func (r *reach) focus(f *model.Finding) model.Focus {
	ts := f.Targets[:min(1, len(f.Targets))]
	if f.Origin == model.OriginPeople {
		ts = f.Targets
	}
	var fo model.Focus
	for _, t := range ts {
		fo |= r.focusOf(t)
	}
	// A device's physical effect is what it does: a threat to what it
	// does (tampering, spoofing, elevation, denial of service), not the
	// disclosure of what it holds or a missing record of who acted.
	if f.Category == model.InformationDisclosure || f.Category == model.Repudiation {
		fo &^= model.FocusPhysical
	}
	return fo
}

// focusOf returns what a reviewer reads first that one element is (focus).
func (r *reach) focusOf(t model.Target) model.Focus {
	var fo model.Focus
	switch {
	case isFlow(t):
		fl := t.Flow
		if fl.From != nil && fl.From.Kind == model.KindDevice || fl.To != nil && fl.To.Kind == model.KindDevice {
			fo |= model.FocusPhysical
		}
		if r.flowJ != nil {
			if i := r.m.FlowNum(fl); i >= 0 && r.flowJ[i] {
				fo |= model.FocusJewel
			}
		}
	case isComponent(t):
		if t.Component.Kind == model.KindDevice {
			fo |= model.FocusPhysical
		}
		if r.compJ != nil {
			if i := r.m.CompNum(t.Component); i >= 0 && r.compJ[i] {
				fo |= model.FocusJewel
			}
		}
	}
	return fo
}

// union sums the worth of a set of assets, each counted once: a stamp per
// asset number, the set's generation (gen) marking its members.
type union struct {
	num   map[*model.Asset]int32
	worth []int32
	stamp []int32
	gen   int32
	sum   int32
}

func newUnion(num map[*model.Asset]int32, worth []int32) *union {
	return &union{num: num, worth: worth, stamp: make([]int32, len(worth))}
}

// reset starts a new, empty set.
func (u *union) reset() { u.gen, u.sum = u.gen+1, 0 }

// add adds as to the set.
func (u *union) add(as []*model.Asset) {
	for _, a := range as {
		i, ok := u.num[a]
		if !ok || u.stamp[i] == u.gen {
			continue
		}
		u.stamp[i] = u.gen
		u.sum += u.worth[i]
	}
}

// comp adds what c holds, sends and keeps in the stores it sends to.
func (u *union) comp(c *model.Component) {
	u.add(c.Assets())
	for _, fl := range c.Out {
		u.add(fl.Carries)
		if fl.To != nil && fl.To.IsStore() {
			u.add(fl.To.Assets())
		}
	}
}

// reachParts calls the function part returns on consecutive ranges of
// [0, n) covering it: on GOMAXPROCS workers, each with its own part, in
// chunks of reachChunk when n is a few chunks or more, else once.
func reachParts(n int, part func() func(lo, hi int)) {
	workParts(n, reachChunk, min(runtime.GOMAXPROCS(0), n/reachChunk), part)
}

// share returns the data within reach of f's elements (the most of any of
// its targets) as a share of the most a component reaches, in 64ths: a
// flow into that component reaches at least as much and counts as all.
func (r *reach) share(f *model.Finding) uint8 {
	if r.most == 0 {
		return 0
	}
	var v int32
	for _, t := range f.Targets {
		v = max(v, r.at(t))
	}
	return uint8(min(64, int64(v)*64/int64(r.most)))
}

// at returns the data within reach of a component or flow target (0 for
// an element not in the model, or any other target).
func (r *reach) at(t model.Target) int32 {
	switch {
	case r.m == nil:
	case t.Flow != nil:
		if i := r.m.FlowNum(t.Flow); i >= 0 {
			return r.flowV[i]
		}
	case t.Component != nil:
		if i := r.m.CompNum(t.Component); i >= 0 {
			return r.compV[i]
		}
	}
	return 0
}

// rankValue is what the ranking orders threats of one severity band by,
// in 128ths of a point: the residual score, plus up to reachWeight for the
// share of the design's data within the threat's reach (Finding.Reach),
// plus jewelWeight and physicalWeight for what a reviewer reads first
// (Finding.Focus), less sparseFlowWeight for a flow's threat of the high
// or critical band in a sparse model (sparseFlow), less staffReadStep for
// staff reading beyond their need (staffReads).
func rankValue(f *model.Finding) int {
	v := clampKey(int(f.Residual.Score)) * 128
	if !ab.reach {
		v += int(min(f.Reach, 64)) * reachWeight / 64
	}
	if f.Focus&model.FocusJewel != 0 && !ab.jewel {
		v += jewelWeight
	}
	if f.Focus&model.FocusPhysical != 0 && !ab.physical {
		v += physicalWeight
	}
	if f.Focus&model.FocusSparseFlow != 0 && f.Residual.Severity >= model.SevHigh && !ab.sparseflow {
		v -= sparseFlowWeight
	}
	if staffReads(f) {
		v = max(0, v-staffReadStep)
	}
	return v
}
