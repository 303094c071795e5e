// Package perturb rewrites a ward.yaml the way a sparser modeller might have
// written it: without asset needs, data tags, trust levels, specific
// component kinds, descriptions, the context block, stated controls and so
// on. It measures how Ward's engine degrades when a design is modelled in a
// different style from the evaluation sets' (cmd/ward-perturb). It works on
// the YAML node tree, so comments, order and every key it does not touch
// are kept, and a perturbed model still loads.
package perturb

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// A Perturbation is one named rewrite of a model's document node.
type Perturbation struct {
	Name string
	Doc  string
	// apply rewrites the top-level mapping in place.
	apply func(top *yaml.Node)
}

// Minimal is the name of the perturbation that applies all the others.
const Minimal = "minimal"

// WordsOnly is the name of the preset that applies every perturbation but
// generic-kinds and no-descriptions (wordsOnlyKeeps): a model as a sparse
// writer might still write it, with its ids, names, descriptions, component
// kinds and flows (from, to and the assets they carry), and the assets' ids,
// names and descriptions, but no needs, data tags, boundaries, context,
// controls, flow security, flags, tech, stores or processes. It is not part
// of minimal, which drops the kinds and descriptions too.
const WordsOnly = "words-only"

// wordsOnlyKeeps are the perturbations WordsOnly leaves out.
var wordsOnlyKeeps = []string{"generic-kinds", "no-descriptions"}

// WordsOnlyDoc is WordsOnly's line in the list of perturbations.
const WordsOnlyDoc = "all of the above but generic-kinds and no-descriptions: ids, names, descriptions, component kinds and flows' carried assets stay"

// All lists the perturbations, in the order they are applied.
var All = []Perturbation{
	{"no-needs", "assets lose confidentiality, integrity, availability, classification and value", func(top *yaml.Node) {
		eachItem(top, "assets", func(a *yaml.Node) { drop(a, "confidentiality", "integrity", "availability", "classification", "value") })
	}},
	{"no-data-tags", "assets lose data categories, kind, hashed and must_not_store", func(top *yaml.Node) {
		eachItem(top, "assets", func(a *yaml.Node) { drop(a, "data", "kind", "hashed", "must_not_store") })
	}},
	{"no-trust", "every boundary's trust level becomes internal (nesting kept)", func(top *yaml.Node) {
		eachBoundary(get(top, "boundaries"), func(b *yaml.Node) { set(b, "trust", "internal") })
	}},
	{"two-trust", "only two trust levels: restricted becomes internal and partner internet", func(top *yaml.Node) {
		eachBoundary(get(top, "boundaries"), func(b *yaml.Node) {
			switch n := get(b, "trust"); {
			case n == nil:
			case n.Value == "restricted":
				set(b, "trust", "internal")
			case n.Value == "partner":
				set(b, "trust", "internet")
			}
		})
	}},
	{"no-boundaries", "the boundaries section and every component's boundary are dropped", func(top *yaml.Node) {
		drop(top, "boundaries")
		eachItem(top, "components", func(c *yaml.Node) { drop(c, "boundary") })
	}},
	{"generic-kinds", "every component kind becomes service (ids, names and descriptions kept)", func(top *yaml.Node) {
		eachItem(top, "components", func(c *yaml.Node) { set(c, "kind", "service") })
	}},
	{"no-descriptions", "system, assets, boundaries, components and flows lose their descriptions", func(top *yaml.Node) {
		if s := get(top, "system"); s != nil {
			drop(s, "description")
		}
		for _, sec := range []string{"assets", "components", "flows"} {
			eachItem(top, sec, func(n *yaml.Node) { drop(n, "description") })
		}
		eachBoundary(get(top, "boundaries"), func(b *yaml.Node) { drop(b, "description") })
	}},
	{"no-context", "the context block is dropped", func(top *yaml.Node) { drop(top, "context") }},
	{"no-controls", "components and flows lose their controls and components their encryption_at_rest", func(top *yaml.Node) {
		eachItem(top, "components", func(c *yaml.Node) { drop(c, "controls", "encryption_at_rest") })
		eachItem(top, "flows", func(f *yaml.Node) { drop(f, "controls") })
	}},
	{"no-flow-security", "flows lose authentication and encryption", func(top *yaml.Node) {
		eachItem(top, "flows", func(f *yaml.Node) { drop(f, "authentication", "encryption") })
	}},
	{"no-flags", "components lose admin, public, paid, third_party, new, executes, anonymous, relay, human_access, rate_limit_scope, price_per_call, tags and tools; flows lose one_way, returns, local, forwards_identity and tags", func(top *yaml.Node) {
		eachItem(top, "components", func(c *yaml.Node) {
			drop(c, "admin", "public", "paid", "third_party", "new", "executes", "anonymous", "relay", "human_access", "rate_limit_scope", "price_per_call", "tags", "tools")
		})
		eachItem(top, "flows", func(f *yaml.Node) { drop(f, "one_way", "returns", "local", "forwards_identity", "tags") })
	}},
	{"no-tech", "components lose tech and flows protocol and port", func(top *yaml.Node) {
		eachItem(top, "components", func(c *yaml.Node) { drop(c, "tech") })
		eachItem(top, "flows", func(f *yaml.Node) { drop(f, "protocol", "port") })
	}},
	{"no-held", "components lose stores and processes (what they hold is left to inference)", func(top *yaml.Node) {
		eachItem(top, "components", func(c *yaml.Node) { drop(c, "stores", "processes") })
	}},
}

// Names returns the perturbations' names, then minimal and words-only.
func Names() []string {
	out := make([]string, 0, len(All)+2)
	for _, p := range All {
		out = append(out, p.Name)
	}
	return append(out, Minimal, WordsOnly)
}

// Parse turns a comma-separated list of names into perturbations, in the
// order All lists them; minimal stands for all of them and words-only for
// all of them but wordsOnlyKeeps.
func Parse(list string) ([]Perturbation, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if n != Minimal && n != WordsOnly && !slices.ContainsFunc(All, func(p Perturbation) bool { return p.Name == n }) {
			return nil, fmt.Errorf("unknown perturbation %q (known: %s)", n, strings.Join(Names(), ", "))
		}
		want[n] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("no perturbation named (known: %s)", strings.Join(Names(), ", "))
	}
	var out []Perturbation
	for _, p := range All {
		if want[p.Name] || want[Minimal] || want[WordsOnly] && !slices.Contains(wordsOnlyKeeps, p.Name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Apply rewrites a ward.yaml's bytes under ps and returns the new bytes.
func Apply(data []byte, ps []Perturbation) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a ward model: the document is not a mapping")
	}
	top := doc.Content[0]
	for _, p := range ps {
		p.apply(top)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// drop removes keys from mapping m.
func drop(m *yaml.Node, keys ...string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	out := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !slices.Contains(keys, m.Content[i].Value) {
			out = append(out, m.Content[i], m.Content[i+1])
		}
	}
	m.Content = out
}

// set gives key the plain scalar value v in mapping m, when key is there.
func set(m *yaml.Node, key, v string) {
	if n := get(m, key); n != nil {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: n.Line, Column: n.Column}
	}
}

// eachItem calls f on every mapping in the list top[section].
func eachItem(top *yaml.Node, section string, f func(*yaml.Node)) {
	seq := get(top, section)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, n := range seq.Content {
		if n.Kind == yaml.MappingNode {
			f(n)
		}
	}
}

// eachBoundary calls f on every boundary in the list seq, nested ones too.
func eachBoundary(seq *yaml.Node, f func(*yaml.Node)) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, n := range seq.Content {
		if n.Kind == yaml.MappingNode {
			f(n)
			eachBoundary(get(n, "boundaries"), f)
		}
	}
}
