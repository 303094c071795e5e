package triage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// MaxFileBytes is the largest policy or answers file accepted.
const MaxFileBytes = 1 << 20

// PolicyVersion is the policy file format version.
const PolicyVersion = 1

// ParsePolicy reads a policy file. Keys it does not set keep the value of
// DefaultPolicy; an overrides: list replaces the default overrides (write
// `overrides: []` to drop them). Problems come back as spec.Diagnostics,
// every one with file:line:col, what is wrong and what to do.
func ParsePolicy(name string, data []byte) (Policy, error) {
	p := DefaultPolicy()
	p.Name = ""
	r, root := newReader(name, data)
	if root == nil {
		return Policy{}, r.diags
	}
	var wNode, tNode *yaml.Node
	r.mapping(root, "the policy", policyKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "ward_policy":
			if n, ok := r.int(v, key, 0, 1000); ok && n != PolicyVersion {
				r.add(v, fmt.Sprintf("unsupported policy format version %d", n), fmt.Sprintf("write `ward_policy: %d`", PolicyVersion))
			}
		case "name":
			p.Name, _ = r.text(v, key)
		case "description":
			r.text(v, key)
		case "weights":
			wNode = v
			r.weights(v, &p.Weights)
		case "thresholds":
			tNode = v
			r.mapping(v, "thresholds", []string{"self_serve", "security_led"}, func(key string, _, v *yaml.Node) {
				ptr := &p.Thresholds.SelfServe
				if key == "security_led" {
					ptr = &p.Thresholds.SecurityLed
				}
				if n, ok := r.int(v, key, 1, 101); ok {
					*ptr = n
				}
			})
		case "overrides":
			p.Overrides = []Override{}
			r.list(v, key, func(item *yaml.Node) {
				if o, ok := r.override(item); ok {
					p.Overrides = append(p.Overrides, o)
				}
			})
		}
	})
	if p.Name == "" {
		p.Name = name
	}
	if wNode != nil && p.Weights.Criticality.Unknown < p.Weights.Criticality.Low {
		r.add(wNode, fmt.Sprintf("criticality unknown (%d) weighs less than low (%d)", p.Weights.Criticality.Unknown, p.Weights.Criticality.Low),
			"give unknown at least the weight of low: unknown answers must never lower the tier")
	}
	if tNode != nil && p.Thresholds.SelfServe > p.Thresholds.SecurityLed {
		r.add(tNode, fmt.Sprintf("self_serve (%d) is above security_led (%d)", p.Thresholds.SelfServe, p.Thresholds.SecurityLed),
			"lower self_serve or raise security_led")
	}
	if r.diags.HasErrors() {
		return Policy{}, r.diags
	}
	return p, nil
}

var policyKeys = []string{"ward_policy", "name", "description", "weights", "thresholds", "overrides"}

var weightKeys = []string{"paved_path", "internet_facing", "auth_changes", "new_third_party", "new_third_party_max", "extra_sensitive_kind", "sensitive_data", "criticality"}

func (r *reader) weights(n *yaml.Node, w *Weights) {
	r.mapping(n, "weights", weightKeys, func(key string, _, v *yaml.Node) {
		var ptr *int
		switch key {
		case "paved_path":
			ptr = &w.OffPavedPath
		case "internet_facing":
			ptr = &w.InternetFacing
		case "auth_changes":
			ptr = &w.AuthChanges
		case "new_third_party":
			ptr = &w.NewThirdParty
		case "new_third_party_max":
			ptr = &w.NewThirdPartyMax
		case "extra_sensitive_kind":
			ptr = &w.ExtraSensitiveKind
		case "sensitive_data":
			r.mapping(v, "weights.sensitive_data", append(dataKindNames(), "unknown"), func(key string, _, v *yaml.Node) {
				if n, ok := r.int(v, key, 0, 100); ok {
					*w.SensitiveData.ptr(key) = n
				}
			})
			return
		case "criticality":
			r.mapping(v, "weights.criticality", []string{"low", "medium", "high", "critical", "unknown"}, func(key string, _, v *yaml.Node) {
				if n, ok := r.int(v, key, 0, 100); ok {
					*w.Criticality.ptr(key) = n
				}
			})
			return
		}
		if n, ok := r.int(v, key, 0, 100); ok {
			*ptr = n
		}
	})
}

var conditionKeys = []string{"paved_path", "internet_facing", "auth_changes", "sensitive_data", "new_third_parties", "criticality"}

func (r *reader) override(n *yaml.Node) (Override, bool) {
	var o Override
	if m := resolve(n); m != nil && isNull(m) { // "- " with nothing after it
		r.add(m, "an override is empty", "write `- {when: {internet_facing: yes}, tier: security-led}`, or remove the dash")
		return o, false
	}
	before := len(r.diags)
	seen := map[string]bool{}
	r.mapping(n, "override", []string{"when", "tier", "reason"}, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "tier":
			s, ok := r.text(v, key)
			if !ok {
				return
			}
			t, ok := ParseTier(s)
			if !ok || t == TierNone {
				r.add(v, fmt.Sprintf("%q is not a tier an override can force", s), hintFor(s, []string{string(TierSelfServe), string(TierSecurityLed)}))
				return
			}
			o.Tier = t
		case "reason":
			o.Reason, _ = r.text(v, key)
		case "when":
			r.mapping(v, "when", conditionKeys, func(key string, _, v *yaml.Node) {
				switch key {
				case "paved_path", "internet_facing", "auth_changes", "new_third_parties":
					var tris []model.Tri
					for _, s := range r.values(v, key, []string{"yes", "no", "unknown"}) {
						t, _ := model.ParseTri(s)
						tris = append(tris, t)
					}
					switch key {
					case "paved_path":
						o.When.PavedPath = tris
					case "internet_facing":
						o.When.InternetFacing = tris
					case "auth_changes":
						o.When.AuthChanges = tris
					default:
						o.When.NewThirdParties = tris
					}
				case "sensitive_data":
					o.When.SensitiveData = r.values(v, key, append(dataKindNames(), "none", "unknown"))
				case "criticality":
					o.When.Criticality = r.values(v, key, []string{"low", "medium", "high", "critical", "unknown"})
				}
			})
		}
	})
	if n = resolve(n); n.Kind == yaml.MappingNode {
		if !seen["when"] {
			r.add(n, "override is missing \"when\"", "add `when:` with the answers that trigger it, e.g. `when: {sensitive_data: [payment_card]}`")
		} else if o.When.Empty() && len(r.diags) == before {
			r.add(n, "override has an empty \"when\"", "name at least one answer, e.g. `internet_facing: yes`")
		}
		if !seen["tier"] {
			r.add(n, "override is missing \"tier\"", "add `tier: security-led` or `tier: self-serve`")
		}
	}
	return o, len(r.diags) == before
}

// ParseAnswers reads an answers file: the keys of a model's context: section
// (paved_path, internet_facing, sensitive_data, new_third_parties,
// auth_changes, criticality), at the top level or under `context:`. A key
// left out, or set to unknown, is unknown; `sensitive_data: []` or `none`
// means none.
func ParseAnswers(name string, data []byte) (Answers, error) {
	var a Answers
	r, root := newReader(name, data)
	if root == nil {
		return a, r.diags
	}
	if root.Kind == yaml.MappingNode && len(root.Content) == 2 && root.Content[0].Value == "context" {
		root = resolve(root.Content[1])
		if isNull(root) {
			return a, nil
		}
	}
	r.answers(root, "the answers", &a)
	if r.diags.HasErrors() {
		return Answers{}, r.diags
	}
	return a, nil
}

func (r *reader) answers(n *yaml.Node, what string, a *Answers) {
	r.mapping(n, what, conditionKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "paved_path", "internet_facing", "auth_changes":
			s, ok := r.enum(v, key, []string{"yes", "no", "unknown"})
			if !ok {
				return
			}
			t, _ := model.ParseTri(s)
			switch key {
			case "paved_path":
				a.PavedPath = t
			case "internet_facing":
				a.InternetFacing = t
			default:
				a.AuthChanges = t
			}
		case "criticality":
			s, ok := r.enum(v, key, []string{"low", "medium", "high", "critical", "unknown"})
			if ok {
				a.Criticality, _ = model.ParseLevel(strings.TrimSuffix(s, "unknown"))
			}
		case "sensitive_data":
			vals, known := r.listOrWord(v, key, dataKindNames())
			if known {
				a.SensitiveDataKnown = true
				a.SensitiveData = []model.DataKind{}
				for _, s := range vals {
					if !slices.Contains(a.SensitiveData, model.DataKind(s)) {
						a.SensitiveData = append(a.SensitiveData, model.DataKind(s))
					}
				}
			}
		case "new_third_parties":
			vals, known := r.listOrWord(v, key, nil)
			if known {
				a.NewThirdPartiesKnown = true
				a.NewThirdParties = slices.Compact(append([]string{}, vals...))
			}
		}
	})
}

// ContextKeys returns the keys written under the top-level context: section
// of a model file, or nil when it cannot tell. It lets callers tell
// `sensitive_data: []` (none) from a missing key (unknown).
func ContextKeys(data []byte) map[string]bool {
	if len(data) > 64<<20 {
		return nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "context" {
			continue
		}
		c := root.Content[i+1]
		if c.Kind != yaml.MappingNode {
			return nil
		}
		out := map[string]bool{}
		for j := 0; j+1 < len(c.Content); j += 2 {
			out[c.Content[j].Value] = true
		}
		return out
	}
	return nil
}

func dataKindNames() []string {
	out := make([]string, len(model.DataKinds))
	for i, k := range model.DataKinds {
		out[i] = string(k)
	}
	return out
}

// reader walks YAML nodes, collecting diagnostics with positions.
type reader struct {
	file   string
	diags  spec.Diagnostics
	budget int
}

func newReader(name string, data []byte) (*reader, *yaml.Node) {
	r := &reader{file: name, budget: len(data)/2 + 10_000}
	if len(data) > MaxFileBytes {
		r.diags = append(r.diags, spec.Diagnostic{Pos: model.Pos{File: name, Line: 1, Col: 1},
			Msg: fmt.Sprintf("the file is larger than %d KiB", MaxFileBytes>>10), Hint: "policy and answers files are small; check you passed the right file"})
		return r, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		r.diags = append(r.diags, spec.SyntaxDiag(name, err))
		return r, nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		r.diags = append(r.diags, spec.Diagnostic{Pos: model.Pos{File: name, Line: 1, Col: 1}, Msg: "the file is empty", Hint: "write `key: value` lines (see docs/triage.md)"})
		return r, nil
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		r.add(root, "the file must be a mapping of keys to values, not "+kindName(root), "write `key: value` lines (see docs/triage.md)")
		return r, nil
	}
	return r, root
}

func (r *reader) add(n *yaml.Node, msg, hint string) {
	r.diags = append(r.diags, spec.Diagnostic{Pos: model.Pos{File: r.file, Line: n.Line, Col: n.Column}, Msg: msg, Hint: hint})
}

func (r *reader) spend(n *yaml.Node) bool {
	r.budget--
	if r.budget == 0 {
		r.add(n, "the file expands to too many YAML nodes (aliases?)", "remove anchors and aliases")
	}
	return r.budget > 0
}

// mapping calls fn for each key of a mapping node, reporting unknown and
// repeated keys.
func (r *reader) mapping(n *yaml.Node, what string, keys []string, fn func(key string, k, v *yaml.Node)) {
	n = resolve(n)
	if !r.spend(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return
		}
		r.add(n, fmt.Sprintf("%s must be a mapping of keys to values, not %s", what, kindName(n)), "write `key: value` lines")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if !r.spend(k) {
			return
		}
		if k.Kind != yaml.ScalarNode {
			r.add(k, "keys must be plain words", "write `key: value`")
			continue
		}
		if !slices.Contains(keys, k.Value) {
			r.add(k, fmt.Sprintf("unknown key %q in %s", k.Value, what), hintFor(k.Value, keys))
			continue
		}
		if seen[k.Value] {
			r.add(k, fmt.Sprintf("key %q appears twice in %s", k.Value, what), "keep one of them")
			continue
		}
		seen[k.Value] = true
		if isNull(resolve(v)) {
			continue
		}
		fn(k.Value, k, v)
	}
}

func (r *reader) list(n *yaml.Node, key string, fn func(*yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		r.add(n, fmt.Sprintf("%q must be a list, not %s", key, kindName(n)), "start each item with `- `")
		return
	}
	for _, it := range n.Content {
		it = resolve(it)
		if !r.spend(it) {
			return
		}
		fn(it)
	}
}

func (r *reader) text(n *yaml.Node, key string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		r.add(n, fmt.Sprintf("%q must be text, not %s", key, kindName(n)), "quote it if it contains : or starts with [ or {")
		return "", false
	}
	return n.Value, true
}

func (r *reader) int(n *yaml.Node, key string, lo, hi int) (int, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		r.add(n, fmt.Sprintf("%q must be a whole number, not %s", key, kindName(n)), fmt.Sprintf("write a number from %d to %d", lo, hi))
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		r.add(n, fmt.Sprintf("%q must be a whole number, not %q", key, n.Value), fmt.Sprintf("write a number from %d to %d", lo, hi))
		return 0, false
	}
	if v < lo || v > hi {
		r.add(n, fmt.Sprintf("%q is %d, out of range", key, v), fmt.Sprintf("write a number from %d to %d", lo, hi))
		return 0, false
	}
	return v, true
}

// enum reads one of allowed, accepting YAML booleans for yes/no.
func (r *reader) enum(n *yaml.Node, key string, allowed []string) (string, bool) {
	s, ok := r.text(n, key)
	if !ok {
		return "", false
	}
	low := strings.ToLower(s)
	switch low {
	case "true":
		low = "yes"
	case "false":
		low = "no"
	}
	if !slices.Contains(allowed, low) {
		hint := "use one of: " + strings.Join(allowed, ", ")
		if sug := spec.Suggest(low, allowed); sug != "" {
			hint = fmt.Sprintf("did you mean %q? (one of: %s)", sug, strings.Join(allowed, ", "))
		}
		r.add(resolve(n), fmt.Sprintf("%q is not a valid %s", s, key), hint)
		return "", false
	}
	return low, true
}

// values reads one value or a list of values, each one of allowed.
func (r *reader) values(n *yaml.Node, key string, allowed []string) []string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		s, ok := r.enum(n, key, allowed)
		if !ok {
			return nil
		}
		return []string{s}
	}
	var out []string
	r.list(n, key, func(it *yaml.Node) {
		if s, ok := r.enum(it, key, allowed); ok {
			out = append(out, s)
		}
	})
	return out
}

// listOrWord reads a list (each item one of allowed, unless allowed is nil)
// or the words none or unknown. known is false for unknown.
func (r *reader) listOrWord(n *yaml.Node, key string, allowed []string) (vals []string, known bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "none", "[]":
			return nil, true
		case "unknown":
			return nil, false
		}
		hint := fmt.Sprintf("write a list such as [%s], or none, or unknown", n.Value)
		if allowed != nil && !slices.Contains(allowed, n.Value) {
			hint = hintFor(strings.ToLower(n.Value), append(slices.Clone(allowed), "none", "unknown"))
		}
		r.add(n, fmt.Sprintf("%q must be a list, none or unknown, not %q", key, n.Value), hint)
		return nil, false
	}
	ok := true
	r.list(n, key, func(it *yaml.Node) {
		if allowed == nil {
			s, good := r.text(it, key)
			if good && strings.TrimSpace(s) == "" {
				r.add(it, fmt.Sprintf("%q has an empty name", key), "remove the empty item")
				good = false
			}
			if good {
				vals = append(vals, strings.TrimSpace(s))
			}
			ok = ok && good
			return
		}
		s, good := r.enum(it, key, allowed)
		if good {
			vals = append(vals, s)
		}
		ok = ok && good
	})
	return vals, ok && resolve(n).Kind == yaml.SequenceNode
}

func hintFor(got string, known []string) string {
	if s := spec.Suggest(got, known); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "use one of: " + strings.Join(known, ", ")
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "this"
}
