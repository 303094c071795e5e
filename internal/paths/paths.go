// Package paths finds attack paths through a model's flow graph: from the
// entry points an outside attacker starts at to the components that hold the
// assets that matter, ranked by how weakly each hop is protected. It also
// computes the blast radius of a compromised component. It reads the model
// only and does no I/O; docs/paths.md documents the scoring and the bounds.
package paths

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// Defaults and hard bounds.
const (
	// DefaultK is how many paths are listed per (entry, asset) pair.
	DefaultK = 3
	// DefaultMaxPaths bounds the paths listed in all.
	DefaultMaxPaths = 1000
	// DefaultMaxDepth bounds the hops of a path.
	DefaultMaxDepth = 12
	// searchBudget bounds the partial paths explored per pair, so a dense
	// graph with many near-equal alternatives cannot run away.
	searchBudget = 20000
	// Slack bounds how much stronger than a pair's weakest path the other
	// listed paths of the pair may be: one best-protected hop.
	Slack = MaxHopScore
)

// Options tune Find. The zero value finds the DefaultK weakest paths from
// every entry point to every critical asset, at most DefaultMaxPaths in all.
type Options struct {
	// Assets restricts the targets to these assets (critical or not).
	Assets []*model.Asset
	// From restricts the starts to these components (entry points or not).
	From []*model.Component
	// K is the number of paths per (entry, asset) pair.
	K int
	// MaxPaths bounds the paths listed in all.
	MaxPaths int
	// MaxDepth bounds the hops of a path.
	MaxDepth int
	// Critical says which assets are targets when Assets is empty; nil
	// means Critical.
	Critical func(*model.Asset) bool
	// Findings are the analysis's findings; open ones on a hop's flow or
	// receiving component make the hop weaker.
	Findings []*model.Finding
}

// Weakness codes: why a hop is weak. They are stable (they appear in JSON).
const (
	WeakUnauthenticated  = "unauthenticated"        // flow authentication: none
	WeakAuthUnknown      = "authentication_unknown" // flow authentication not stated
	WeakPlaintext        = "plaintext"              // flow encryption: none
	WeakEncUnknown       = "encryption_unknown"     // flow encryption not stated
	WeakNoAuthn          = "receiver_no_authn"      // receiver authenticates: no
	WeakAuthnUnknown     = "receiver_authn_unknown"
	WeakNoAuthz          = "receiver_no_authz" // receiver authorizes: no
	WeakAuthzUnknown     = "receiver_authz_unknown"
	WeakNoValidation     = "receiver_no_validation" // receiver validates_input: no
	WeakValidationUnkown = "receiver_validation_unknown"
	WeakOpenFindings     = "open_findings"
)

// Protection points per hop; a path's score is the sum over its hops.
const (
	ptBase       = 1 // every hop costs something: fewer hops is weaker
	ptFlowAuth   = 4 // flow authentication stated (2 when unknown)
	ptFlowEnc    = 2 // flow encrypted (1 when unknown)
	ptRecvAuthn  = 4 // receiver authenticates (2 when unknown)
	ptRecvAuthz  = 2 // receiver authorizes (1 when unknown)
	ptRecvValid  = 2 // receiver validates input (1 when unknown)
	ptFindingMax = 4 // open medium+ findings subtract one point each, up to this
	// MaxHopScore is the score of the best-protected hop.
	MaxHopScore = ptBase + ptFlowAuth + ptFlowEnc + ptRecvAuthn + ptRecvAuthz + ptRecvValid
)

// Hop is one step of a path: the attacker at From sends on Flow to To.
type Hop struct {
	From, To *model.Component
	Flow     *model.Flow
	// Score is the hop's protection points (1..MaxHopScore); lower is weaker.
	Score int
	// Weaknesses lists the weakness codes of the hop, in a fixed order.
	Weaknesses []string
	// Findings lists the open findings (medium or worse) on the flow or the
	// receiving component, by id.
	Findings []string
}

// Path is an attack path from an entry point to a component that holds an
// asset.
type Path struct {
	Entry *model.Component
	Asset *model.Asset
	// Target is the last component: it stores or processes Asset.
	Target *model.Component
	Hops   []Hop
	// Score is the sum of the hops' protection points; lower is weaker.
	Score int
}

// Result is what Find returns.
type Result struct {
	Entries []*model.Component
	Assets  []*model.Asset
	// Paths are sorted weakest first (score, then hops, then entry, asset
	// and flow ids).
	Paths []Path
	// Truncated is true when MaxPaths cut the list short.
	Truncated bool
}

// Critical reports whether an asset is one attack paths lead to by default:
// a high or critical need for any of confidentiality, integrity or
// availability, a confidential or restricted classification, or sensitive
// data kinds.
func Critical(a *model.Asset) bool {
	return a.Classification >= model.ClassConfidential || len(a.Data) > 0 ||
		a.Need(model.Confidentiality) >= model.High || a.Need(model.Integrity) >= model.High || a.Need(model.Availability) >= model.High
}

// EntryPoints returns the components an outside attacker starts at: those in
// an internet or partner boundary that are actors (person, client, device,
// external system), receive flows from an actor, or are processes on the
// internet. Internet entries come first, then partner ones, each in model
// order.
func EntryPoints(m *model.Model) []*model.Component {
	var out []*model.Component
	for _, t := range []model.Trust{model.TrustInternet, model.TrustPartner} {
		for _, c := range m.Components {
			if c.Trust() == t && isEntry(c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func isEntry(c *model.Component) bool {
	if c.IsActor() || (c.IsProcess() && c.Trust() == model.TrustInternet) {
		return true
	}
	for _, f := range c.In {
		if f.From.IsActor() {
			return true
		}
	}
	return false
}

// graph is the flow graph in compact form: components are indices, each
// component's outgoing and incoming edges are ranges of flat slices.
type graph struct {
	m        *model.Model
	outStart []int32 // len n+1
	outEdge  []int32 // flow indices
	inStart  []int32
	inEdge   []int32
	from, to []int32 // per flow
	cost     []int32 // per flow
	entry    []bool
	open     *openIndex
}

func newGraph(m *model.Model, entries []*model.Component, findings []*model.Finding) *graph {
	n := len(m.Components)
	m.Number() // components are indices by their number in the model (idx)
	g := &graph{m: m, outStart: make([]int32, n+1), inStart: make([]int32, n+1),
		from: make([]int32, len(m.Flows)), to: make([]int32, len(m.Flows)), cost: make([]int32, len(m.Flows)), entry: make([]bool, n)}
	for _, e := range entries {
		g.entry[g.idx(e)] = true
	}
	open := openFindings(m, findings)
	g.open = open
	for i, f := range m.Flows {
		g.from[i], g.to[i] = g.idx(f.From), g.idx(f.To)
		g.outStart[g.from[i]+1]++
		g.inStart[g.to[i]+1]++
		g.cost[i] = int32(hopScore(f, nil, open))
	}
	for i := range n {
		g.outStart[i+1] += g.outStart[i]
		g.inStart[i+1] += g.inStart[i]
	}
	g.outEdge, g.inEdge = make([]int32, len(m.Flows)), make([]int32, len(m.Flows))
	po, pi := slices.Clone(g.outStart[:n]), slices.Clone(g.inStart[:n])
	for i := range m.Flows {
		g.outEdge[po[g.from[i]]] = int32(i)
		po[g.from[i]]++
		g.inEdge[pi[g.to[i]]] = int32(i)
		pi[g.to[i]]++
	}
	return g
}

// idx returns c's index in the graph: its number in the model (0 for a
// component not in the model, as the map by pointer this replaced).
func (g *graph) idx(c *model.Component) int32 {
	return max(g.m.CompNum(c), 0)
}

// openIndex lists, per flow and per component, the ids of their open
// findings of medium severity or worse. It is indexed by the element's
// number in the model (ids are unique across a model), not keyed by its
// id or pointer (≈ 350,000 findings at N=100,000): elements not in the
// model's lists, if any, are keyed by pointer.
type openIndex struct {
	m      *model.Model
	byFlow [][]string // by flow number
	byComp [][]string // by component number
	flows  map[*model.Flow][]string
	comps  map[*model.Component][]string
}

func openFindings(m *model.Model, fs []*model.Finding) *openIndex {
	out := &openIndex{m: m, byFlow: make([][]string, len(m.Flows)), byComp: make([][]string, len(m.Components)),
		flows: map[*model.Flow][]string{}, comps: map[*model.Component][]string{}}
	for _, f := range fs {
		if !f.Open() || f.Residual.Severity < model.SevMedium {
			continue
		}
		for _, t := range f.Targets {
			switch {
			case t.Component != nil && t.Component.ID != "":
				if n := m.CompNum(t.Component); n >= 0 {
					if l := out.byComp[n]; !slices.Contains(l, f.ID) {
						out.byComp[n] = append(l, f.ID)
					}
				} else if l := out.comps[t.Component]; !slices.Contains(l, f.ID) { // one lookup for the test and the append
					out.comps[t.Component] = append(l, f.ID)
				}
			case t.Flow != nil && t.Flow.ID != "":
				if n := m.FlowNum(t.Flow); n >= 0 {
					if l := out.byFlow[n]; !slices.Contains(l, f.ID) {
						out.byFlow[n] = append(l, f.ID)
					}
				} else if l := out.flows[t.Flow]; !slices.Contains(l, f.ID) {
					out.flows[t.Flow] = append(l, f.ID)
				}
			}
		}
	}
	return out
}

// onFlow returns the ids of f's open findings (medium or worse).
func (o *openIndex) onFlow(f *model.Flow) []string {
	if n := o.m.FlowNum(f); n >= 0 {
		return o.byFlow[n]
	}
	return o.flows[f]
}

// onComp returns the ids of c's open findings (medium or worse).
func (o *openIndex) onComp(c *model.Component) []string {
	if n := o.m.CompNum(c); n >= 0 {
		return o.byComp[n]
	}
	return o.comps[c]
}

// hopScore scores the hop over f, appending its weaknesses to *weak when weak
// is not nil.
func hopScore(f *model.Flow, h *Hop, open *openIndex) int {
	s := ptBase
	add := func(t model.Tri, pts int, no, unknown string) {
		switch t {
		case model.Yes:
			s += pts
		case model.Unknown:
			s += pts / 2
			if h != nil {
				h.Weaknesses = append(h.Weaknesses, unknown)
			}
		default:
			if h != nil {
				h.Weaknesses = append(h.Weaknesses, no)
			}
		}
	}
	add(f.Authenticated(), ptFlowAuth, WeakUnauthenticated, WeakAuthUnknown)
	add(f.Encrypted(), ptFlowEnc, WeakPlaintext, WeakEncUnknown)
	to := f.To
	add(to.Controls.Get(model.CtlAuthenticates), ptRecvAuthn, WeakNoAuthn, WeakAuthnUnknown)
	add(to.Controls.Get(model.CtlAuthorizes), ptRecvAuthz, WeakNoAuthz, WeakAuthzUnknown)
	add(to.Controls.Get(model.CtlValidatesInput), ptRecvValid, WeakNoValidation, WeakValidationUnkown)
	onFlow, onTo := open.onFlow(f), open.onComp(to)
	nf := len(onFlow) + len(onTo)
	if nf > 0 {
		s -= min(nf, ptFindingMax)
		if h != nil {
			h.Weaknesses = append(h.Weaknesses, WeakOpenFindings)
			for _, id := range append(slices.Clip(onFlow), onTo...) {
				if !slices.Contains(h.Findings, id) {
					h.Findings = append(h.Findings, id)
				}
			}
		}
	}
	return max(s, ptBase)
}

const inf = int32(1 << 30)

// distances runs Dijkstra backwards from the targets (Dial's bucket queue:
// hop costs are small integers) and returns each component's least score to
// reach a target. Entry points are terminal: a path never passes through
// another entry point, it is reported from the last one it leaves. The
// search stops once distances exceed limit: farther components keep a
// tentative distance above limit (or inf).
func (g *graph) distances(dist []int32, targets []int32, buckets [][]int32, limit int32) {
	for i := range dist {
		dist[i] = inf
	}
	nb := int32(len(buckets))
	for i := range buckets {
		buckets[i] = buckets[i][:0]
	}
	pending := 0
	for _, t := range targets {
		if dist[t] != 0 {
			dist[t] = 0
			buckets[0] = append(buckets[0], t)
			pending++
		}
	}
	for cur := int32(0); pending > 0 && cur <= limit; cur++ {
		b := cur % nb
		for len(buckets[b]) > 0 {
			v := buckets[b][len(buckets[b])-1]
			buckets[b] = buckets[b][:len(buckets[b])-1]
			pending--
			if dist[v] != cur || g.entry[v] {
				continue
			}
			for _, e := range g.inEdge[g.inStart[v]:g.inStart[v+1]] {
				u := g.from[e]
				if nd := cur + g.cost[e]; nd < dist[u] {
					dist[u] = nd
					buckets[nd%nb] = append(buckets[nd%nb], u)
					pending++
				}
			}
		}
	}
}

// pair is an (entry, asset) pair with its least score.
type pair struct {
	d     int32
	entry int32 // index into the entry list
	asset int32 // index into the asset list
}

func (p pair) less(q pair) bool {
	if p.d != q.d {
		return p.d < q.d
	}
	if p.asset != q.asset {
		return p.asset < q.asset
	}
	return p.entry < q.entry
}

// Find lists the weakest attack paths of m. It runs one backward Dijkstra
// per target asset to score every (entry, asset) pair, keeps the MaxPaths
// weakest pairs, and for each, weakest first, runs a best-first search
// guided by the exact distances to list its K weakest simple paths, until
// MaxPaths paths are listed.
func Find(m *model.Model, opt Options) *Result {
	if opt.K <= 0 {
		opt.K = DefaultK
	}
	if opt.MaxPaths <= 0 {
		opt.MaxPaths = DefaultMaxPaths
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultMaxDepth
	}
	if opt.Critical == nil {
		opt.Critical = Critical
	}
	res := &Result{Entries: opt.From, Assets: opt.Assets}
	if len(res.Entries) == 0 {
		res.Entries = EntryPoints(m)
	}
	if len(res.Assets) == 0 {
		for _, a := range m.Assets {
			if opt.Critical(a) {
				res.Assets = append(res.Assets, a)
			}
		}
	}
	if len(res.Entries) == 0 || len(res.Assets) == 0 {
		return res
	}
	g := newGraph(m, res.Entries, opt.Findings)
	open := g.open
	n := len(m.Components)
	dist := make([]int32, n)
	buckets := make([][]int32, MaxHopScore+1)
	entryIdx := make([]int32, len(res.Entries))
	for i, e := range res.Entries {
		entryIdx[i] = g.idx(e)
	}
	targetsOf := func(a *model.Asset) []int32 {
		hs := m.HandledBy(a)
		ts := make([]int32, 0, len(hs))
		for _, c := range hs {
			ts = append(ts, g.idx(c))
		}
		return ts
	}
	// Phase 1: score every pair, keep the MaxPaths weakest (a max-heap).
	var best []pair
	for ai, a := range res.Assets {
		ts := targetsOf(a)
		if len(ts) == 0 {
			continue
		}
		// Once MaxPaths pairs are kept, only pairs weaker than the worst
		// kept one matter: the search stops there.
		limit := inf
		if len(best) == opt.MaxPaths {
			limit = best[0].d
		}
		g.distances(dist, ts, buckets, limit)
		for ei, e := range entryIdx {
			d := dist[e]
			if d >= inf || d == 0 { // unreachable, or the asset is at the entry itself
				continue
			}
			p := pair{d: d, entry: int32(ei), asset: int32(ai)}
			if len(best) < opt.MaxPaths {
				best = append(best, p)
				heapUp(best, len(best)-1)
			} else if p.less(best[0]) {
				best[0] = p
				heapDown(best, 0)
			}
		}
	}
	slices.SortFunc(best, func(p, q pair) int {
		if p.less(q) {
			return -1
		}
		return 1
	})
	// Phase 2: list each pair's K weakest paths, recomputing distances per
	// asset (pairs are grouped by asset so each asset is searched once).
	byAsset := map[int32][]int{}
	far := map[int32]int32{} // the asset's farthest selected pair
	var order []int32
	for i, p := range best {
		if _, ok := byAsset[p.asset]; !ok {
			order = append(order, p.asset)
		}
		byAsset[p.asset] = append(byAsset[p.asset], i)
		far[p.asset] = max(far[p.asset], p.d)
	}
	found := make([][]Path, len(best))
	isTarget := make([]bool, n)
	s := &search{g: g, maxDepth: opt.MaxDepth, isTarget: isTarget, dist: dist}
	for _, ai := range order {
		ts := targetsOf(res.Assets[ai])
		// Alternatives more than Slack points weaker than the pair's weakest
		// path are not listed; bounding the search there keeps it local.
		s.limit = far[ai] + Slack
		g.distances(dist, ts, buckets, s.limit)
		for _, t := range ts {
			isTarget[t] = true
		}
		for _, pi := range byAsset[ai] {
			p := best[pi]
			for _, raw := range s.kBest(entryIdx[p.entry], opt.K) {
				found[pi] = append(found[pi], g.path(raw, res.Entries[p.entry], res.Assets[ai], open))
			}
		}
		for _, t := range ts {
			isTarget[t] = false
		}
	}
	for _, ps := range found {
		if len(res.Paths)+len(ps) > opt.MaxPaths {
			ps = ps[:opt.MaxPaths-len(res.Paths)]
			res.Truncated = true
		}
		res.Paths = append(res.Paths, ps...)
		if len(res.Paths) >= opt.MaxPaths {
			break
		}
	}
	slices.SortStableFunc(res.Paths, func(p, q Path) int {
		return cmp.Or(cmp.Compare(p.Score, q.Score), cmp.Compare(len(p.Hops), len(q.Hops)))
	})
	return res
}

// path turns a list of flow indices into a Path.
func (g *graph) path(flows []int32, entry *model.Component, a *model.Asset, open *openIndex) Path {
	p := Path{Entry: entry, Asset: a}
	for _, fi := range flows {
		f := g.m.Flows[fi]
		h := Hop{From: f.From, To: f.To, Flow: f}
		h.Score = hopScore(f, &h, open)
		p.Score += h.Score
		p.Hops = append(p.Hops, h)
	}
	p.Target = p.Hops[len(p.Hops)-1].To
	return p
}

// search is the best-first search for the K weakest simple paths of one
// pair, guided by exact distances to the targets (A* with a perfect
// heuristic: the first complete paths popped are the weakest).
type search struct {
	g        *graph
	maxDepth int
	isTarget []bool
	dist     []int32
	limit    int32 // distances above it are not exact (not settled)
	states   []state
	heap     []int32
}

type state struct {
	node, flow, parent int32
	g                  int32
	depth              int32
}

func (s *search) key(i int32) (int32, int32) {
	st := &s.states[i]
	return st.g + s.dist[st.node], -st.depth
}

func (s *search) lessIdx(a, b int32) bool {
	fa, da := s.key(a)
	fb, db := s.key(b)
	if fa != fb {
		return fa < fb
	}
	if da != db {
		return da < db
	}
	return a < b
}

func (s *search) push(st state) {
	s.states = append(s.states, st)
	s.heap = append(s.heap, int32(len(s.states)-1))
	i := len(s.heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.lessIdx(s.heap[i], s.heap[p]) {
			break
		}
		s.heap[i], s.heap[p] = s.heap[p], s.heap[i]
		i = p
	}
}

func (s *search) pop() int32 {
	top := s.heap[0]
	last := len(s.heap) - 1
	s.heap[0] = s.heap[last]
	s.heap = s.heap[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s.heap) && s.lessIdx(s.heap[l], s.heap[m]) {
			m = l
		}
		if r < len(s.heap) && s.lessIdx(s.heap[r], s.heap[m]) {
			m = r
		}
		if m == i {
			break
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
	return top
}

func (s *search) onPath(i int32, node int32) bool {
	for ; i >= 0; i = s.states[i].parent {
		if s.states[i].node == node {
			return true
		}
	}
	return false
}

// kBest returns up to k weakest simple paths from start, each as its flow
// indices in order.
func (s *search) kBest(start int32, k int) [][]int32 {
	s.states, s.heap = s.states[:0], s.heap[:0]
	if s.dist[start] > s.limit || s.isTarget[start] {
		return nil
	}
	g := s.g
	s.push(state{node: start, flow: -1, parent: -1})
	var out [][]int32
	for pops := 0; len(s.heap) > 0 && len(out) < k && pops < searchBudget; pops++ {
		i := s.pop()
		st := s.states[i]
		if s.isTarget[st.node] && st.depth > 0 {
			flows := make([]int32, st.depth)
			for j := i; s.states[j].parent >= 0; j = s.states[j].parent {
				flows[s.states[j].depth-1] = s.states[j].flow
			}
			out = append(out, flows)
			continue
		}
		if st.depth >= int32(s.maxDepth) {
			continue
		}
		for _, e := range g.outEdge[g.outStart[st.node]:g.outStart[st.node+1]] {
			v := g.to[e]
			// Entry points are never passed through (an entry point holding
			// the asset is reached from outside, not along a path).
			if s.dist[v] > s.limit || g.entry[v] || s.onPath(i, v) {
				continue
			}
			s.push(state{node: v, flow: e, parent: i, g: st.g + g.cost[e], depth: st.depth + 1})
		}
	}
	return out
}

// heapUp and heapDown keep a max-heap of pairs (the worst kept pair on top).
func heapUp(h []pair, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h[p].less(h[i]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func heapDown(h []pair, i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[m].less(h[l]) {
			m = l
		}
		if r < len(h) && h[m].less(h[r]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// String formats a path as "entry → … → target (score n)".
func (p Path) String() string {
	s := p.Entry.ID
	for _, h := range p.Hops {
		s += " → " + h.To.ID
	}
	return fmt.Sprintf("%s (score %d)", s, p.Score)
}
