package eval

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// MaxReferenceBytes is the largest reference file ParseReference reads.
const MaxReferenceBytes = 1 << 20

// ReferenceFile is the name of the reviewer's list in a case directory.
const ReferenceFile = "reference.yaml"

// Reference is a reviewer's threat list for one case.
type Reference struct {
	// Case names the case; the directory name when left out.
	Case string
	// Model is the model file, relative to the case directory: a ward.yaml
	// or another tool's file that Ward imports (default ward.yaml).
	Model string
	// From names the importer for Model ("" = a Ward model, or detected
	// when Model is not YAML).
	From string
	// Source says where the case comes from (original, or a corpus file
	// and its licence).
	Source string
	// Threats is the reviewer's list.
	Threats []Threat
	// Top3 holds the ids of the reviewer's top three threats, if given.
	Top3 []string
	// File is the reference file's name, for messages.
	File string
}

// Threat is one entry of the reviewer's list.
type Threat struct {
	ID string
	// Targets are the element ids the reviewer accepts for this threat: one
	// component, flow, boundary or asset, or several when either reading is
	// right (a flow and the component that receives it).
	Targets  []string
	Category model.Category
	Severity model.Severity
	Text     string
	// Mitigated says the model states the control that closes the threat,
	// so an engine threat reported as mitigated also counts as found.
	Mitigated bool
	Pos       model.Pos
	// TargetPos is where each target is written, for messages.
	TargetPos []model.Pos
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// refParser collects diagnostics while walking the YAML tree.
type refParser struct {
	file  string
	diags spec.Diagnostics
}

func (p *refParser) pos(n *yaml.Node) model.Pos {
	return model.Pos{File: p.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

func (p *refParser) errf(n *yaml.Node, hint, format string, args ...any) {
	p.diags = append(p.diags, spec.Diagnostic{Pos: p.pos(n), Level: spec.Error, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// ParseReference parses a reviewer's threat list. Problems come back as
// spec.Diagnostics (file:line:col: what is wrong — what to do).
func ParseReference(file string, data []byte) (*Reference, error) {
	p := &refParser{file: file}
	ref := &Reference{File: file, Model: "ward.yaml"}
	if len(data) > MaxReferenceBytes {
		p.diags = append(p.diags, spec.Diagnostic{Pos: model.Pos{File: file}, Level: spec.Error,
			Msg:  fmt.Sprintf("the reference file is larger than %d KiB", MaxReferenceBytes>>10),
			Hint: "a reviewer's list is a few dozen threats; split the case"})
		return nil, p.diags
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.diags = append(p.diags, p.syntax(err))
		return nil, p.diags
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.diags = append(p.diags, spec.Diagnostic{Pos: model.Pos{File: file, Line: 1, Col: 1}, Level: spec.Error,
			Msg: "the reference file is empty", Hint: "write eval: 1 and a threats: list (see docs/quality.md)"})
		return nil, p.diags
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errf(root, "start with eval: 1 and a threats: list (see docs/quality.md)", "the reference must be a mapping")
		return nil, p.diags
	}
	var version, threats, top3 *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if p.alias(v) {
			continue
		}
		switch k.Value {
		case "eval":
			version = v
		case "case":
			ref.Case = p.str(v, "case")
		case "model":
			ref.Model = p.str(v, "model")
		case "from":
			ref.From = p.str(v, "from")
		case "source":
			ref.Source = p.str(v, "source")
		case "threats":
			threats = v
		case "top3":
			top3 = v
		default:
			p.errf(k, "use eval, case, model, from, source, top3 and threats"+suggest(k.Value, []string{"eval", "case", "model", "from", "source", "threats", "top3"}), "unknown key %q", k.Value)
		}
	}
	switch {
	case version == nil:
		p.errf(root, "add eval: 1 at the top", "eval: (the reference format version) is missing")
	case version.Kind != yaml.ScalarNode || version.Value != "1":
		p.errf(version, "this version of Ward reads eval: 1", "unknown reference format version %q", version.Value)
	}
	if ref.Model != "" && (strings.Contains(ref.Model, "..") || strings.HasPrefix(ref.Model, "/")) {
		p.errf(root, "name a file inside the case directory", "model %q leaves the case directory", ref.Model)
	}
	if threats == nil {
		p.errf(root, "list the reviewer's threats under threats:", "threats: is missing")
	} else {
		ref.Threats = p.threats(threats)
	}
	if top3 != nil {
		ref.Top3 = p.top3(top3, ref.Threats)
	}
	if p.diags.HasErrors() {
		p.diags.Sort()
		return nil, p.diags
	}
	return ref, nil
}

func (p *refParser) syntax(err error) spec.Diagnostic {
	line, col, msg := 1, 1, strings.TrimPrefix(err.Error(), "yaml: ")
	var le *yaml.LoadError
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		le = les.Errors[0]
	}
	if le != nil || errors.As(err, &le) {
		msg = strings.TrimPrefix(le.Message, "yaml: ")
		line, col = max(le.Mark.Line, 1), max(le.Mark.Column, 1)
	}
	return spec.Diagnostic{Pos: model.Pos{File: p.file, Line: line, Col: col}, Level: spec.Error, Msg: "YAML syntax error: " + msg,
		Hint: "check indentation (spaces, not tabs), colons and brackets on this line and the one before"}
}

// alias refuses anchors and aliases: a reference list never needs them.
func (p *refParser) alias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.errf(n, "write the value out", "anchors and aliases are not allowed in a reference file")
		return true
	}
	return false
}

func (p *refParser) str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "write a single value", "%s must be text", key)
		return ""
	}
	return n.Value
}

func (p *refParser) threats(n *yaml.Node) []Threat {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "write a list: one '- id: ...' entry per threat", "threats must be a list")
		return nil
	}
	var out []Threat
	seen := map[string]model.Pos{}
	for _, item := range n.Content {
		if p.alias(item) {
			continue
		}
		t, ok := p.threat(item)
		if !ok {
			continue
		}
		if prev, dup := seen[t.ID]; dup {
			p.errf(item, "give each threat its own id", "threat id %q is already used at %s", t.ID, prev)
			continue
		}
		seen[t.ID] = t.Pos
		out = append(out, t)
	}
	return out
}

var threatKeys = []string{"id", "target", "stride", "severity", "text", "mitigated"}

func (p *refParser) threat(n *yaml.Node) (Threat, bool) {
	t := Threat{Pos: p.pos(n)}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "write id, target, stride, severity and text", "a threat must be a mapping")
		return t, false
	}
	before := len(p.diags)
	have := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if p.alias(v) {
			continue
		}
		have[k.Value] = true
		switch k.Value {
		case "id":
			t.ID = p.str(v, "id")
			if t.ID != "" && !idPattern.MatchString(t.ID) {
				p.errf(v, "use letters, digits, '.', '_' and '-'", "threat id %q is not a valid id", t.ID)
			}
		case "target":
			p.targets(v, &t)
		case "stride":
			s := p.str(v, "stride")
			c, ok := model.ParseCategory(s)
			if !ok {
				c, ok = model.ParseCategory(strings.ToUpper(s))
			}
			if !ok {
				p.errf(v, "use one of S, T, R, I, D, E or the category's name (one category per threat; list a threat twice for two)", "unknown STRIDE category %q", s)
			}
			t.Category = c
		case "severity":
			s := p.str(v, "severity")
			sev, ok := model.ParseSeverity(s)
			if !ok || sev < model.SevLow {
				p.errf(v, "use critical, high, medium or low", "unknown severity %q", s)
			}
			t.Severity = sev
		case "text":
			t.Text = strings.TrimSpace(p.str(v, "text"))
		case "mitigated":
			switch p.str(v, "mitigated") {
			case "true", "yes":
				t.Mitigated = true
			case "false", "no":
			default:
				p.errf(v, "write true or false", "mitigated must be true or false")
			}
		default:
			p.errf(k, "use "+strings.Join(threatKeys, ", ")+suggest(k.Value, threatKeys), "unknown key %q in a threat", k.Value)
		}
	}
	for _, k := range []string{"id", "target", "stride", "severity", "text"} {
		if !have[k] {
			p.errf(n, "every threat has id, target, stride, severity and text", "threat %s has no %s", orQ(t.ID), k)
		}
	}
	return t, len(p.diags) == before
}

func orQ(id string) string {
	if id == "" {
		return "(without id)"
	}
	return fmt.Sprintf("%q", id)
}

func (p *refParser) targets(n *yaml.Node, t *Threat) {
	add := func(v *yaml.Node) {
		s := p.str(v, "target")
		if s == "" {
			p.errf(v, "name a component, flow, boundary or asset id", "target is empty")
			return
		}
		t.Targets = append(t.Targets, s)
		t.TargetPos = append(t.TargetPos, p.pos(v))
	}
	switch n.Kind {
	case yaml.ScalarNode:
		add(n)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errf(n, "name at least one element id", "target list is empty")
		}
		for _, v := range n.Content {
			if !p.alias(v) {
				add(v)
			}
		}
	default:
		p.errf(n, "write an element id, or a list of ids that are each an acceptable target", "target must be an id or a list of ids")
	}
}

func (p *refParser) top3(n *yaml.Node, threats []Threat) []string {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "write a list of up to three threat ids", "top3 must be a list")
		return nil
	}
	if len(n.Content) > 3 {
		p.errf(n, "keep the reviewer's three most important threats", "top3 lists %d threats", len(n.Content))
	}
	ids := make([]string, 0, len(threats))
	for _, t := range threats {
		ids = append(ids, t.ID)
	}
	var out []string
	for _, v := range n.Content {
		if p.alias(v) {
			continue
		}
		s := p.str(v, "top3 entry")
		if !slices.Contains(ids, s) {
			p.errf(v, "name the id of a threat in this file"+suggest(s, ids), "top3 names %q, which is not a threat here", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

func suggest(s string, among []string) string {
	if m := spec.Suggest(s, among); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

// Check reports reference threats whose targets are not elements of m.
func (r *Reference) Check(m *model.Model) error {
	ids := map[string]bool{}
	var all []string
	addID := func(id string) {
		ids[id] = true
		all = append(all, id)
	}
	for _, c := range m.Components {
		addID(c.ID)
	}
	for _, f := range m.Flows {
		addID(f.ID)
	}
	for _, b := range m.Boundaries {
		addID(b.ID)
	}
	for _, a := range m.Assets {
		addID(a.ID)
	}
	var ds spec.Diagnostics
	for _, t := range r.Threats {
		for i, id := range t.Targets {
			if !ids[id] {
				ds = append(ds, spec.Diagnostic{Pos: t.TargetPos[i], Level: spec.Error,
					Msg:  fmt.Sprintf("threat %q names %q, which is not an element of the model", t.ID, id),
					Hint: "use a component, flow, boundary or asset id" + suggest(id, all)})
			}
		}
	}
	if len(ds) > 0 {
		return ds
	}
	return nil
}
