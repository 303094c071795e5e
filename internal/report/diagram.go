package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DiagramOptions narrow a data-flow diagram so large models stay readable.
// Both may be set; the diagram then shows what satisfies both.
type DiagramOptions struct {
	// Boundary shows only the components inside this trust boundary (and the
	// boundaries nested in it), plus their direct neighbours.
	Boundary string
	// Asset shows only the components that store or process this asset and
	// the flows that carry it (with their ends).
	Asset string
}

// Validate reports an unknown boundary or asset, listing the valid ids.
func (o DiagramOptions) Validate(r *Result) error {
	if o.Boundary != "" {
		ids := make([]string, 0, len(r.Boundaries))
		found := false
		for _, b := range r.Boundaries {
			ids = append(ids, b.ID)
			found = found || b.ID == o.Boundary
		}
		if !found {
			return fmt.Errorf("unknown boundary %q (boundaries: %s)", o.Boundary, idList(ids))
		}
	}
	if o.Asset != "" {
		ids := make([]string, 0, len(r.Assets))
		found := false
		for _, a := range r.Assets {
			ids = append(ids, a.ID)
			found = found || a.ID == o.Asset
		}
		if !found {
			return fmt.Errorf("unknown asset %q (assets: %s)", o.Asset, idList(ids))
		}
	}
	return nil
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none in the model"
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

// view is the part of the diagram to draw, in model order.
type view struct {
	r *Result
	// components and flows point into r: a large model's copies were
	// most of what a diagram allocated.
	components []*Component
	flows      []*Flow
	// shown marks the components drawn.
	shown map[string]bool
	// boundaries to draw, each with its children and components in order.
	bounds    map[string]bool
	children  map[string][]Boundary
	inside    map[string][]*Component
	top       []Boundary
	unbounded []*Component
	assetName map[string]string
	// asset is the asset the view is of (DiagramOptions.Asset), or "".
	asset string
	// compNode and boundNode are the node ids of components and
	// boundaries, by model id.
	compNode  map[string]string
	boundNode map[string]string
}

// newView selects what opt asks for and lays it out by boundary.
func newView(r *Result, opt DiagramOptions) (*view, error) {
	if err := opt.Validate(r); err != nil {
		return nil, err
	}
	v := &view{r: r, shown: map[string]bool{}, bounds: map[string]bool{}, children: map[string][]Boundary{},
		inside: map[string][]*Component{}, assetName: make(map[string]string, len(r.Assets)),
		compNode: make(map[string]string, len(r.Components)), boundNode: make(map[string]string, len(r.Boundaries))}
	for _, a := range r.Assets {
		v.assetName[a.ID] = a.Name
	}
	v.asset = opt.Asset
	parent := map[string]string{}
	for _, b := range r.Boundaries {
		parent[b.ID] = b.Parent
	}
	// within reports whether boundary id is opt.Boundary or nested in it.
	within := func(id string) bool {
		for seen := 0; id != "" && seen <= len(parent); seen++ {
			if id == opt.Boundary {
				return true
			}
			id = parent[id]
		}
		return false
	}
	compBoundary := make(map[string]string, len(r.Components))
	for _, c := range r.Components {
		compBoundary[c.ID] = c.Boundary
	}
	inBoundary := func(id string) bool { return opt.Boundary == "" || within(compBoundary[id]) }
	core := map[string]bool{}
	for _, c := range r.Components {
		core[c.ID] = inBoundary(c.ID) && (opt.Asset == "" || contains(c.Stores, opt.Asset) || contains(c.Processes, opt.Asset))
		if core[c.ID] {
			v.shown[c.ID] = true
		}
	}
	if opt.Boundary == "" && opt.Asset == "" {
		v.flows = make([]*Flow, 0, len(r.Flows)) // all of them: no regrowth of a large list
	}
	for i := range r.Flows {
		f := &r.Flows[i]
		if !inBoundary(f.From) && !inBoundary(f.To) {
			continue
		}
		if opt.Asset != "" && !contains(f.Carries, opt.Asset) {
			continue
		}
		v.flows = append(v.flows, f)
		v.shown[f.From], v.shown[f.To] = true, true
	}
	for i := range r.Components {
		if c := &r.Components[i]; v.shown[c.ID] {
			v.components = append(v.components, c)
		}
	}
	// Boundaries drawn: the selected one and those nested in it, and every
	// boundary holding a drawn component, with their parents.
	for _, b := range r.Boundaries {
		if opt.Boundary != "" && within(b.ID) {
			v.bounds[b.ID] = true
		}
	}
	if opt.Boundary == "" && opt.Asset == "" {
		for _, b := range r.Boundaries {
			v.bounds[b.ID] = true
		}
	}
	for _, c := range v.components {
		for id, n := c.Boundary, 0; id != "" && n <= len(parent); id, n = parent[id], n+1 {
			v.bounds[id] = true
		}
	}
	for id := range v.bounds {
		for p, n := parent[id], 0; p != "" && n <= len(parent); p, n = parent[p], n+1 {
			v.bounds[p] = true
		}
	}
	for _, b := range r.Boundaries {
		if !v.bounds[b.ID] {
			continue
		}
		if _, ok := parent[b.Parent]; b.Parent == "" || !ok {
			v.top = append(v.top, b)
		} else {
			v.children[b.Parent] = append(v.children[b.Parent], b)
		}
	}
	for _, c := range v.components {
		if _, ok := parent[c.Boundary]; c.Boundary != "" && ok {
			v.inside[c.Boundary] = append(v.inside[c.Boundary], c)
		} else {
			v.unbounded = append(v.unbounded, c)
		}
	}
	// Node ids: letters, digits and underscores only, unique, prefixed so
	// they never clash with keywords (end, subgraph, graph, node, edge).
	used := make(map[string]bool, len(r.Boundaries)+len(r.Components))
	for _, b := range r.Boundaries {
		v.boundNode[b.ID] = uniqueID(used, sanitizeIDAfter("b_", b.ID))
	}
	for _, c := range r.Components {
		v.compNode[c.ID] = uniqueID(used, sanitizeIDAfter("c_", c.ID))
	}
	return v, nil
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

// sanitizeIDAfter is prefix and id mapped to letters, digits and
// underscores, in one allocation: other bytes (model ids allow '.', '-'
// and '_') become '_', one for each rune.
func sanitizeIDAfter(prefix, id string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(id))
	b.WriteString(prefix)
	for i := 0; i < len(id); {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			b.WriteByte(c)
			i++
		case c < utf8.RuneSelf:
			b.WriteByte('_')
			i++
		default: // one '_' a rune (an invalid byte counts as one)
			_, n := utf8.DecodeRuneInString(id[i:])
			b.WriteByte('_')
			i += n
		}
	}
	return b.String()
}

func uniqueID(used map[string]bool, id string) string {
	out := id
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s_%d", id, n)
	}
	used[out] = true
	return out
}

// kindInferred reports whether the loader read the component's kind from
// its name (the model stated service): diagrams mark it (componentLabel).
func (c *Component) kindInferred() bool { return slices.Contains(c.Inferred, "kind") }

func (v *view) comp(id string) string     { return v.compNode[id] }
func (v *view) boundary(id string) string { return v.boundNode[id] }

// heldLine is, in the view of one asset, how component c holds it when
// c holds it only by Ward's reading of its flows (its stores or processes
// inferred, model.InferHeld): "stores NAME (inferred)"; "" otherwise. The
// view draws the components that hold the asset, and a guess is marked.
func (v *view) heldLine(c *Component) string {
	if v.asset == "" {
		return ""
	}
	name := v.carried(v.asset)
	switch {
	case contains(c.Stores, v.asset) && slices.Contains(c.Inferred, "stores"):
		return "stores " + name + InferredMark
	case contains(c.Processes, v.asset) && slices.Contains(c.Inferred, "processes") && !contains(c.Stores, v.asset):
		return "processes " + name + InferredMark
	}
	return ""
}

// carriedInferred is InferredMark when what flow f carries was read from
// the store it reaches (model.InferCarried), "" otherwise.
func carriedInferred(f Flow) string {
	if slices.Contains(f.Inferred, "carries") {
		return InferredMark
	}
	return ""
}

// componentLabel is the component's name with its technology (or its
// kind when it states none). A kind the loader inferred from the name
// (kindInferred) is always shown, marked " (inferred)" (InferredMark), on
// its own line under the technology when there is one.
func componentLabel(c Component) []string {
	lines := []string{c.Name}
	if c.Tech != "" {
		lines = append(lines, c.Tech)
		if c.kindInferred() {
			lines = append(lines, c.Kind+InferredMark)
		}
	} else if c.kindInferred() {
		lines = append(lines, c.Kind+InferredMark)
	} else {
		lines = append(lines, c.Kind)
	}
	if c.OutOfScope {
		lines = append(lines, "out of scope")
	}
	return lines
}

// flowLabel is the protocol (and port), the assets carried, and warnings
// for flows explicitly unencrypted or unauthenticated.
func (v *view) flowLabel(f Flow) []string {
	var lines []string
	if f.Protocol != "" {
		p := f.Protocol
		if f.Port != 0 {
			p = fmt.Sprintf("%s:%d", p, f.Port)
		}
		lines = append(lines, p)
	}
	if len(f.Carries) > 0 {
		names := make([]string, len(f.Carries))
		for i, a := range f.Carries {
			names[i] = v.assetName[a]
			if names[i] == "" {
				names[i] = a
			}
		}
		lines = append(lines, strings.Join(names, ", ")+carriedInferred(f))
	}
	if m := flowMarks(f); m != "" {
		lines = append(lines, m)
	}
	return lines
}

func flowMarks(f Flow) string {
	var marks []string
	if f.Encryption == "none" {
		marks = append(marks, "unencrypted")
	}
	if f.Authentication == "none" {
		marks = append(marks, "unauthenticated")
	}
	if len(marks) == 0 {
		return ""
	}
	return "⚠ " + strings.Join(marks, ", ")
}

func boundaryLabel(b Boundary) string {
	return b.Name + " · " + b.Trust
}

// severityStyle is the fill and stroke used for a worst open severity.
var severityStyle = map[string][2]string{
	"critical": {"#f8d7da", "#c92a2a"},
	"high":     {"#ffe8cc", "#e8590c"},
	"medium":   {"#fff3bf", "#f08c00"},
	"low":      {"#e7f5ff", "#1971c2"},
	"info":     {"#f1f3f5", "#868e96"},
}

var severityOrder = []string{"critical", "high", "medium", "low", "info"}

// Mermaid writes the data-flow diagram as a Mermaid flowchart: trust
// boundaries as nested subgraphs, components shaped by kind and coloured by
// their worst open severity, flows labelled with protocol and assets.
func Mermaid(w io.Writer, r *Result, opt DiagramOptions) error {
	v, err := newView(r, opt)
	if err != nil {
		return err
	}
	ew := &errWriter{w: w}
	// The boundaries and nodes are appended to one buffer, written once:
	// at 10,000 components a line at a time through fmt was most of the
	// diagram's time on one core.
	buf := append(make([]byte, 0, 64<<10), "flowchart LR\n"...)
	var walk func(b Boundary, depth int)
	walk = func(b Boundary, depth int) {
		ind := strings.Repeat("  ", depth)
		buf = append(append(append(buf, ind...), "subgraph "...), v.boundary(b.ID)...)
		buf = append(appendMermaidText(append(buf, "[\""...), boundaryLabel(b)), "\"]\n"...)
		for _, c := range v.inside[b.ID] {
			buf = append(v.appendMermaidNode(append(append(buf, ind...), "  "...), c), '\n')
		}
		for _, ch := range v.children[b.ID] {
			walk(ch, depth+1)
		}
		buf = append(append(buf, ind...), "end\n"...)
	}
	for _, b := range v.top {
		walk(b, 1)
	}
	for _, c := range v.unbounded {
		buf = append(v.appendMermaidNode(append(buf, "  "...), c), '\n')
	}
	ew.write(buf)
	// The flows' lines (most of a large diagram) in chunks on all cores
	// (writeChunks): the view is only read.
	if ew.err == nil {
		var pool chunkPool
		ew.err = writeChunks(w, len(v.flows), 4*jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
			for _, f := range v.flows[lo:hi] {
				dst = v.appendMermaidFlow(dst, f)
			}
			return dst, nil
		})
	}
	// Styles: one class per severity in use, out-of-scope components
	// dashed, and each flow's line in its worst open severity's colour.
	bySev := map[string][]string{}
	var oos []string
	for _, c := range v.components {
		if _, ok := severityStyle[c.Worst]; ok {
			bySev[c.Worst] = append(bySev[c.Worst], v.comp(c.ID))
		} else if c.OutOfScope {
			oos = append(oos, v.comp(c.ID))
		}
	}
	for _, s := range severityOrder {
		if ids := bySev[s]; len(ids) > 0 {
			st := severityStyle[s]
			ew.printf("  classDef %s fill:%s,stroke:%s,stroke-width:2px\n", s, st[0], st[1])
			ew.printf("  class %s %s\n", strings.Join(ids, ","), s)
		}
	}
	if len(oos) > 0 {
		ew.printf("  classDef outOfScope fill:#ffffff,stroke:#adb5bd,stroke-dasharray:4 3,color:#868e96\n")
		ew.printf("  class %s outOfScope\n", strings.Join(oos, ","))
	}
	buf = buf[:0]
	for i, f := range v.flows {
		if st, ok := severityStyle[f.Worst]; ok {
			buf = strconv.AppendInt(append(buf, "  linkStyle "...), int64(i), 10)
			buf = append(append(append(buf, " stroke:"...), st[1]...), ",stroke-width:2px\n"...)
			if len(buf) >= 64<<10 {
				ew.write(buf)
				buf = buf[:0]
			}
		}
	}
	ew.write(buf)
	return ew.err
}

// appendMermaidFlow appends a flow's line: its ends, the arrow (dotted
// when flowMarks warns) and the label flowLabel gives, each line escaped
// (mermaidText) and joined by <br/>. Appended in place: at 50,000 flows
// the strings flowLabel and mermaidLines make were most of a Markdown
// render's allocations (TestMermaidFlowLine compares the two).
func (v *view) appendMermaidFlow(dst []byte, f *Flow) []byte {
	unenc, unauth := f.Encryption == "none", f.Authentication == "none"
	arrow := "-->"
	if unenc || unauth {
		arrow = "-.->"
	}
	dst = append(append(append(append(dst, "  "...), v.comp(f.From)...), ' '), arrow...)
	if f.Protocol == "" && len(f.Carries) == 0 && !unenc && !unauth {
		return append(append(append(dst, ' '), v.comp(f.To)...), '\n')
	}
	dst = append(dst, "|\""...)
	sep := false
	if f.Protocol != "" {
		if f.Port != 0 {
			// The port joins the protocol before escaping, as in flowLabel.
			if mermaidPlain(f.Protocol) {
				dst = strconv.AppendInt(append(append(dst, f.Protocol...), ':'), int64(f.Port), 10)
			} else {
				dst = appendMermaidText(dst, fmt.Sprintf("%s:%d", f.Protocol, f.Port))
			}
		} else {
			dst = appendMermaidText(dst, f.Protocol)
		}
		sep = true
	}
	if len(f.Carries) > 0 {
		if sep {
			dst = append(dst, "<br/>"...)
		}
		if mermaidJoinPlain(v, f.Carries) {
			for i, a := range f.Carries {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(dst, v.carried(a)...)
			}
		} else {
			names := make([]string, len(f.Carries))
			for i, a := range f.Carries {
				names[i] = v.carried(a)
			}
			dst = append(dst, mermaidText(strings.Join(names, ", "))...)
		}
		dst = append(dst, carriedInferred(*f)...)
		sep = true
	}
	if unenc || unauth {
		if sep {
			dst = append(dst, "<br/>"...)
		}
		dst = append(dst, flowMarks(*f)...)
	}
	return append(append(append(dst, "\"| "...), v.comp(f.To)...), '\n')
}

// carried is the name shown for an asset a flow carries.
func (v *view) carried(id string) string {
	if n := v.assetName[id]; n != "" {
		return n
	}
	return id
}

// mermaidJoinPlain says whether the names of the assets are all plain
// (mermaidPlain): their join is then its own escape.
func mermaidJoinPlain(v *view, ids []string) bool {
	for _, a := range ids {
		if !mermaidPlain(v.carried(a)) {
			return false
		}
	}
	return true
}

// mermaidSpecial marks the bytes mermaidEscaper replaces.
var mermaidSpecial = func() (t [256]bool) {
	for _, b := range []byte("#\"<>&`\r\n") {
		t[b] = true
	}
	return t
}()

// mermaidPlain says whether mermaidText(s) is s.
func mermaidPlain(s string) bool {
	if mayHideString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if mermaidSpecial[s[i]] {
			return false
		}
	}
	return true
}

// appendMermaidText appends mermaidText(s).
func appendMermaidText(dst []byte, s string) []byte {
	if mermaidPlain(s) {
		return append(dst, s...)
	}
	return append(dst, mermaidText(s)...)
}

// appendMermaidNode appends component c's node: its id, the shape of its
// kind and its label (name, then technology or kind, an inferred kind
// marked as componentLabel marks it, then "out of scope" when it is), each
// line escaped (mermaidText) and joined by <br/>.
func (v *view) appendMermaidNode(dst []byte, c *Component) []byte {
	open, close := mermaidShape(c.Kind)
	dst = append(append(append(dst, v.comp(c.ID)...), open...), '"')
	dst = appendMermaidText(dst, c.Name)
	dst = append(dst, "<br/>"...)
	if c.Tech != "" {
		dst = appendMermaidText(dst, c.Tech)
		if c.kindInferred() {
			dst = append(appendMermaidText(append(dst, "<br/>"...), c.Kind), InferredMark...)
		}
	} else {
		dst = appendMermaidText(dst, c.Kind)
		if c.kindInferred() {
			dst = append(dst, InferredMark...)
		}
	}
	if h := v.heldLine(c); h != "" {
		dst = appendMermaidText(append(dst, "<br/>"...), h)
	}
	if c.OutOfScope {
		dst = append(dst, "<br/>out of scope"...)
	}
	return append(append(dst, '"'), close...)
}

// mermaidShape returns the brackets of a component kind's node shape.
func mermaidShape(kind string) (string, string) {
	switch kind {
	case "person":
		return "([", "])"
	case "client", "device":
		return "[/", "\\]"
	case "function":
		return "(", ")"
	case "datastore", "storage":
		return "[(", ")]"
	case "queue":
		return ">", "]"
	case "external":
		return "{{", "}}"
	case "llm", "agent":
		return "[/", "/]"
	}
	return "[", "]"
}

func mermaidLines(lines []string) string {
	for i, l := range lines {
		lines[i] = mermaidText(l)
	}
	return strings.Join(lines, "<br/>")
}

// mermaidText escapes text for a quoted Mermaid label with entity codes.
var mermaidEscaper = strings.NewReplacer(
	"#", "#35;",
	"\"", "#quot;",
	"<", "#lt;",
	">", "#gt;",
	"&", "#amp;",
	"`", "#96;",
	"\r\n", " ",
	"\n", " ",
	"\r", " ",
)

func mermaidText(s string) string { return mermaidEscaper.Replace(mdControls(s)) }

// DOT writes the data-flow diagram in Graphviz DOT: trust boundaries as
// nested clusters, components shaped by kind and filled by their worst open
// severity, flows labelled with protocol and assets.
func DOT(w io.Writer, r *Result, opt DiagramOptions) error {
	v, err := newView(r, opt)
	if err != nil {
		return err
	}
	return v.writeDOT(w, nil)
}

// dotLinks, when set, gives every drawn component and flow an SVG id, a
// class naming its worst open severity, a tooltip and a link to its
// findings (see svg.go). DOT output for people leaves it nil.
type dotLinks struct {
	// open counts open findings per component or flow id.
	open map[string]int
}

// writeDOT writes the view in DOT, with links when l is not nil.
func (v *view) writeDOT(w io.Writer, l *dotLinks) error {
	r := v.r
	ew := &errWriter{w: w}
	ew.printf("digraph %s {\n", dotQuote(r.System.ID))
	ew.printf("  rankdir=LR;\n")
	ew.printf("  graph [fontname=\"Helvetica\", fontsize=11];\n")
	ew.printf("  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#ffffff\", color=\"#495057\"];\n")
	ew.printf("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#495057\"];\n")
	if l != nil {
		ew.printf("%s", l.tuning(len(v.flows)))
	}
	var walk func(b Boundary, depth int)
	walk = func(b Boundary, depth int) {
		ind := strings.Repeat("  ", depth)
		ew.printf("%ssubgraph cluster_%s {\n", ind, v.boundary(b.ID))
		ew.printf("%s  label=%s;\n", ind, dotQuote(boundaryLabel(b)))
		ew.printf("%s  style=%s; color=%s;\n", ind, dotQuote(trustStyle(b.Trust)), dotQuote("#868e96"))
		if l != nil {
			ew.printf("%s  id=%s;\n", ind, dotQuote("b-"+b.ID))
		}
		for _, c := range v.inside[b.ID] {
			ew.printf("%s  %s\n", ind, v.dotNode(*c, l))
		}
		for _, ch := range v.children[b.ID] {
			walk(ch, depth+1)
		}
		ew.printf("%s}\n", ind)
	}
	for _, b := range v.top {
		walk(b, 1)
	}
	for _, c := range v.unbounded {
		ew.printf("  %s\n", v.dotNode(*c, l))
	}
	for _, f := range v.flows {
		label := strings.Join(v.flowLabel(*f), "\n")
		attrs := []string{"label=" + dotQuote(label)}
		if l != nil && len(v.flows) > svgLabelledFlows {
			attrs = nil
		}
		if flowMarks(*f) != "" {
			attrs = append(attrs, "style=dashed")
		}
		if st, ok := severityStyle[f.Worst]; ok {
			attrs = append(attrs, "color="+dotQuote(st[1]), "penwidth=2")
		}
		if l != nil {
			attrs = append(attrs, l.attrs("fl-"+f.ID, f.Worst, f.From+" → "+f.To+": "+strings.ReplaceAll(label, "\n", ", "), l.open[f.ID])...)
		}
		ew.printf("  %s -> %s [%s];\n", v.comp(f.From), v.comp(f.To), strings.Join(attrs, ", "))
	}
	ew.printf("}\n")
	return ew.err
}

// trustStyle draws less trusted boundaries with a bolder dashed line.
func trustStyle(trust string) string {
	switch trust {
	case "internet":
		return "dashed,bold"
	case "partner":
		return "dashed"
	case "restricted":
		return "bold,rounded"
	}
	return "rounded"
}

func (v *view) dotNode(c Component, l *dotLinks) string {
	shape, style := dotShape(c.Kind)
	lines := componentLabel(c)
	if h := v.heldLine(&c); h != "" {
		// Before "out of scope", as the Mermaid node has it.
		n := len(lines)
		if c.OutOfScope {
			n--
		}
		lines = slices.Insert(lines, n, h)
	}
	attrs := []string{"label=" + dotQuote(strings.Join(lines, "\n")), "shape=" + shape}
	if st, ok := severityStyle[c.Worst]; ok {
		attrs = append(attrs, "fillcolor="+dotQuote(st[0]), "color="+dotQuote(st[1]), "penwidth=2")
	} else if c.OutOfScope {
		style += ",dashed"
		attrs = append(attrs, "fontcolor="+dotQuote("#868e96"), "color="+dotQuote("#adb5bd"))
	}
	attrs = append(attrs, "style="+dotQuote(style))
	if l != nil {
		kind := c.Kind
		if c.kindInferred() {
			kind += ", inferred"
		}
		attrs = append(attrs, l.attrs("c-"+c.ID, c.Worst, c.Name+" ("+kind+")", l.open[c.ID])...)
	}
	return fmt.Sprintf("%s [%s];", v.comp(c.ID), strings.Join(attrs, ", "))
}

// dotShape returns a component kind's Graphviz shape and style.
func dotShape(kind string) (string, string) {
	switch kind {
	case "person":
		return "ellipse", "filled"
	case "client", "device":
		return "trapezium", "filled"
	case "function":
		return "box", "filled,rounded"
	case "datastore", "storage":
		return "cylinder", "filled"
	case "queue":
		return "cds", "filled"
	case "external":
		return "hexagon", "filled"
	case "llm", "agent":
		return "parallelogram", "filled"
	}
	return "box", "filled"
}

// dotEscapes escapes a DOT string's quotes and backslashes and makes
// newlines centred line breaks.
var dotEscapes = strings.NewReplacer("\\", "\\\\", "\"", "\\\"", "\r\n", "\\n", "\n", "\\n", "\r", "\\n")

// dotQuote quotes s as a DOT string; newlines become centred line breaks.
func dotQuote(s string) string {
	s = dotEscapes.Replace(s)
	return "\"" + s + "\""
}
