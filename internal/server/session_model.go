package server

import (
	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/decide"
	"github.com/wardtm/ward/internal/session"
)

// applyPlan adds a session's decisions to the model's main file: threats,
// mitigations, assumptions and decisions on findings, each appended to its
// top-level list (created when missing), so that the version's diff reads
// as what the session decided. A decision on a merged threat of merged
// (mergedIndex of the version edited) records the hops it covers.
func applyPlan(b *Bundle, p session.Plan, merged map[string][]string) error {
	doc, err := parseFile(b.Main, b.Files[b.Main])
	if err != nil {
		return err
	}
	root := doc.Content[0]
	appendTo := func(section string, item *yaml.Node) {
		list := decide.Lookup(root, section)
		if list == nil || list.Kind != yaml.SequenceNode {
			list = &yaml.Node{Kind: yaml.SequenceNode}
			decide.Set(root, section, list)
		}
		list.Content = append(list.Content, item)
	}
	for _, t := range p.Threats {
		m := mapping([][2]string{{"id", t.ID}, {"title", t.Title}, {"description", t.Description}})
		setList(m, "stride", t.Stride)
		setList(m, "targets", t.Targets)
		setList(m, "assets", t.Assets)
		setPairs(m, [][2]string{{"likelihood", t.Likelihood}, {"impact", t.Impact}, {"found_by", t.FoundBy}, {"owner", t.Owner},
			{"status", t.Status}, {"reason", t.Reason}, {"expires", t.Expires}})
		setList(m, "mitigations", t.Mitigations)
		appendTo("threats", m)
	}
	for _, x := range p.Mitigations {
		appendTo("mitigations", mapping([][2]string{{"id", x.ID}, {"title", x.Title}, {"status", x.Status}, {"owner", x.Owner}, {"due", x.Due}}))
	}
	for _, x := range p.Assumptions {
		m := mapping([][2]string{{"id", x.ID}, {"text", x.Text}})
		setList(m, "supports", x.Supports)
		appendTo("assumptions", m)
	}
	for _, d := range p.Decisions {
		m := mapping([][2]string{{"finding", d.Finding}, {"status", d.Status}, {"reason", d.Reason}, {"owner", d.Owner}, {"expires", d.Expires}})
		setList(m, "mitigations", d.Mitigations)
		setList(m, "covers", merged[d.Finding])
		appendTo("decisions", m)
	}
	out, err := formatFile(doc)
	b.Files[b.Main] = out
	return err
}

func mapping(pairs [][2]string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	setPairs(m, pairs)
	return m
}

func setPairs(m *yaml.Node, pairs [][2]string) {
	for _, kv := range pairs {
		if kv[1] != "" {
			decide.Set(m, kv[0], decide.Str(kv[1]))
		}
	}
}

func setList(m *yaml.Node, key string, xs []string) {
	if len(xs) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, x := range xs {
		seq.Content = append(seq.Content, decide.Str(x))
	}
	decide.Set(m, key, seq)
}
