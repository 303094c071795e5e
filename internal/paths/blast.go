package paths

import "github.com/wardtm/ward/internal/model"

// Reach is a component within the blast radius of a compromised one.
type Reach struct {
	Component *model.Component
	// Hops is the number of flows between the compromised component and
	// this one (1 for a direct neighbour).
	Hops int
	// Via is the flow the attacker uses for the last hop, and From the
	// component it comes from.
	Via  *model.Flow
	From *model.Component
	// Response is true when the last hop is the response of a
	// request/response flow: the compromised side answers its caller.
	Response bool
}

// AssetReach is an asset within the blast radius.
type AssetReach struct {
	Asset *model.Asset
	// Hops is 0 for what the compromised component itself stores,
	// processes, sends or receives, else the hops to the nearest component
	// that holds it or flow that carries it.
	Hops int
	// Where is the id of that component or flow, and How says "stores",
	// "processes" or "carries".
	Where string
	How   string
	// Inferred is true when the component's stores or processes were
	// read from its flows, not stated (model.InferHeld).
	Inferred bool
}

// Radius is the blast radius of a compromised component.
type Radius struct {
	Compromised *model.Component
	Components  []Reach
	Assets      []AssetReach
}

// Blast returns what an attacker who controls c can reach. Controlling a
// component, the attacker can
//
//   - read and alter what it stores and processes, and what travels on every
//     flow it sends or receives (hop 0);
//   - send whatever the component may send: along each outgoing flow, as
//     the component's own authenticated identity, to the receiver (one
//     hop further);
//   - answer its callers: on a request/response flow into the component,
//     the caller takes the response, so it is exposed to forged or
//     malicious responses (one-way flows into it are not).
//
// Each component reached along an outgoing flow is assumed compromisable in
// turn, so the radius is the transitive closure, breadth first, with the
// least number of hops. A caller reached only through a response is listed
// (Response is true) but not expanded further and its assets are not
// counted: tampering with a response is not control of the caller. The
// result lists components and assets by hops, then model order.
func Blast(m *model.Model, c *model.Component) *Radius {
	r := &Radius{Compromised: c}
	hops := map[*model.Component]int{c: 0}
	assetSeen := map[*model.Asset]bool{}
	addAsset := func(a *model.Asset, h int, where, how string, inferred bool) {
		if !assetSeen[a] {
			assetSeen[a] = true
			r.Assets = append(r.Assets, AssetReach{Asset: a, Hops: h, Where: where, How: how, Inferred: inferred})
		}
	}
	holds := func(x *model.Component, h int) {
		for _, a := range x.Stores {
			addAsset(a, h, x.ID, "stores", x.Inferred&model.InferredStores != 0)
		}
		for _, a := range x.Processes {
			addAsset(a, h, x.ID, "processes", x.Inferred&model.InferredProcesses != 0)
		}
	}
	carries := func(x *model.Component, h int) {
		for _, f := range x.Out {
			for _, a := range f.Carries {
				addAsset(a, h, f.ID, "carries", false)
			}
		}
		for _, f := range x.In {
			for _, a := range f.Carries {
				addAsset(a, h, f.ID, "carries", false)
			}
		}
	}
	holds(c, 0)
	carries(c, 0)
	level := []*model.Component{c}
	reached := []*model.Component{c}
	for h := 1; len(level) > 0; h++ {
		var next []*model.Component
		for _, x := range level {
			for _, f := range x.Out {
				if _, ok := hops[f.To]; !ok {
					hops[f.To] = h
					next = append(next, f.To)
					r.Components = append(r.Components, Reach{Component: f.To, Hops: h, Via: f, From: x})
				}
			}
		}
		for _, x := range next {
			holds(x, h)
		}
		for _, x := range next {
			carries(x, h)
		}
		reached = append(reached, next...)
		level = next
	}
	// Callers that only take responses: reached is in hop order, so the
	// first response found for a caller is the nearest.
	var resp []Reach
	seen := map[*model.Component]bool{}
	for _, x := range reached {
		for _, f := range x.In {
			if _, fwd := hops[f.From]; f.OneWay || fwd || seen[f.From] {
				continue
			}
			seen[f.From] = true
			resp = append(resp, Reach{Component: f.From, Hops: hops[x] + 1, Via: f, From: x, Response: true})
		}
	}
	r.Components = mergeByHops(r.Components, resp)
	return r
}

// mergeByHops merges two lists sorted by hops, a's entries first on ties.
func mergeByHops(a, b []Reach) []Reach {
	out := make([]Reach, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		if len(b) == 0 || (len(a) > 0 && a[0].Hops <= b[0].Hops) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}
