package diff

import (
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
)

// prop is one field of an element as compared: a scalar or a list.
type prop struct {
	name   string
	value  string
	list   []string
	isList bool
	// inferred: the loader read the value from the element's words
	// because the model left it out (report.InferredMark).
	inferred bool
}

func scalar(name, v string) prop { return prop{name: name, value: v} }
func listProp(name string, v []string) prop {
	return prop{name: name, value: strings.Join(v, ", "), list: v, isList: true}
}
func boolean(name string, b bool) prop { return scalar(name, strconv.FormatBool(b)) }

// guessed marks p as inferred when inferred is true.
func guessed(p prop, inferred bool) prop {
	p.inferred = inferred
	return p
}

// element is one element of the model flattened for comparison.
type element struct {
	kind, id, name string
	props          []prop
	loc            *report.Location
}

// view flattens a side into its elements, boundaries, assets, components and
// flows, in model order.
func view(s Side, r *report.Result) []element {
	var comps map[string]*model.Component
	if s.Model != nil {
		comps = make(map[string]*model.Component, len(s.Model.Components))
		for _, c := range s.Model.Components {
			comps[c.ID] = c
		}
	}
	var out []element
	for _, b := range r.Boundaries {
		out = append(out, element{kind: "boundary", id: b.ID, name: b.Name, props: []prop{
			scalar("name", b.Name), scalar("trust", b.Trust), scalar("parent", b.Parent)}})
	}
	for _, a := range r.Assets {
		// An asset whose data was inferred, or that was taken as
		// confidential, states nothing of how sensitive it is
		// (model.Asset.Unstated): its needs follow from the guess.
		kind, data, class := slices.Contains(a.Inferred, "kind"), slices.Contains(a.Inferred, "data"), slices.Contains(a.Inferred, "classification")
		needs := data || class
		out = append(out, element{kind: "asset", id: a.ID, name: a.Name, props: []prop{
			scalar("name", a.Name), guessed(scalar("kind", a.Kind), kind), guessed(scalar("classification", a.Classification), class),
			guessed(listProp("data", a.Data), data), guessed(scalar("confidentiality", a.Confidentiality), needs),
			guessed(scalar("integrity", a.Integrity), needs), guessed(scalar("availability", a.Availability), needs)}})
	}
	for _, c := range r.Components {
		ps := []prop{scalar("name", c.Name), guessed(scalar("kind", c.Kind), slices.Contains(c.Inferred, "kind")),
			scalar("boundary", c.Boundary), scalar("tech", c.Tech),
			boolean("out_of_scope", c.OutOfScope), guessed(listProp("stores", c.Stores), slices.Contains(c.Inferred, "stores")),
			guessed(listProp("processes", c.Processes), slices.Contains(c.Inferred, "processes"))}
		if mc := comps[c.ID]; mc != nil {
			ps = append(ps, boolean("third_party", mc.ThirdParty), guessed(boolean("admin", mc.Admin), mc.Inferred&model.InferredAdmin != 0),
				guessed(boolean("paid", mc.Paid), mc.Inferred&model.InferredPaid != 0), boolean("public", mc.Public),
				scalar("encryption_at_rest", string(mc.EncryptionAtRest)))
		}
		for _, k := range controlKeys(c.Controls) {
			ps = append(ps, scalar("controls."+k, c.Controls[k]))
		}
		out = append(out, element{kind: "component", id: c.ID, name: c.Name, props: ps, loc: c.Location})
	}
	for _, f := range r.Flows {
		port := ""
		if f.Port != 0 {
			port = strconv.Itoa(f.Port)
		}
		out = append(out, element{kind: "flow", id: f.ID, name: f.From + " → " + f.To, loc: f.Location, props: []prop{
			scalar("from", f.From), scalar("to", f.To), scalar("protocol", f.Protocol), scalar("port", port),
			scalar("authentication", f.Authentication), scalar("encryption", f.Encryption), guessed(listProp("carries", f.Carries), slices.Contains(f.Inferred, "carries")),
			boolean("one_way", f.OneWay), boolean("crosses_boundary", f.Crosses)}})
	}
	return out
}

// controlKeys lists the controls set on an element, sorted. A control set on
// one side only compares with "unknown" on the other.
func controlKeys(set map[string]string) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func elements(old, new Side, o, n *report.Result) []ElementChange {
	before := view(old, o)
	after := view(new, n)
	key := func(e element) string { return e.kind + "\x00" + e.id }
	bi := index(before, key)
	ai := index(after, key)
	var out []ElementChange
	for _, e := range after {
		p, ok := bi[key(e)]
		if !ok {
			c := ElementChange{Kind: e.kind, ID: e.id, Name: e.name, Change: Added, Fields: []Field{}, Location: e.loc}
			for _, f := range compareProps(nil, e.props) {
				if !blank(f.New) && f.Field != "name" {
					c.Fields = append(c.Fields, f)
				}
			}
			out = append(out, c)
			continue
		}
		if fs := compareProps(p.props, e.props); len(fs) > 0 {
			out = append(out, ElementChange{Kind: e.kind, ID: e.id, Name: e.name, Change: Changed, Fields: fs, Location: e.loc})
		}
	}
	for _, e := range before {
		if _, ok := ai[key(e)]; !ok {
			out = append(out, ElementChange{Kind: e.kind, ID: e.id, Name: e.name, Change: Removed, Fields: []Field{}})
		}
	}
	return out
}

func blank(v string) bool {
	switch v {
	case "", "unknown", "false":
		return true
	}
	return false
}

// compareProps lists the fields whose values differ. A field missing on one
// side is blank there ("unknown" for controls).
func compareProps(o, n []prop) []Field {
	get := func(ps []prop, name string) prop {
		for _, p := range ps {
			if p.name == name {
				return p
			}
		}
		if strings.HasPrefix(name, "controls.") {
			return scalar(name, "unknown")
		}
		return prop{name: name}
	}
	var names []string
	for _, ps := range [][]prop{n, o} {
		for _, p := range ps {
			if !slices.Contains(names, p.name) {
				names = append(names, p.name)
			}
		}
	}
	var out []Field
	for _, name := range names {
		a, b := get(o, name), get(n, name)
		if a.value == b.value {
			continue
		}
		if o == nil && strings.HasPrefix(name, "controls.") && b.value == "unknown" {
			continue
		}
		// Values are compared as the analysis used them, guessed or not (a
		// guess the model comes to state is no change); a side whose value
		// was inferred says so, so a rename that changes a guess does not
		// read as an edit the user made.
		f := Field{Field: name, Old: a.value, New: b.value, OldInferred: a.inferred && o != nil, NewInferred: b.inferred}
		if a.isList || b.isList {
			f.Added, f.Removed = minus(b.list, a.list), minus(a.list, b.list)
		}
		out = append(out, f)
	}
	return out
}

// minus returns the items of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// sides indexes a result's components and boundaries for crossings and
// exposures.
type sides struct {
	comps map[string]report.Component
	trust map[string]string
}

func newSides(r *report.Result) sides {
	s := sides{comps: index(r.Components, func(c report.Component) string { return c.ID }), trust: map[string]string{}}
	for _, b := range r.Boundaries {
		s.trust[b.ID] = b.Trust
	}
	return s
}

// trustOf is the trust level a component sits in, as model.Component.Trust
// defines it.
func (s sides) trustOf(id string) string {
	c := s.comps[id]
	if c.Boundary != "" {
		if t := s.trust[c.Boundary]; t != "" {
			return t
		}
	}
	switch model.ComponentKind(c.Kind) {
	case model.KindPerson, model.KindClient, model.KindExternal, model.KindDevice:
		return model.TrustInternet.String()
	}
	return model.TrustInternal.String()
}

func crossings(o, n *report.Result) []Crossing {
	before := index(o.Flows, func(f report.Flow) string { return f.ID })
	s := newSides(n)
	var out []Crossing
	for _, f := range n.Flows {
		p, existed := before[f.ID]
		if !f.Crosses || (existed && p.Crosses) {
			continue
		}
		out = append(out, Crossing{Flow: f.ID, From: f.From, To: f.To, FromBoundary: s.comps[f.From].Boundary, ToBoundary: s.comps[f.To].Boundary,
			FromTrust: s.trustOf(f.From), ToTrust: s.trustOf(f.To), NewFlow: !existed, Carries: orEmpty(f.Carries), Location: f.Location})
	}
	return out
}

// sensitive reports whether an asset is sensitive as model.Asset.Sensitive
// defines it.
func sensitive(a report.Asset) bool {
	return len(a.Data) > 0 || a.Classification == "confidential" || a.Classification == "restricted" ||
		a.Confidentiality == "high" || a.Confidentiality == "critical"
}

func exposures(m *model.Model, o, n *report.Result) []Exposure {
	assets := index(n.Assets, func(a report.Asset) string { return a.ID })
	third := map[string]bool{}
	if m != nil {
		for _, c := range m.Components {
			third[c.ID] = c.ThirdParty
		}
	} else {
		for _, c := range n.Components {
			third[c.ID] = c.Kind == string(model.KindExternal)
		}
	}
	s := newSides(n)
	oldFlows := index(o.Flows, func(f report.Flow) string { return f.ID })
	oldComps := index(o.Components, func(c report.Component) string { return c.ID })
	oldAssets := index(o.Assets, func(a report.Asset) string { return a.ID })
	// was reports whether the asset was already there and already sensitive.
	was := func(id string, in []string) bool {
		a, ok := oldAssets[id]
		return ok && sensitive(a) && slices.Contains(in, id)
	}
	exp := func(id string) (Exposure, bool) {
		a, ok := assets[id]
		if !ok || !sensitive(a) {
			return Exposure{}, false
		}
		return Exposure{Asset: id, Classification: a.Classification, Data: orEmpty(a.Data),
			SensitivityInferred: slices.Contains(a.Inferred, "data") || slices.Contains(a.Inferred, "classification")}, true
	}
	var out []Exposure
	for _, f := range n.Flows {
		for _, id := range f.Carries {
			if was(id, oldFlows[f.ID].Carries) {
				continue
			}
			if e, ok := exp(id); ok {
				e.How, e.Element, e.CrossesBoundary, e.ThirdParty, e.Trust, e.Location = "carried", f.ID, f.Crosses, third[f.To], s.trustOf(f.To), f.Location
				out = append(out, e)
			}
		}
	}
	for _, c := range n.Components {
		for _, how := range []string{"stored", "processed"} {
			now, then, fact := c.Stores, oldComps[c.ID].Stores, "stores"
			if how == "processed" {
				now, then, fact = c.Processes, oldComps[c.ID].Processes, "processes"
			}
			guess := slices.Contains(c.Inferred, fact)
			for _, id := range now {
				if was(id, then) {
					continue
				}
				if e, ok := exp(id); ok {
					e.How, e.Element, e.ThirdParty, e.Trust, e.Location = how, c.ID, third[c.ID], s.trustOf(c.ID), c.Location
					e.Inferred = guess
					out = append(out, e)
				}
			}
		}
	}
	return out
}
