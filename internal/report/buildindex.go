package report

import "github.com/wardtm/ward/internal/model"

// The look-up structures of Build's main loop. It runs once per finding
// (≈ 100,000 at 10,000 components) on the command's critical path, so its
// look-ups avoid hashing strings and multi-word keys where a pointer or a
// small array does.

// elemIndex numbers the elements the findings are about. Components and
// flows (all but a few) are found by their index in the model (CompNum,
// FlowNum) in a slice, not hashed: at 100,000 components the maps by
// pointer had 600,000 entries, each look-up a cache miss or two. The rest,
// and any element not in the model's lists, are keyed by pointer (a
// model.Target has one non-nil pointer, or none for the system).
type elemIndex struct {
	m      *model.Model
	comp   []int32 // by component number: 1 + element number, 0 for none yet
	flow   []int32 // by flow number, likewise
	comps  map[*model.Component]int32
	flows  map[*model.Flow]int32
	bounds map[*model.Boundary]int32
	assets map[*model.Asset]int32
	system int32 // 1 + index of the system target, once seen
	els    []elemInfo
}

func newElemIndex(m *model.Model) *elemIndex {
	return &elemIndex{m: m, comp: make([]int32, len(m.Components)), flow: make([]int32, len(m.Flows)),
		comps: map[*model.Component]int32{}, flows: map[*model.Flow]int32{}, bounds: map[*model.Boundary]int32{}, assets: map[*model.Asset]int32{},
		els: make([]elemInfo, 0, len(m.Components)+len(m.Flows)+len(m.Boundaries)+len(m.Assets)+1)}
}

// of returns t's number, numbering it if it is new.
func (x *elemIndex) of(t model.Target) int32 {
	switch {
	case t.Component != nil:
		if n := x.m.CompNum(t.Component); n >= 0 {
			return numberAt(x, &x.comp[n], t)
		}
		return number(x, x.comps, t.Component, t)
	case t.Flow != nil:
		if n := x.m.FlowNum(t.Flow); n >= 0 {
			return numberAt(x, &x.flow[n], t)
		}
		return number(x, x.flows, t.Flow, t)
	case t.Boundary != nil:
		return number(x, x.bounds, t.Boundary, t)
	case t.Asset != nil:
		return number(x, x.assets, t.Asset, t)
	}
	if x.system == 0 {
		x.els = append(x.els, elemInfo{t: t})
		x.system = int32(len(x.els))
	}
	return x.system - 1
}

// numberAt returns the element number kept (plus one) in *slot, numbering
// t if it is new.
func numberAt(x *elemIndex, slot *int32, t model.Target) int32 {
	if *slot == 0 {
		x.els = append(x.els, elemInfo{t: t, pos: t.Pos()})
		*slot = int32(len(x.els))
	}
	return *slot - 1
}

func number[K comparable](x *elemIndex, m map[K]int32, k K, t model.Target) int32 {
	e, ok := m[k]
	if !ok {
		e = int32(len(x.els))
		m[k] = e
		x.els = append(x.els, elemInfo{t: t, pos: t.Pos()})
	}
	return e
}

// elemInfo is what Build keeps per element the findings are about.
type elemInfo struct {
	t      model.Target
	pos    model.Pos      // t.Pos(), kept here: reading the element is a cache miss
	loc    *Location      // its location, once asked for
	slab   int32          // 1 + index of its one-target list in the targets' slab, once made
	tg     int32          // 1 + index in the targets' slab of some Target made for it
	worst  model.Severity // worst severity of its open findings
	lone   bool           // some finding has this element as its one target
	locSet bool
}

// location returns the location of the element's position, from locs once.
func (e *elemInfo) location(locs *locPool) *Location {
	if !e.locSet {
		e.loc, e.locSet = locs.at(e.pos), true
	}
	return e.loc
}

// riskPool makes one Risk per distinct engine risk, shared by the findings
// that have it (a model has a few dozen distinct risks). A risk is found
// in a short list chosen by its three bands, not by hashing it.
type riskPool struct {
	slots [512][]riskEntry
}

type riskEntry struct {
	r model.Risk
	x *Risk
}

func (p *riskPool) of(r model.Risk) *Risk {
	s := &p.slots[int(r.Likelihood&7)<<6|int(r.Impact&7)<<3|int(r.Severity&7)]
	for _, e := range *s {
		if e.r == r {
			return e.x
		}
	}
	x := &Risk{Likelihood: int(r.Likelihood), LikelihoodLabel: r.Likelihood.String(), Impact: int(r.Impact), ImpactLabel: r.Impact.String(),
		Score: int(r.Score), Severity: r.Severity.String()}
	*s = append(*s, riskEntry{r, x})
	return x
}

// catIndex numbers categories (the six STRIDE ones, mostly): the first
// few are found by comparing the names, which are mostly the same strings,
// and any further ones in a map.
type catIndex struct {
	names []model.Category // by number
	more  map[model.Category]int
}

const catScan = 16

func (c *catIndex) of(cat model.Category) int {
	for i, k := range c.names[:min(len(c.names), catScan)] {
		if k == cat {
			return i
		}
	}
	if len(c.names) >= catScan {
		if i, ok := c.more[cat]; ok {
			return i
		}
		if c.more == nil {
			c.more = map[model.Category]int{}
		}
		c.more[cat] = len(c.names)
	}
	c.names = append(c.names, cat)
	return len(c.names) - 1
}

// slotCopy is a copy of the target in slot from of Build's slab of
// targets into slot to.
type slotCopy struct{ to, from int32 }

// copiesApart is how many copies copyTargets makes before it shares them
// out with another goroutine.
const copiesApart = 16384

// copyTargets makes the copies of Build's targets, in two halves at once
// when there are many. Every copy reads an element's first target, which
// Build's loop wrote itself, and writes another slot: the halves never
// write what the other reads.
func copyTargets(slab []Target, copies []slotCopy) {
	run := func(cs []slotCopy) {
		for _, c := range cs {
			slab[c.to] = slab[c.from]
		}
	}
	if len(copies) < copiesApart {
		run(copies)
		return
	}
	half := len(copies) / 2
	done := make(chan struct{})
	go func() {
		run(copies[half:])
		close(done)
	}()
	run(copies[:half])
	<-done
}
