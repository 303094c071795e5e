// Package yamledit edits Ward model files as text, changing only the lines
// an edit must: comments, blank lines, quoting, key order and line width of
// everything else stay byte for byte as written.
//
// It knows the shape of the lists a server-side edit touches — top-level
// block sequences of mappings keyed by an id (mitigations, assumptions,
// decisions keyed by finding) — and refuses (ErrUnsupported) what it cannot
// edit in place, such as flow-style lists; callers then fall back to
// re-encoding the file. Every edit re-parses the result, so a File is
// always valid YAML.
package yamledit

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/spec"

	"go.yaml.in/yaml/v4"
)

// ErrUnsupported means the file is valid but written in a way this package
// does not edit in place (flow-style lists, items not mappings, ...).
var ErrUnsupported = errors.New("cannot edit this YAML in place")

// File is a YAML file being edited.
type File struct {
	lines []string // without their "\n"
	final bool     // the text ended with "\n"
	doc   yaml.Node
	// fast: doc came from the fast parser, without comments (set); full
	// asks set for yaml v4 (ParseFull).
	fast, full bool
	// In a Batch, a line replaced by one line is not parsed at once
	// (stale): the tree's line numbers still hold.
	batch, stale bool
}

// Batch runs edits on the file, parsing it once at the end for the edits
// that replace one line by one line (a field set in place), and when
// another edit needs the tree. The file is left as it was when an edit
// fails or the result does not parse.
func (f *File) Batch(edits func(*File) error) error {
	lines, doc, fast := slices.Clone(f.lines), f.doc, f.fast
	f.batch = true
	err := edits(f)
	f.batch = false
	if err == nil && f.stale {
		err = f.set(f.String())
	}
	f.stale = false
	if err != nil {
		f.lines, f.doc, f.fast = lines, doc, fast
	}
	return err
}

// Tree returns a copy of the file's parsed document, to edit as a tree.
// A file the fast parser read (Parse) has no comments in its tree: a tree
// to re-encode as the file comes from ParseFull.
func (f *File) Tree() *yaml.Node { return copyNode(&f.doc) }

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = copyNode(x)
		}
	}
	return &c
}

// SameTree says the file holds the data of the tree n, as Same says of two
// texts.
func (f *File) SameTree(n *yaml.Node) bool { return sameNode(&f.doc, n) }

// Parse reads a file whose top level is a mapping (or empty). A file in
// the plain subset of YAML models are written in is read by spec's fast
// parser, whose tree has no comments (ParseFull keeps them).
func Parse(src string) (*File, error) {
	f := &File{}
	if err := f.set(src); err != nil {
		return nil, err
	}
	return f, nil
}

// ParseFull is Parse with yaml v4 alone: the tree keeps the comments (to
// re-encode it as the file). Later edits of the file may parse it fast.
func ParseFull(src string) (*File, error) {
	f := &File{full: true}
	err := f.set(src)
	f.full = false
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) set(src string) error {
	if oddBreak(src) {
		// YAML counts these as line breaks; the editor's lines are split on
		// \n, so its line numbers would not match the parser's.
		return fmt.Errorf("the file has a line break other than \\n or \\r\\n (a lone \\r, U+0085, U+2028 or U+2029) — save it with \\n line endings: %w", ErrUnsupported)
	}
	// The plain YAML models are written in is read by spec's fast parser
	// (several times faster than yaml v4, the same tree but for comments,
	// which no edit reads: issue 13, a push's merge parsed every pushed
	// file); anything else, and every error, by yaml v4.
	var doc yaml.Node
	fast := false
	if !f.full && src != "" {
		if n, ok := spec.FastYAML([]byte(src)); ok && n.Kind == yaml.DocumentNode {
			doc, fast = *n, true
		}
	}
	if !fast {
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			return err
		}
	}
	if doc.Kind == yaml.DocumentNode && (len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode) {
		return fmt.Errorf("the top level is not a mapping: %w", ErrUnsupported)
	}
	f.doc, f.fast = doc, fast
	f.final = strings.HasSuffix(src, "\n") || src == ""
	f.lines = strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	if src == "" {
		f.lines = nil
	}
	return nil
}

// oddBreak reports a line break YAML honours that a split on \n does not:
// a \r not followed by \n, NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR.
func oddBreak(src string) bool {
	for i := strings.IndexByte(src, '\r'); i >= 0; {
		if i+1 >= len(src) || src[i+1] != '\n' {
			return true
		}
		j := strings.IndexByte(src[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return strings.ContainsAny(src, "\u0085\u2028\u2029")
}

// String returns the file's text.
func (f *File) String() string {
	s := strings.Join(f.lines, "\n")
	if f.final && len(f.lines) > 0 {
		s += "\n"
	}
	return s
}

// root returns the top-level mapping, or nil for an empty file.
func (f *File) root() *yaml.Node {
	if f.doc.Kind != yaml.DocumentNode || len(f.doc.Content) == 0 {
		return nil
	}
	return f.doc.Content[0]
}

// replace replaces lines [from, to) (0-based) with repl and re-parses.
func (f *File) replace(from, to int, repl []string) error {
	if f.batch && to == from+1 && len(repl) == 1 && !strings.Contains(repl[0], "\n") {
		f.lines[from] = repl[0]
		f.stale = true
		return nil
	}
	lines := make([]string, 0, len(f.lines)-(to-from)+len(repl))
	lines = append(lines, f.lines[:from]...)
	lines = append(lines, repl...)
	lines = append(lines, f.lines[to:]...)
	src := strings.Join(lines, "\n")
	if len(lines) > 0 {
		src += "\n"
	}
	f.stale = false
	return f.set(src)
}

// KeyField is the field that identifies an item of a section: finding for
// decisions, id otherwise.
func KeyField(section string) string {
	if section == "decisions" {
		return "finding"
	}
	return "id"
}

// Item is one entry of a top-level list.
type Item struct {
	Key  string     // the value of the section's key field
	Node *yaml.Node // the item's mapping
	// Start and End are the item's lines, 1-based, inclusive: from its dash
	// to its last line of content (comments and blank lines after it
	// belong to what follows).
	Start, End int
	Indent     int // the column of its dash, 0-based
}

// Lines returns the item's text, de-indented to the dash.
func (f *File) Lines(it Item) []string {
	var out []string
	for _, l := range f.lines[it.Start-1 : it.End] {
		if len(l) >= it.Indent && strings.TrimSpace(l[:it.Indent]) == "" {
			l = l[it.Indent:]
		} else {
			l = strings.TrimLeft(l, " ")
		}
		out = append(out, l)
	}
	return out
}

// section returns the key and value of a top-level key and the 1-based
// line where what follows it starts.
func (f *File) section(name string) (key, val *yaml.Node, next int) {
	r := f.root()
	if r == nil {
		return nil, nil, 0
	}
	for i := 0; i+1 < len(r.Content); i += 2 {
		if r.Content[i].Value == name {
			next = len(f.lines) + 1
			if i+2 < len(r.Content) {
				next = r.Content[i+2].Line
			}
			return r.Content[i], r.Content[i+1], next
		}
	}
	return nil, nil, 0
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func blankOrComment(l string, indent int) bool {
	t := strings.TrimSpace(l)
	return t == "" || (strings.HasPrefix(t, "#") && indentOf(l) <= indent)
}

// Items returns the entries of a top-level block list of mappings; a
// missing or empty list has none.
func (f *File) Items(section string) ([]Item, error) {
	_, val, next := f.section(section)
	if val == nil || (val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
		return nil, nil
	}
	if val.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s is not a list: %w", section, ErrUnsupported)
	}
	if len(val.Content) == 0 {
		return nil, nil
	}
	if val.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s is a flow-style list: %w", section, ErrUnsupported)
	}
	key := KeyField(section)
	items := make([]Item, 0, len(val.Content))
	for i, n := range val.Content {
		if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 {
			return nil, fmt.Errorf("%s item %d is not a block mapping: %w", section, i+1, ErrUnsupported)
		}
		start := n.Line
		l := f.lines[start-1]
		dash := n.Column - 1 - 2
		if dash < 0 || dash >= len(l) || l[dash] != '-' || strings.TrimSpace(l[:dash]) != "" {
			return nil, fmt.Errorf("%s item %d does not start on its dash line: %w", section, i+1, ErrUnsupported)
		}
		end := next - 1
		if i+1 < len(val.Content) {
			end = val.Content[i+1].Line - 1
		}
		for end > start && blankOrComment(f.lines[end-1], dash) {
			end--
		}
		it := Item{Node: n, Start: start, End: end, Indent: dash}
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == key {
				it.Key = n.Content[j+1].Value
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// Find returns the item of section whose key field is key.
func (f *File) Find(section, key string) (Item, bool, error) {
	items, err := f.Items(section)
	if err != nil {
		return Item{}, false, err
	}
	for _, it := range items {
		if it.Key == key {
			return it, true, nil
		}
	}
	return Item{}, false, nil
}

// Value is a field's new value: a string, or a list of strings.
type Value struct {
	S    string
	List []string
	// IsList says the value is a list (even an empty one).
	IsList bool
}

// String is a scalar value.
func String(s string) Value { return Value{S: s} }

// List is a list value.
func List(l []string) Value { return Value{List: l, IsList: true} }

// Width is the line width new text is wrapped at.
const Width = 80

// SetField sets a field of an item (found again by section and key) to v,
// in place when the old value is a one-line scalar, else by rewriting the
// field's lines; a missing field is added after the item's last line.
func (f *File) SetField(section, key, field string, v Value) error {
	it, ok, err := f.Find(section, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no %s item %q", section, key)
	}
	m := it.Node
	for j := 0; j+1 < len(m.Content); j += 2 {
		k, old := m.Content[j], m.Content[j+1]
		if k.Value != field {
			continue
		}
		start, end := f.fieldSpan(it, j)
		if !v.IsList && old.Kind == yaml.ScalarNode && old.Line == k.Line && start == end &&
			old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !strings.Contains(v.S, "\n") {
			return f.setInline(old, v.S)
		}
		if v.IsList && old.Kind == yaml.SequenceNode && old.Style&yaml.FlowStyle != 0 && old.Line == k.Line && start == end {
			return f.setInlineList(old, v.List)
		}
		indent := strings.Repeat(" ", k.Column-1)
		return f.replace(start-1, end, renderField(indent, field, v, old.Style))
	}
	indent := strings.Repeat(" ", m.Content[0].Column-1)
	return f.replace(it.End, it.End, renderField(indent, field, v, 0))
}

// DeleteField removes a field of an item and its lines.
func (f *File) DeleteField(section, key, field string) error {
	it, ok, err := f.Find(section, key)
	if err != nil || !ok {
		return err
	}
	m := it.Node
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == field {
			if j == 0 {
				return fmt.Errorf("the first field of an item: %w", ErrUnsupported)
			}
			start, end := f.fieldSpan(it, j)
			return f.replace(start-1, end, nil)
		}
	}
	return nil
}

// fieldSpan returns the 1-based lines of the j-th key of an item's mapping.
func (f *File) fieldSpan(it Item, j int) (int, int) {
	m := it.Node
	start := m.Content[j].Line
	end := it.End
	if j+2 < len(m.Content) {
		end = m.Content[j+2].Line - 1
	}
	for end > start && blankOrComment(f.lines[end-1], m.Content[j].Column-1) {
		end--
	}
	return start, end
}

// column converts a 1-based character column of line to a byte offset.
func column(line string, col int) int {
	off := 0
	for i := 1; i < col && off < len(line); i++ {
		_, n := utf8.DecodeRuneInString(line[off:])
		off += n
	}
	return off
}

// tokenEnd returns the byte offset just after the scalar token starting at
// start (plain, single- or double-quoted).
func tokenEnd(line string, start int, style yaml.Style) int {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	case style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	default:
		end := len(line)
		if i := strings.Index(line[start:], " #"); i >= 0 {
			end = start + i
		}
		return start + len(strings.TrimRight(line[start:end], " \t"))
	}
	return -1
}

func (f *File) setInline(old *yaml.Node, s string) error {
	line := f.lines[old.Line-1]
	start := column(line, old.Column)
	end := tokenEnd(line, start, old.Style)
	if end < 0 {
		return fmt.Errorf("a multi-line quoted value: %w", ErrUnsupported)
	}
	tok := scalarToken(s, old.Style)
	return f.replace(old.Line-1, old.Line, []string{line[:start] + tok + line[end:]})
}

func (f *File) setInlineList(old *yaml.Node, l []string) error {
	line := f.lines[old.Line-1]
	start := column(line, old.Column)
	end := strings.IndexByte(line[start:], ']')
	if end < 0 {
		return fmt.Errorf("a multi-line flow list: %w", ErrUnsupported)
	}
	return f.replace(old.Line-1, old.Line, []string{line[:start] + flowList(l) + line[start+end+1:]})
}

// plainOK says s can be written unquoted and reads back as the same string
// (dates stay plain, as people write them).
func plainOK(s string) bool {
	if s == "" || strings.ContainsAny(s, "\n\t") || strings.TrimSpace(s) != s {
		return false
	}
	var n yaml.Node
	if yaml.Unmarshal([]byte("k: "+s), &n) != nil || len(n.Content) != 1 || len(n.Content[0].Content) != 2 {
		return false
	}
	v := n.Content[0].Content[1]
	if v.Kind != yaml.ScalarNode || v.Value != s || v.Style != 0 {
		return false
	}
	return v.Tag == "!!str" || v.Tag == "!!timestamp"
}

// scalarToken writes s as a one-line scalar, in style when it can.
func scalarToken(s string, style yaml.Style) string {
	switch {
	case style&yaml.SingleQuotedStyle != 0 && !strings.ContainsAny(s, "\n") && utf8.ValidString(s):
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	case style&yaml.DoubleQuotedStyle == 0 && plainOK(s):
		return s
	}
	return strconv.Quote(s)
}

func flowList(l []string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		if plainOK(s) && !strings.ContainsAny(s, ",[]{}") {
			parts[i] = s
		} else {
			parts[i] = strconv.Quote(s)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// foldable says s can be written as a folded block (>-) that reads back
// the same: words separated by single spaces.
func foldable(s string) bool {
	return s != "" && utf8.ValidString(s) && strings.TrimSpace(s) == s && !strings.ContainsAny(s, "\n\t\r") &&
		!strings.Contains(s, "  ") && strconv.CanBackquote(s)
}

// renderField writes "key: value" at indent, keeping a block style for
// long text (folded, wrapped at Width) as the examples do.
func renderField(indent, key string, v Value, style yaml.Style) []string {
	head := indent + key + ":"
	if v.IsList {
		return []string{head + " " + flowList(v.List)}
	}
	s := v.S
	block := style&(yaml.FoldedStyle|yaml.LiteralStyle) != 0 || len(head)+1+len(s) > Width
	if block && foldable(s) {
		out := []string{head + " >-"}
		pad := indent + "  "
		line := ""
		for _, w := range strings.Fields(s) {
			if line != "" && len(pad)+len(line)+1+len(w) > Width {
				out = append(out, pad+line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		return append(out, pad+line)
	}
	return []string{head + " " + scalarToken(s, style&^(yaml.FoldedStyle|yaml.LiteralStyle))}
}

// Field is a field of a new item, in order.
type Field struct {
	Key   string
	Value Value
}

// AppendItem adds an item at the end of a top-level list, creating the
// list (at the end of the file) when missing. Its indentation follows the
// list's other items, or the file's other lists.
func (f *File) AppendItem(section string, fields []Field) error {
	items, err := f.Items(section)
	if err != nil {
		return err
	}
	dash := f.dashIndent(items)
	lines := renderItem(dash, fields)
	if len(items) > 0 {
		return f.insertItemLines(items[len(items)-1].End, lines)
	}
	return f.addSection(section, lines)
}

// insertItemLines inserts lines after 1-based line at.
func (f *File) insertItemLines(at int, lines []string) error {
	return f.replace(at, at, lines)
}

// addSection writes an empty or missing section with its first item.
func (f *File) addSection(section string, lines []string) error {
	key, val, _ := f.section(section)
	if key != nil {
		if val.Line != key.Line && !(val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
			return fmt.Errorf("%s: %w", section, ErrUnsupported)
		}
		l := f.lines[key.Line-1]
		if i := strings.Index(l, " #"); i >= 0 && strings.Count(l[:i], "[") == 0 {
			l = l[:i]
		}
		head := strings.TrimRight(l[:column(l, key.Column)]+section+":", " ")
		if rest := strings.TrimSpace(l[column(l, key.Column)+len(section)+1:]); rest != "" && rest != "[]" && rest != "~" && rest != "null" {
			return fmt.Errorf("%s: %w", section, ErrUnsupported)
		}
		return f.replace(key.Line-1, key.Line, append([]string{head}, lines...))
	}
	var add []string
	if n := len(f.lines); n > 0 && strings.TrimSpace(f.lines[n-1]) != "" {
		add = append(add, "")
	}
	add = append(add, section+":")
	return f.replace(len(f.lines), len(f.lines), append(add, lines...))
}

// dashIndent is the indentation of new items: the list's own, else that of
// the file's first other block list, else two spaces.
func (f *File) dashIndent(items []Item) int {
	if len(items) > 0 {
		return items[0].Indent
	}
	for _, s := range []string{"decisions", "mitigations", "assumptions", "threats", "components", "flows", "assets", "boundaries"} {
		if its, err := f.Items(s); err == nil && len(its) > 0 {
			return its[0].Indent
		}
	}
	return 2
}

func renderItem(dash int, fields []Field) []string {
	pad := strings.Repeat(" ", dash)
	var out []string
	for i, fl := range fields {
		ls := renderField(pad+"  ", fl.Key, fl.Value, 0)
		if i == 0 {
			ls[0] = pad + "- " + strings.TrimLeft(ls[0], " ")
		}
		out = append(out, ls...)
	}
	return out
}

// ReplaceItem replaces an item's lines with text (an item de-indented to
// its dash, as Lines returns), re-indented to the item's dash.
func (f *File) ReplaceItem(section, key string, text []string) error {
	it, ok, err := f.Find(section, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no %s item %q", section, key)
	}
	return f.replace(it.Start-1, it.End, indentLines(text, it.Indent))
}

// AppendItemText adds an item given as text (de-indented to its dash).
func (f *File) AppendItemText(section string, text []string) error {
	items, err := f.Items(section)
	if err != nil {
		return err
	}
	lines := indentLines(text, f.dashIndent(items))
	if len(items) > 0 {
		return f.insertItemLines(items[len(items)-1].End, lines)
	}
	return f.addSection(section, lines)
}

// DeleteItem removes an item's lines; a list left empty becomes [].
func (f *File) DeleteItem(section, key string) error {
	items, err := f.Items(section)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Key != key {
			continue
		}
		if len(items) == 1 {
			k, _, _ := f.section(section)
			if err := f.replace(it.Start-1, it.End, nil); err != nil {
				return err
			}
			l := f.lines[k.Line-1]
			return f.replace(k.Line-1, k.Line, []string{strings.TrimRight(l, " ") + " []"})
		}
		return f.replace(it.Start-1, it.End, nil)
	}
	return nil
}

func indentLines(text []string, n int) []string {
	pad := strings.Repeat(" ", n)
	out := make([]string, len(text))
	for i, l := range text {
		if strings.TrimSpace(l) == "" {
			out[i] = ""
		} else {
			out[i] = pad + l
		}
	}
	return out
}

// Same says two YAML texts hold the same data: the same keys in the same
// order and the same scalar values, whatever their quoting, comments or
// layout.
func Same(a, b string) bool {
	var x, y yaml.Node
	if yaml.Unmarshal([]byte(a), &x) != nil || yaml.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return sameNode(&x, &y)
}

func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode && a.Value != b.Value {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
