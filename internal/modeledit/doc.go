package modeledit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// doc is a parsed file: its lines and its node tree. Every change is a
// replacement of a range of whole lines, computed from node positions.
type doc struct {
	lines []string // without line ends
	crlf  bool
	final bool // the source ended with a newline
	root  *yaml.Node
}

func parse(src []byte) (*doc, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		return nil, fmt.Errorf("the file is not valid YAML: %w", err)
	}
	d := &doc{}
	text := string(src)
	d.crlf = strings.Contains(text, "\r\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	d.final = strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	if text != "" {
		d.lines = strings.Split(text, "\n")
	}
	switch {
	case n.Kind == 0 || (n.Kind == yaml.DocumentNode && len(n.Content) == 0):
		d.root = &yaml.Node{Kind: yaml.MappingNode}
	case n.Kind == yaml.DocumentNode && n.Content[0].Kind == yaml.MappingNode && n.Content[0].Style&yaml.FlowStyle == 0:
		d.root = n.Content[0]
	default:
		return nil, errors.New("the file is not a block YAML mapping")
	}
	return d, nil
}

// replace returns the text with lines [first, last] (1-based, inclusive;
// last = first-1 inserts before first) replaced by repl.
func (d *doc) replace(first, last int, repl []string) []byte {
	out := make([]string, 0, len(d.lines)+len(repl))
	out = append(out, d.lines[:first-1]...)
	out = append(out, repl...)
	out = append(out, d.lines[last:]...)
	nl := "\n"
	if d.crlf {
		nl = "\r\n"
	}
	s := strings.Join(out, nl)
	if len(out) > 0 && (d.final || len(d.lines) == 0 || last == len(d.lines)) {
		s += nl
	}
	return []byte(s)
}

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func isComment(line string) bool { return strings.HasPrefix(strings.TrimSpace(line), "#") }

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// trim moves last back over blank lines and comments indented at most
// indent (they belong to what follows).
func (d *doc) trim(first, last, indent int) int {
	for last > first {
		l := d.lines[last-1]
		if isBlank(l) || (isComment(l) && indentOf(l) <= indent) {
			last--
			continue
		}
		break
	}
	return last
}

// headComments returns the first line of the comments directly above line
// at the given indent.
func (d *doc) headComments(line, indent int) int {
	for line > 1 {
		l := d.lines[line-2]
		if isComment(l) && indentOf(l) == indent {
			line--
			continue
		}
		break
	}
	return line
}

// span is an inclusive range of lines.
type span struct{ first, last int }

// mapSpans returns the lines of each entry of a block mapping ending at
// line end.
func (d *doc) mapSpans(m *yaml.Node, end int) []span {
	n := len(m.Content) / 2
	out := make([]span, n)
	for i := range n {
		k := m.Content[2*i]
		last := end
		if i+1 < n {
			last = m.Content[2*i+2].Line - 1
		}
		out[i] = span{k.Line, d.trim(k.Line, last, k.Column-1)}
	}
	return out
}

// dashLine finds the line of the dash that starts a sequence item.
func (d *doc) dashLine(it *yaml.Node) int {
	for l := it.Line; l >= 1; l-- {
		if strings.HasPrefix(strings.TrimSpace(d.lines[l-1]), "-") {
			return l
		}
	}
	return it.Line
}

// seqSpans returns the lines of each item of a block sequence ending at end.
func (d *doc) seqSpans(s *yaml.Node, end int) []span {
	out := make([]span, len(s.Content))
	for i, it := range s.Content {
		first := d.dashLine(it)
		last := end
		if i+1 < len(s.Content) {
			last = d.dashLine(s.Content[i+1]) - 1
		}
		out[i] = span{first, d.trim(first, last, indentOf(d.lines[first-1]))}
	}
	return out
}

// lookup returns a mapping's key and value nodes for key.
func lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// entrySpan returns the span of key's entry in mapping m (ending at end).
func (d *doc) entrySpan(m *yaml.Node, end int, key string) (span, int, bool) {
	spans := d.mapSpans(m, end)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return spans[i/2], i / 2, true
		}
	}
	return span{}, 0, false
}

// found is an item located in the file: its mapping node, its span and the
// sequence (with its span end) that holds it.
type found struct {
	node   *yaml.Node
	span   span
	seq    *yaml.Node
	seqEnd int
	index  int
}

// itemID is an item's id; flows without one default to FROM-to-TO.
func itemID(section string, it *yaml.Node) string {
	if _, v := lookup(it, idKey(section)); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	if section == "flows" {
		_, from := lookup(it, "from")
		_, to := lookup(it, "to")
		if from != nil && to != nil {
			return from.Value + "-to-" + to.Value
		}
	}
	return ""
}

// findItem locates the item with the id in a top-level section (and, for
// boundaries, in nested boundaries).
func (d *doc) findItem(section, id string) (found, bool, bool) {
	_, seq := lookup(d.root, section)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return found{}, false, false
	}
	sp, _, _ := d.entrySpan(d.root, len(d.lines), section)
	return d.findIn(section, id, seq, sp.last)
}

func (d *doc) findIn(section, id string, seq *yaml.Node, end int) (found, bool, bool) {
	if seq.Style&yaml.FlowStyle != 0 {
		return found{}, false, false
	}
	spans := d.seqSpans(seq, end)
	for i, it := range seq.Content {
		if it.Kind != yaml.MappingNode {
			continue
		}
		if itemID(section, it) == id {
			return found{node: it, span: spans[i], seq: seq, seqEnd: end, index: i}, it.Style&yaml.FlowStyle != 0, true
		}
		if section == "boundaries" {
			if _, sub := lookup(it, "boundaries"); sub != nil && sub.Kind == yaml.SequenceNode {
				if sp, _, ok := d.entrySpan(it, spans[i].last, "boundaries"); ok {
					if f, flow, ok := d.findIn(section, id, sub, sp.last); ok {
						return f, flow, true
					}
				}
			}
		}
	}
	return found{}, false, false
}

// flowTouching returns the id of a flow from or to the component, or "".
func (d *doc) flowTouching(component string) string {
	_, seq := lookup(d.root, "flows")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return ""
	}
	for _, it := range seq.Content {
		_, from := lookup(it, "from")
		_, to := lookup(it, "to")
		if (from != nil && from.Value == component) || (to != nil && to.Value == component) {
			return itemID("flows", it)
		}
	}
	return ""
}

// deleteItem removes an item with its head comments; the last item of a
// section leaves "section: []".
func (d *doc) deleteItem(section, id string) ([]byte, error) {
	f, _, ok := d.findItem(section, id)
	if !ok {
		return nil, fmt.Errorf("no %s item with id %q", section, id)
	}
	if len(f.seq.Content) == 1 {
		// Replace the whole list by [] on its key's line.
		owner, end := d.root, len(d.lines)
		if section == "boundaries" {
			owner, end = d.parentOf(f.seq)
		}
		for i := 0; i+1 < len(owner.Content); i += 2 {
			if owner.Content[i+1] == f.seq {
				sp := d.mapSpans(owner, end)[i/2]
				k := owner.Content[i]
				if section == "layout" {
					// An empty layout is no layout: drop the section and
					// the blank line that separated it.
					first := d.headComments(sp.first, 0)
					if first > 1 && isBlank(d.lines[first-2]) && (sp.last == len(d.lines) || isBlank(d.lines[sp.last])) {
						first--
					}
					return d.replace(first, sp.last, nil), nil
				}
				line := d.lines[k.Line-1]
				return d.replace(sp.first, sp.last, []string{line[:k.Column-1] + k.Value + ": []"}), nil
			}
		}
	}
	first := d.headComments(f.span.first, indentOf(d.lines[f.span.first-1]))
	return d.replace(first, f.span.last, nil), nil
}

// parentOf returns the mapping that holds seq as a value (root or a
// boundary) and that mapping's end line.
func (d *doc) parentOf(seq *yaml.Node) (*yaml.Node, int) {
	var walk func(m *yaml.Node, end int) (*yaml.Node, int)
	walk = func(m *yaml.Node, end int) (*yaml.Node, int) {
		spans := d.mapSpans(m, end)
		for i := 0; i+1 < len(m.Content); i += 2 {
			v := m.Content[i+1]
			if v == seq {
				return m, end
			}
			if m.Content[i].Value == "boundaries" && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 {
				for j, sp := range d.seqSpans(v, spans[i/2].last) {
					if v.Content[j].Kind == yaml.MappingNode {
						if p, e := walk(v.Content[j], sp.last); p != nil {
							return p, e
						}
					}
				}
			}
		}
		return nil, 0
	}
	if p, e := walk(d.root, len(d.lines)); p != nil {
		return p, e
	}
	return d.root, len(d.lines)
}

// add inserts a new item at the end of its list (creating the section, or a
// boundary's nested list, when missing).
func (d *doc) add(e Edit) ([]byte, error) {
	set := e.Set
	if e.Section == "flows" && idOf(set) == "" {
		from, _ := set["from"].(string)
		to, _ := set["to"].(string)
		if from == "" || to == "" {
			return nil, errors.New("a new flow needs from and to")
		}
		if _, _, taken := d.findItem("flows", from+"-to-"+to); taken {
			// A second flow between the same pair needs its own id.
			set = maps(set)
			for n := 2; ; n++ {
				id := fmt.Sprintf("%s-to-%s-%d", from, to, n)
				if _, _, taken := d.findItem("flows", id); !taken {
					set["id"] = id
					break
				}
			}
		}
	} else if _, _, taken := d.findItem(e.Section, idOf(set)); taken {
		return nil, fmt.Errorf("%s already has an item with id %q", e.Section, idOf(set))
	}
	it := newItem(e.Section, set)
	flow := e.Section == "layout"
	owner, end := d.root, len(d.lines)
	if e.Parent != "" {
		p, _, ok := d.findItem("boundaries", e.Parent)
		if !ok {
			return nil, fmt.Errorf("no boundary with id %q to nest it in", e.Parent)
		}
		owner, end = p.node, p.span.last
	}
	_, seq := lookup(owner, e.Section)
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
		if seq != nil && seq.Kind == yaml.ScalarNode && seq.Tag != "!!null" {
			return nil, fmt.Errorf("%s is not a list", e.Section)
		}
		// Missing, null or []: write the list in block style.
		order := docOrder
		if owner != d.root {
			order = keyOrder(sections["boundaries"])
		}
		return d.setKey(owner, end, order, e.Section, []item{it}, flow)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s is written in flow style ([...]); write it as a block list to edit it here", e.Section)
	}
	spans := d.seqSpans(seq, d.valueEnd(owner, end, e.Section))
	lastSpan := spans[len(spans)-1]
	indent := indentOf(d.lines[lastSpan.first-1])
	return d.replace(lastSpan.last+1, lastSpan.last, listItem(it, indent, flow)), nil
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// valueEnd returns the last line of key's entry in m.
func (d *doc) valueEnd(m *yaml.Node, end int, key string) int {
	sp, _, _ := d.entrySpan(m, end, key)
	return sp.last
}

// update sets and unsets keys of an item.
func (d *doc) update(e Edit) ([]byte, error) {
	src := []byte(d.text())
	cur := d // parsed src; nil after a change
	for _, k := range keyOrder(sections[e.Section]) {
		v, set := e.Set[k]
		unset := slices.Contains(e.Unset, k)
		if !set && !unset {
			continue
		}
		if cur == nil {
			var err error
			if cur, err = parse(src); err != nil {
				return nil, err
			}
		}
		var err error
		f, flow, ok := cur.findItem(e.Section, e.ID)
		if !ok {
			return nil, fmt.Errorf("no %s item with id %q", e.Section, e.ID)
		}
		if k == idKey(e.Section) && v != e.ID {
			if id, _ := v.(string); id == "" || cur.taken(e.Section, id) {
				return nil, fmt.Errorf("%s already has an item with id %q", e.Section, id)
			}
		}
		switch {
		case flow:
			src, err = cur.rewriteFlowItem(f, k, v, unset)
		case unset:
			src, err = cur.removeKey(f.node, f.span.last, k, true)
		default:
			src, err = cur.setKey(f.node, f.span.last, keyOrder(sections[e.Section]), k, v, false)
		}
		if err != nil {
			return nil, err
		}
		cur = nil
		if k == idKey(e.Section) {
			e.ID, _ = v.(string)
		}
		// A flow without an id is named FROM-to-TO: follow its new ends.
		if to, ok := v.(string); ok && e.Section == "flows" && (k == "from" || k == "to") {
			if _, idn := lookup(f.node, "id"); idn == nil {
				_, fromN := lookup(f.node, "from")
				_, toN := lookup(f.node, "to")
				if fromN != nil && toN != nil {
					if k == "from" {
						e.ID = to + "-to-" + toN.Value
					} else {
						e.ID = fromN.Value + "-to-" + to
					}
				}
			}
		}
	}
	return src, nil
}

func (d *doc) taken(section, id string) bool {
	_, _, ok := d.findItem(section, id)
	return ok
}

func (d *doc) text() string {
	return string(d.replace(1, 0, nil))
}

// rewriteFlowItem rewrites a one-line flow-style item with key set or
// removed, keeping the other keys in their order.
func (d *doc) rewriteFlowItem(f found, key string, v any, unset bool) ([]byte, error) {
	if f.span.first != f.span.last {
		return nil, errors.New("a flow-style item spread over several lines cannot be edited here")
	}
	var it item
	done := false
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		k, val := f.node.Content[i].Value, f.node.Content[i+1]
		if k == key {
			done = true
			if !unset {
				it = append(it, kv{k, v})
			}
			continue
		}
		it = append(it, kv{k, nodeValue(val)})
	}
	if !done && !unset {
		it = append(it, kv{key, v})
	}
	line := d.lines[f.span.first-1]
	out := listItem(it, indentOf(line), true)
	if out[0] == line {
		return []byte(d.text()), nil
	}
	return d.replace(f.span.first, f.span.last, out), nil
}

// nodeValue turns a scalar or flat list node back into a value.
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.SequenceNode:
		var xs []string
		for _, c := range n.Content {
			xs = append(xs, c.Value)
		}
		return xs
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!bool":
			return n.Value == "true"
		case "!!int":
			var i int64
			if _, err := fmt.Sscan(n.Value, &i); err == nil {
				return i
			}
		}
		return n.Value
	}
	return n.Value
}

// equal reports whether node n already holds v.
func equal(n *yaml.Node, v any) bool {
	switch x := v.(type) {
	case []string:
		if n.Kind != yaml.SequenceNode || len(n.Content) != len(x) {
			return false
		}
		for i, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Value != x[i] {
				return false
			}
		}
		return true
	case map[string]string:
		if n.Kind != yaml.MappingNode || len(n.Content)/2 != len(x) {
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if w, ok := x[n.Content[i].Value]; !ok || n.Content[i+1].Value != w {
				return false
			}
		}
		return true
	case []item:
		return false
	}
	return n.Kind == yaml.ScalarNode && n.Value == scalar(v) || n.Kind == yaml.ScalarNode && n.Value == fmt.Sprint(v)
}

// setKey sets key in the block mapping m (whose entries end at end). An
// existing entry is replaced in place (a block mapping value key by key);
// a new one goes after the key that precedes it in order (the keys of m's
// type, in the format's order).
func (d *doc) setKey(m *yaml.Node, end int, order []string, key string, v any, flowItems bool) ([]byte, error) {
	kn, cur := lookup(m, key)
	if kn != nil {
		if equal(cur, v) {
			return []byte(d.text()), nil
		}
		sp, _, _ := d.entrySpan(m, end, key)
		if nv, ok := v.(map[string]string); ok && cur.Kind == yaml.MappingNode && cur.Style&yaml.FlowStyle == 0 && len(cur.Content) > 0 && len(nv) > 0 {
			return d.mergeMap(m, end, key, nv)
		}
		line := d.lines[sp.first-1]
		prefix := line[:kn.Column-1]
		repl := entry(key, v, kn.Column-1)
		if items, ok := v.([]item); ok {
			repl = []string{strings.Repeat(" ", kn.Column-1) + key + ":"}
			for _, it := range items {
				repl = append(repl, listItem(it, kn.Column-1+2, flowItems)...)
			}
		}
		repl[0] = prefix + strings.TrimLeft(repl[0], " ")
		if sp.first == sp.last && len(repl) == 1 {
			if c := lineComment(kn, cur); c != "" {
				repl[0] += " " + c
			}
		}
		return d.replace(sp.first, sp.last, repl), nil
	}
	// A new key.
	indent := 0
	if len(m.Content) > 0 {
		indent = m.Content[0].Column - 1
	} else if m != d.root {
		return nil, errors.New("cannot add to an empty mapping")
	}
	repl := entry(key, v, indent)
	if items, ok := v.([]item); ok {
		step := d.seqIndent()
		repl = []string{strings.Repeat(" ", indent) + key + ":"}
		for _, it := range items {
			repl = append(repl, listItem(it, indent+step, flowItems)...)
		}
	}
	spans := d.mapSpans(m, end)
	after := -1 // index of the entry to insert after
	pos := slices.Index(order, key)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if p := slices.Index(order, m.Content[i].Value); p >= 0 && pos >= 0 && p < pos {
			after = i / 2
		}
	}
	if after < 0 && m != d.root && len(spans) > 0 {
		after = 0 // never before the first key of a list item
	}
	if after < 0 && len(spans) > 0 && pos >= 0 {
		// Before the first existing key that comes later, with its comments.
		first := spans[0].first
		first = d.headComments(first, 0)
		if m == d.root {
			repl = append(repl, "")
		}
		return d.replace(first, first-1, repl), nil
	}
	if after < 0 {
		after = len(spans) - 1
	}
	at := len(d.lines) + 1
	if after >= 0 {
		at = spans[after].last + 1
	}
	if m == d.root && indent == 0 {
		// Top-level sections are separated by a blank line.
		if at > 1 && !isBlank(d.lines[at-2]) {
			repl = append([]string{""}, repl...)
		}
		if at <= len(d.lines) && !isBlank(d.lines[at-1]) {
			repl = append(repl, "")
		}
	}
	return d.replace(at, at-1, repl), nil
}

// seqIndent is how far the file indents list items under their key (0 or
// 2, from the first block list found; 2 by default).
func (d *doc) seqIndent() int {
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		k, v := d.root.Content[i], d.root.Content[i+1]
		if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
			dash := d.dashLine(v.Content[0])
			return max(indentOf(d.lines[dash-1])-(k.Column-1), 0)
		}
	}
	return 2
}

func lineComment(k, v *yaml.Node) string {
	if v.LineComment != "" {
		return v.LineComment
	}
	return k.LineComment
}

// mergeMap makes the block mapping under key hold exactly nv, changing
// only the entries that differ.
func (d *doc) mergeMap(m *yaml.Node, end int, key string, nv map[string]string) ([]byte, error) {
	src := []byte(d.text())
	// Remove keys that are gone, then set the others in sorted order.
	for {
		cur, err := parse(src)
		if err != nil {
			return nil, err
		}
		sub, subEnd := cur.reFind(m, end, key)
		gone := ""
		for i := 0; i+1 < len(sub.Content); i += 2 {
			if _, ok := nv[sub.Content[i].Value]; !ok {
				gone = sub.Content[i].Value
				break
			}
		}
		if gone == "" {
			break
		}
		if src, err = cur.removeKey(sub, subEnd, gone, false); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedKeys(nv) {
		cur, err := parse(src)
		if err != nil {
			return nil, err
		}
		sub, subEnd := cur.reFind(m, end, key)
		if src, err = cur.setMapEntry(sub, subEnd, k, nv[k]); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// reFind locates, in a re-parsed document, the mapping under key of the
// mapping that started at the same position as m.
func (d *doc) reFind(m *yaml.Node, end int, key string) (*yaml.Node, int) {
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.MappingNode && n.Line == m.Line && n.Column == m.Column {
			return n
		}
		for _, c := range n.Content {
			if r := walk(c); r != nil {
				return r
			}
		}
		return nil
	}
	owner := walk(d.root)
	if owner == nil {
		owner = d.root
	}
	if m == nil || (m.Line == 0 && m.Column == 0) {
		owner = d.root
	}
	// The owner's end may have moved: recompute from its enclosing spans.
	ownerEnd := d.endOf(owner)
	sp, _, _ := d.entrySpan(owner, ownerEnd, key)
	_, sub := lookup(owner, key)
	return sub, sp.last
}

// endOf finds the last line of a mapping node anywhere in the document.
func (d *doc) endOf(target *yaml.Node) int {
	var walk func(n *yaml.Node, end int) int
	walk = func(n *yaml.Node, end int) int {
		if n == target {
			return end
		}
		switch {
		case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0:
			for i, sp := range d.mapSpans(n, end) {
				if r := walk(n.Content[2*i+1], sp.last); r > 0 {
					return r
				}
			}
		case n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0:
			for i, sp := range d.seqSpans(n, end) {
				if r := walk(n.Content[i], sp.last); r > 0 {
					return r
				}
			}
		}
		return 0
	}
	if r := walk(d.root, len(d.lines)); r > 0 {
		return r
	}
	return len(d.lines)
}

// setMapEntry sets one string entry of a block mapping, in sorted position
// when new.
func (d *doc) setMapEntry(m *yaml.Node, end int, key, val string) ([]byte, error) {
	kn, cur := lookup(m, key)
	indent := m.Content[0].Column - 1
	line := strings.Repeat(" ", indent) + quote(key) + ": " + quote(val)
	if kn != nil {
		if cur.Kind == yaml.ScalarNode && cur.Value == val {
			return []byte(d.text()), nil
		}
		sp, _, _ := d.entrySpan(m, end, key)
		if c := lineComment(kn, cur); c != "" && sp.first == sp.last {
			line += " " + c
		}
		return d.replace(sp.first, sp.last, []string{line}), nil
	}
	spans := d.mapSpans(m, end)
	at := spans[len(spans)-1].last + 1
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value > key {
			at = d.headComments(spans[i/2].first, indent)
			break
		}
	}
	return d.replace(at, at-1, []string{line}), nil
}

// removeKey deletes key's entry (with its head comments) from a block
// mapping. When the key is the first of a list item, the dash moves to the
// next key.
func (d *doc) removeKey(m *yaml.Node, end int, key string, inItem bool) ([]byte, error) {
	kn, _ := lookup(m, key)
	if kn == nil {
		return []byte(d.text()), nil
	}
	sp, idx, _ := d.entrySpan(m, end, key)
	if len(m.Content) == 2 {
		if inItem {
			return nil, fmt.Errorf("cannot remove %q: it is the item's only key", key)
		}
		return nil, fmt.Errorf("cannot remove %q: it is the mapping's only key", key)
	}
	line := d.lines[sp.first-1]
	if idx == 0 && strings.HasPrefix(strings.TrimSpace(line[:kn.Column-1]), "-") {
		next := d.mapSpans(m, end)[1]
		nk := m.Content[2]
		nline := d.lines[nk.Line-1]
		moved := line[:kn.Column-1] + nline[nk.Column-1:]
		return d.replace(sp.first, next.first, []string{moved}), nil
	}
	first := d.headComments(sp.first, kn.Column-1)
	return d.replace(first, sp.last, nil), nil
}
