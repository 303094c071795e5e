package model

import (
	"sort"
	"unsafe"
)

// Model is a whole threat model with every reference resolved.
type Model struct {
	// Version is the format version the model was written in.
	Version     int
	System      System
	Scope       Scope
	Context     Context
	Policy      Policy
	Assets      []*Asset
	Boundaries  []*Boundary // every boundary, parents before children
	Components  []*Component
	Flows       []*Flow
	Threats     []*Threat
	Mitigations []*Mitigation
	Assumptions []*Assumption
	Decisions   []*Decision
	// Files lists the files the model was read from, the main file first.
	Files []string

	assets      map[string]*Asset
	boundaries  map[string]*Boundary
	components  map[string]*Component
	flows       map[string]*Flow
	mitigations map[string]*Mitigation
	threats     map[string]*Threat
	assumptions map[string]*Assumption
	// Reverse asset references, built by Index.
	storedBy  map[*Asset][]*Component
	handledBy map[*Asset][]*Component
	carriedBy map[*Asset][]*Flow
	// Where the components and flows lie in memory, built by Index
	// (CompNum, FlowNum).
	compAt, flowAt places
}

// Policy holds the team's choices about how threats are ranked and gated.
type Policy struct {
	// Uncertainty is how many likelihood steps an unverified threat ranks
	// below the same threat with the gap stated; 0 = not set (the default).
	// Set it to -1 for none.
	Uncertainty int
	// FailOnUnverified makes --fail-on count unverified threats too.
	FailOnUnverified bool
	// MaxUnverified caps the unverified threats listed per element (the
	// ones with the highest inherent risk stay; the rest remain questions);
	// 0 = not set (the default), -1 = no cap.
	MaxUnverified int
}

// Index (re)builds the id lookups and each component's In and Out flows. The
// spec package calls it once a model is built; code that builds a model by
// hand calls it before use. On a large model the id lookups are built on
// another goroutine beside the graph (they share no memory).
func (m *Model) Index() {
	if len(m.Components)+len(m.Flows) < indexAside {
		m.indexIDs()
		m.indexGraph()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.indexIDs()
	}()
	m.indexGraph()
	<-done
}

// indexAside is the number of components and flows from which Index
// builds the id lookups on another goroutine.
const indexAside = 8192

// indexIDs builds the lookups by id. It reads only the elements' ids.
func (m *Model) indexIDs() {
	m.assets = make(map[string]*Asset, len(m.Assets))
	for _, a := range m.Assets {
		m.assets[a.ID] = a
	}
	m.boundaries = make(map[string]*Boundary, len(m.Boundaries))
	for _, b := range m.Boundaries {
		m.boundaries[b.ID] = b
	}
	m.components = make(map[string]*Component, len(m.Components))
	for _, c := range m.Components {
		m.components[c.ID] = c
	}
	m.flows = make(map[string]*Flow, len(m.Flows))
	for _, f := range m.Flows {
		m.flows[f.ID] = f
	}
	m.mitigations = make(map[string]*Mitigation, len(m.Mitigations))
	for _, x := range m.Mitigations {
		m.mitigations[x.ID] = x
	}
	m.threats = make(map[string]*Threat, len(m.Threats))
	for _, x := range m.Threats {
		m.threats[x.ID] = x
	}
	m.assumptions = make(map[string]*Assumption, len(m.Assumptions))
	for _, x := range m.Assumptions {
		m.assumptions[x.ID] = x
	}
}

// indexGraph builds each component's flows and cached readings and the
// lookups by asset. It does not read ids.
func (m *Model) indexGraph() {
	for i, c := range m.Components {
		c.num = int32(i)
		c.In, c.Out = c.In[:0], c.Out[:0]
		c.index()
	}
	for i, a := range m.Assets {
		a.num = int32(i)
	}
	m.storedBy = make(map[*Asset][]*Component, len(m.Assets))
	m.handledBy = make(map[*Asset][]*Component, len(m.Assets))
	for _, c := range m.Components {
		for _, a := range c.Stores {
			if l := m.storedBy[a]; len(l) == 0 || l[len(l)-1] != c {
				m.storedBy[a] = append(l, c)
			}
		}
		for _, l := range [][]*Asset{c.Stores, c.Processes} {
			for _, a := range l {
				if h := m.handledBy[a]; len(h) == 0 || h[len(h)-1] != c {
					m.handledBy[a] = append(h, c)
				}
			}
		}
	}
	m.carriedBy = make(map[*Asset][]*Flow, len(m.Assets))
	for i, f := range m.Flows {
		f.num = int32(i)
		for _, a := range f.Carries {
			if l := m.carriedBy[a]; len(l) == 0 || l[len(l)-1] != f {
				m.carriedBy[a] = append(l, f)
			}
		}
		if f.From != nil {
			f.From.Out = append(f.From.Out, f)
		}
		if f.To != nil {
			f.To.In = append(f.To.In, f)
		}
	}
	m.compAt, m.flowAt = placesOf(m.Components), placesOf(m.Flows)
}

// CompNum returns c's index in m.Components, or -1 if c is not one of
// them (nil, another model's, or added since the last Index). Code that
// keeps something per component indexes a slice by it instead of keying a
// map by the pointer: on a large model such maps have 10⁵–10⁶ entries and
// each look-up is a cache miss or two. A component made in a slab, as the
// loader makes them, is numbered by its address without being read
// (places); its own number otherwise. The two agree while the lists are as
// Index or Number left them; after a change that neither has seen, the
// place can still give a component's true index where its number gives -1.
func (m *Model) CompNum(c *Component) int32 {
	if n := m.compAt.at(uintptr(unsafe.Pointer(c)), unsafe.Sizeof(Component{})); n >= 0 && int(n) < len(m.Components) && m.Components[n] == c {
		return n
	}
	if c != nil && int(c.num) < len(m.Components) && m.Components[c.num] == c {
		return c.num
	}
	return -1
}

// Number makes sure CompNum, FlowNum and AssetNum know every component, flow and asset,
// numbering them again if the lists changed since Index. It writes only
// when they did: analyses that share an indexed model may call it at once.
func (m *Model) Number() {
	for i, c := range m.Components {
		if c.num != int32(i) {
			c.num = int32(i)
		}
	}
	for i, f := range m.Flows {
		if f.num != int32(i) {
			f.num = int32(i)
		}
	}
	for i, a := range m.Assets {
		if a.num != int32(i) {
			a.num = int32(i)
		}
	}
}

// AssetNum returns a's index in m.Assets, or -1 as CompNum.
func (m *Model) AssetNum(a *Asset) int32 {
	if a != nil && int(a.num) < len(m.Assets) && m.Assets[a.num] == a {
		return a.num
	}
	return -1
}

// FlowNum returns f's index in m.Flows, or -1 as CompNum.
func (m *Model) FlowNum(f *Flow) int32 {
	if n := m.flowAt.at(uintptr(unsafe.Pointer(f)), unsafe.Sizeof(Flow{})); n >= 0 && int(n) < len(m.Flows) && m.Flows[n] == f {
		return n
	}
	if f != nil && int(f.num) < len(m.Flows) && m.Flows[f.num] == f {
		return f.num
	}
	return -1
}

// Asset returns the asset with the id, or nil.
func (m *Model) Asset(id string) *Asset { return m.assets[id] }

// Boundary returns the boundary with the id, or nil.
func (m *Model) Boundary(id string) *Boundary { return m.boundaries[id] }

// Component returns the component with the id, or nil.
func (m *Model) Component(id string) *Component { return m.components[id] }

// Flow returns the flow with the id, or nil.
func (m *Model) Flow(id string) *Flow { return m.flows[id] }

// Mitigation returns the mitigation with the id, or nil.
func (m *Model) Mitigation(id string) *Mitigation { return m.mitigations[id] }

// Threat returns the threat with the id, or nil.
func (m *Model) Threat(id string) *Threat { return m.threats[id] }

// Assumption returns the assumption with the id, or nil.
func (m *Model) Assumption(id string) *Assumption { return m.assumptions[id] }

// StoredBy returns the components that store a, in model order. Like the
// other lookups it reflects the model as of the last Index.
func (m *Model) StoredBy(a *Asset) []*Component { return m.storedBy[a] }

// HandledBy returns the components that store or process a, in model order.
func (m *Model) HandledBy(a *Asset) []*Component { return m.handledBy[a] }

// CarriedBy returns the flows that carry a, in model order.
func (m *Model) CarriedBy(a *Asset) []*Flow { return m.carriedBy[a] }

// Element returns the component, flow, boundary or asset with the id.
func (m *Model) Element(id string) (Target, bool) {
	if c := m.components[id]; c != nil {
		return Target{Component: c}, true
	}
	if f := m.flows[id]; f != nil {
		return Target{Flow: f}, true
	}
	if b := m.boundaries[id]; b != nil {
		return Target{Boundary: b}, true
	}
	if a := m.assets[id]; a != nil {
		return Target{Asset: a}, true
	}
	return Target{}, false
}

// TopBoundaries returns the boundaries that have no parent.
func (m *Model) TopBoundaries() []*Boundary {
	var out []*Boundary
	for _, b := range m.Boundaries {
		if b.Parent == nil {
			out = append(out, b)
		}
	}
	return out
}

// Unbounded returns the components that belong to no boundary.
func (m *Model) Unbounded() []*Component {
	var out []*Component
	for _, c := range m.Components {
		if c.Boundary == nil {
			out = append(out, c)
		}
	}
	return out
}

// IDs returns the sorted keys of an id map, for "did you mean" messages.
func IDs[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
