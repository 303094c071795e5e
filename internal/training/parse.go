package training

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// MaxFileBytes bounds an exercise file.
const MaxFileBytes = 1 << 20

// maxNodes bounds the YAML nodes of the exercise outside its model.
const maxNodes = 20000

// validID reports whether s matches ^[a-z0-9][a-z0-9-]{0,62}$ (written out:
// compiling that expression at start-up was the package's whole init cost).
func validID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// strideNames maps STRIDE names to letters; letters map to themselves.
var strideNames = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information_disclosure": "I",
	"denial_of_service": "D", "elevation_of_privilege": "E",
	"S": "S", "T": "T", "R": "R", "I": "I", "D": "D", "E": "E",
}

// Parse reads an exercise from YAML. name is the file name shown in
// diagnostics. Every problem is reported with file:line:col, what is wrong
// and what to do; the error is spec.Diagnostics when the exercise is
// invalid. Problems in the embedded model are reported at their place in
// the exercise file.
func Parse(name string, data []byte) (*Exercise, error) {
	p := &parser{file: name}
	x := p.parse(data)
	p.diags.Sort()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	return x, nil
}

type parser struct {
	flawNodes []*yaml.Node
	file      string
	diags     spec.Diagnostics
	nodes     int
}

func (p *parser) errf(n *yaml.Node, hint, format string, args ...any) {
	pos := model.Pos{File: p.file, Line: 1, Col: 1}
	if n != nil && n.Line > 0 {
		pos.Line, pos.Col = n.Line, max(n.Column, 1)
	}
	if len(p.diags) >= spec.MaxDiagnostics {
		return
	}
	p.diags = append(p.diags, spec.Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (p *parser) parse(data []byte) *Exercise {
	if len(data) > MaxFileBytes {
		p.errf(nil, "split the design document or the model; an exercise is a short design", "the file is %d bytes, more than the %d allowed", len(data), MaxFileBytes)
		return nil
	}
	if !utf8.Valid(data) {
		p.errf(nil, "save the file as UTF-8", "the file is not valid UTF-8")
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		p.syntax(err)
		return nil
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		p.errf(nil, "start it with `training: 1` (see docs/training.md)", "the file is not an exercise (a YAML mapping)")
		return nil
	}
	top := root.Content[0]
	if !p.count(top) {
		return nil
	}
	x := &Exercise{Source: p.file}
	var modelKey, modelVal *yaml.Node
	var refNode *yaml.Node
	seen := map[string]*yaml.Node{}
	keys := []string{"training", "id", "title", "summary", "minutes", "design", "model", "flaws", "reference"}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if prev := seen[k.Value]; prev != nil {
			p.errf(k, "remove one of them", "key %q appears twice (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		switch k.Value {
		case "training":
			if v.Value != "1" {
				p.errf(v, "write `training: 1`", "unknown exercise format version %q", v.Value)
			}
		case "id":
			x.ID = p.id(v, "the exercise id")
		case "title":
			x.Title = p.text(v, "title", 200)
		case "summary":
			x.Summary = p.text(v, "summary", 1000)
		case "minutes":
			x.Minutes = p.minutes(v)
		case "design":
			x.Design = p.text(v, "design", 64<<10)
		case "model":
			modelKey, modelVal = k, v
		case "flaws":
			x.Flaws = p.flaws(v)
		case "reference":
			refNode = v
			x.Reference = p.reference(v)
		default:
			hint := "the keys are " + strings.Join(keys, ", ")
			if s := spec.Suggest(k.Value, keys); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			p.errf(k, hint, "unknown key %q in the exercise", k.Value)
		}
	}
	for _, k := range []string{"training", "id", "title", "design", "model", "flaws", "reference"} {
		if seen[k] == nil {
			p.errf(top, "see docs/training.md for the format", "the exercise has no %q", k)
		}
	}
	if x.Minutes == (Minutes{}) {
		x.Minutes = Minutes{Read: 10, Find: 30, Prioritise: 5}
	}
	if modelVal != nil {
		x.Model, x.ModelYAML = p.model(data, top, modelKey, modelVal)
	}
	if x.Model != nil && refNode != nil {
		p.check(x, refNode)
	}
	return x
}

// count bounds the nodes and refuses aliases outside the model (an
// exercise has no use for them, and they are how YAML bombs work).
func (p *parser) count(n *yaml.Node) bool {
	p.nodes++
	if p.nodes > maxNodes {
		p.errf(n, "an exercise is a short design", "the exercise has more than %d YAML nodes", maxNodes)
		return false
	}
	if n.Kind == yaml.AliasNode {
		p.errf(n, "write the value out; exercises do not use aliases", "YAML alias *%s", n.Value)
		return false
	}
	for _, c := range n.Content {
		if !p.count(c) {
			return false
		}
	}
	return true
}

func (p *parser) syntax(err error) {
	p.diags = append(p.diags, spec.SyntaxDiag(p.file, err))
}

func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "write it as a single value", "%s is a %s, not a value", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func (p *parser) text(n *yaml.Node, what string, limit int) string {
	s, ok := p.scalar(n, what)
	if !ok {
		return ""
	}
	s = strings.TrimSpace(s)
	if s == "" {
		p.errf(n, "write it, or remove the key", "%s is empty", what)
	}
	if len(s) > limit {
		p.errf(n, "shorten it", "%s holds %d characters, more than %d", what, len(s), limit)
	}
	return s
}

func (p *parser) id(n *yaml.Node, what string) string {
	s, ok := p.scalar(n, what)
	if !ok {
		return ""
	}
	if !validID(s) {
		p.errf(n, "use lower-case letters, digits and dashes (at most 63)", "%s %q is not a valid id", what, s)
	}
	return s
}

func (p *parser) mapping(n *yaml.Node, what string, keys []string, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "write it as key: value lines", "%s is a %s, not a mapping", what, kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errf(k, "remove one of them", "key %q appears twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		if !slices.Contains(keys, k.Value) {
			hint := "the keys are " + strings.Join(keys, ", ")
			if s := spec.Suggest(k.Value, keys); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			p.errf(k, hint, "unknown key %q in %s", k.Value, what)
			continue
		}
		fn(k, v)
	}
}

func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "write it as a list (lines starting with -)", "%s is a %s, not a list", what, kindName(n))
		return nil
	}
	return n.Content
}

func (p *parser) strings(n *yaml.Node, what string) []string {
	var out []string
	if n.Kind == yaml.ScalarNode { // one value for a one-item list
		return []string{n.Value}
	}
	for _, it := range p.list(n, what) {
		if s, ok := p.scalar(it, what); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) minutes(n *yaml.Node) Minutes {
	var m Minutes
	p.mapping(n, "minutes", []string{"read", "find", "prioritise"}, func(k, v *yaml.Node) {
		var x int
		if _, err := fmt.Sscanf(v.Value, "%d", &x); err != nil || v.Kind != yaml.ScalarNode || fmt.Sprint(x) != v.Value || x < 1 || x > 240 {
			p.errf(v, "write a whole number of minutes from 1 to 240", "minutes.%s is %q", k.Value, v.Value)
			return
		}
		switch k.Value {
		case "read":
			m.Read = x
		case "find":
			m.Find = x
		case "prioritise":
			m.Prioritise = x
		}
	})
	for _, x := range []int{m.Read, m.Find, m.Prioritise} {
		if x == 0 {
			p.errf(n, "set read, find and prioritise", "minutes needs all three phases")
			break
		}
	}
	return m
}

func (p *parser) flaws(n *yaml.Node) []Flaw {
	var out []Flaw
	for _, it := range p.list(n, "flaws") {
		p.flawNodes = append(p.flawNodes, it)
		var f Flaw
		p.mapping(it, "a flaw", []string{"id", "title", "where", "explain"}, func(k, v *yaml.Node) {
			switch k.Value {
			case "id":
				f.ID = p.id(v, "the flaw id")
			case "title":
				f.Title = p.text(v, "the flaw's title", 200)
			case "where":
				f.Where = p.strings(v, "where")
			case "explain":
				f.Explain = p.text(v, "the flaw's explanation", 4000)
			}
		})
		if it.Kind == yaml.MappingNode && (f.ID == "" || f.Title == "" || len(f.Where) == 0) {
			p.errf(it, "give every flaw an id, a title and where it is (element or flow ids)", "a flaw needs id, title and where")
		}
		out = append(out, f)
	}
	if n.Kind == yaml.SequenceNode && len(out) == 0 {
		p.errf(n, "plant at least one flaw in the design", "the exercise has no flaws")
	}
	return out
}

func (p *parser) reference(n *yaml.Node) Reference {
	var r Reference
	p.mapping(n, "reference", []string{"threats", "top_three"}, func(k, v *yaml.Node) {
		switch k.Value {
		case "threats":
			for _, it := range p.list(v, "reference.threats") {
				r.Threats = append(r.Threats, p.refThreat(it))
			}
		case "top_three":
			r.TopThree = p.strings(v, "top_three")
		}
	})
	return r
}

func (p *parser) refThreat(n *yaml.Node) RefThreat {
	var t RefThreat
	hasStride := false
	p.mapping(n, "a reference threat", []string{"id", "title", "target", "stride", "asset", "severity", "flaw", "why"}, func(k, v *yaml.Node) {
		switch k.Value {
		case "id":
			t.ID = p.id(v, "the threat id")
		case "title":
			t.Title = p.text(v, "the threat's title", 300)
		case "target":
			t.Target, _ = p.scalar(v, "target")
		case "stride":
			hasStride = true
			for _, s := range p.strings(v, "stride") {
				l, ok := strideNames[s]
				if !ok {
					p.errf(v, "use S, T, R, I, D, E or their names (spoofing, tampering, ...)", "STRIDE category %q", s)
					continue
				}
				if !slices.Contains(t.Stride, l) {
					t.Stride = append(t.Stride, l)
				}
			}
		case "asset":
			t.Asset, _ = p.scalar(v, "asset")
		case "severity":
			t.Severity, _ = p.scalar(v, "severity")
			if !slices.Contains(Severities, t.Severity) {
				p.errf(v, "use critical, high, medium or low", "severity %q", t.Severity)
			}
		case "flaw":
			t.Flaw, _ = p.scalar(v, "flaw")
		case "why":
			t.Why = p.text(v, "why", 4000)
		}
	})
	if n.Kind == yaml.MappingNode {
		for _, f := range []struct{ key, val string }{{"id", t.ID}, {"title", t.Title}, {"target", t.Target}, {"severity", t.Severity}} {
			if f.val == "" {
				p.errf(n, "see docs/training.md for a reference threat's keys", "the reference threat has no %s", f.key)
			}
		}
		if !hasStride {
			p.errf(n, "name at least one STRIDE category (stride: [I])", "the reference threat %q has no stride", t.ID)
		}
	}
	return t
}

// model parses the model written under the model: key. The lines of its
// block are handed to package spec with every other line blanked, so that
// spec's diagnostics point at the right line and column of the exercise.
func (p *parser) model(data []byte, top, key, val *yaml.Node) (*model.Model, string) {
	if val.Kind != yaml.MappingNode || val.Style&yaml.FlowStyle != 0 || val.Line <= key.Line {
		p.errf(val, "write the model as an indented block under `model:`, in the ward.yaml format", "the model is not a block mapping")
		return nil, ""
	}
	start, end := val.Line, -1
	for i := 0; i < len(top.Content); i += 2 {
		if k := top.Content[i]; k.Line > key.Line && (end < 0 || k.Line-1 < end) {
			end = k.Line - 1
		}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if end < 0 || end > len(lines) {
		end = len(lines)
	}
	var kept, text bytes.Buffer
	for i, l := range lines {
		if n := i + 1; n >= start && n <= end {
			kept.Write(l)
			text.Write(l)
		} else if bytes.HasSuffix(l, []byte("\n")) {
			kept.WriteByte('\n')
		}
	}
	m, diags, err := spec.Parse(p.file, kept.Bytes())
	for _, d := range diags {
		if d.Level == spec.Error && len(p.diags) < spec.MaxDiagnostics {
			p.diags = append(p.diags, d)
		}
	}
	if err != nil {
		return nil, ""
	}
	return m, dedent(text.String(), val.Column-1)
}

// dedent removes n leading spaces from every line that has them.
func dedent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, pad)
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// check resolves the references between the parts of the exercise: flaw
// and threat targets, assets, flaws and the top three.
func (p *parser) check(x *Exercise, ref *yaml.Node) {
	node := func(path ...string) *yaml.Node { return find(ref, path...) }
	elements := x.Elements()
	isElement := func(id string) bool {
		return slices.ContainsFunc(elements, func(e Element) bool { return e.ID == id })
	}
	ids := make([]string, len(elements))
	for i, e := range elements {
		ids[i] = e.ID
	}
	hint := func(id string) string {
		if s := spec.Suggest(id, ids); s != "" {
			return fmt.Sprintf("did you mean %q?", s)
		}
		return "name a component or flow id of the model"
	}
	flawAt := func(i int) *yaml.Node {
		if i < len(p.flawNodes) {
			return p.flawNodes[i]
		}
		return nil
	}
	flawIDs := map[string]bool{}
	for i, f := range x.Flaws {
		if flawIDs[f.ID] {
			p.errf(flawAt(i), "give each flaw its own id", "flaw id %q is used twice", f.ID)
		}
		flawIDs[f.ID] = true
		for _, w := range f.Where {
			if !isElement(w) {
				p.errf(cmpOr(valueOf(flawAt(i), "where"), flawAt(i)), hint(w), "flaw %d (%s) is in %q, which is not an element or flow of the model", i+1, f.ID, w)
			}
		}
	}
	used := map[string]bool{}
	seen := map[string]bool{}
	threats := find(ref, "threats")
	for i, t := range x.Reference.Threats {
		at := ref
		if threats != nil && i < len(threats.Content) {
			at = threats.Content[i]
		}
		if seen[t.ID] {
			p.errf(at, "give each reference threat its own id", "reference threat id %q is used twice", t.ID)
		}
		seen[t.ID] = true
		if t.Target != "" && !isElement(t.Target) {
			p.errf(valueOf(at, "target"), hint(t.Target), "target %q is not an element or flow of the model", t.Target)
		}
		if t.Asset != "" && x.Model.Asset(t.Asset) == nil {
			p.errf(valueOf(at, "asset"), "name an asset id of the model", "asset %q is not an asset of the model", t.Asset)
		}
		if t.Flaw != "" {
			if !flawIDs[t.Flaw] {
				p.errf(valueOf(at, "flaw"), "name a flaw id from flaws:", "flaw %q is not a planted flaw", t.Flaw)
			}
			used[t.Flaw] = true
		}
	}
	for i, f := range x.Flaws {
		if f.ID != "" && !used[f.ID] {
			p.errf(flawAt(i), "add a reference threat with `flaw: "+f.ID+"`, or remove the flaw", "planted flaw %q has no reference threat", f.ID)
		}
	}
	if len(x.Reference.Threats) < 3 {
		p.errf(ref, "list at least three threats in the reference", "the reference has %d threats", len(x.Reference.Threats))
	}
	top := node("top_three")
	if len(x.Reference.TopThree) != 3 {
		p.errf(cmpOr(top, ref), "list exactly three reference threat ids, most important first", "top_three has %d entries", len(x.Reference.TopThree))
	}
	dup := map[string]bool{}
	for _, id := range x.Reference.TopThree {
		if x.Reference.Threat(id) == nil {
			p.errf(cmpOr(top, ref), "name ids of reference.threats", "top_three names %q, which is not a reference threat", id)
		}
		if dup[id] {
			p.errf(cmpOr(top, ref), "name three different threats", "top_three names %q twice", id)
		}
		dup[id] = true
	}
}

func cmpOr(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

// find follows mapping keys from n.
func find(n *yaml.Node, path ...string) *yaml.Node {
	for _, k := range path {
		n = valueOf(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

// valueOf returns the value of key k in mapping n (n itself when absent).
func valueOf(n *yaml.Node, k string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1]
		}
	}
	return nil
}
