package spec

import (
	"bytes"
	"runtime"
	"sync"

	"go.yaml.in/yaml/v4"
)

// Large models are parsed in parallel: a block-style file is cut into
// standalone pieces at top-level keys and, inside long sequences, at item
// boundaries; each piece is parsed on its own, its line numbers shifted to
// where it sits in the file, and the pieces are stitched into one document
// node. Anything unusual (anchors, aliases, tags, several documents, flow
// style at the top, a piece that does not parse on its own) falls back to one
// ordinary parse, which also gives the exact error position.

const (
	// parallelMin is the file size from which parsing is split.
	parallelMin = 1 << 20
	// pieceTarget is roughly how large each piece of a long sequence is.
	pieceTarget = 512 << 10
)

// ParseYAML parses any YAML document into the node tree yaml.Unmarshal
// into a yaml.Node gives (same kinds, tags, values, styles and positions;
// comments may be dropped), with the same errors, but several times faster
// on the plain subset models are written in. Importers of other tools'
// YAML files use it.
func ParseYAML(data []byte) (*yaml.Node, error) {
	if n, ok := fastParse(data); ok {
		return toYAML(n), nil
	}
	return parseGeneral(data)
}

// FastYAML parses data with the fast parser alone: the node tree
// yaml.Unmarshal into a yaml.Node gives (same kinds, tags, values, styles
// and positions) but without comments, when data is in the plain subset
// fastParse reads; ok is false otherwise (the caller then parses with
// yaml v4, which also reports errors).
func FastYAML(data []byte) (doc *yaml.Node, ok bool) {
	n, ok := fastParse(data)
	if !ok {
		return nil, false
	}
	return toYAML(n), true
}

// parseYAML parses data into a document node. Files in the plain subset of
// YAML that models are written in go through fastParse, which is faster
// than parsing in parallel; anything else goes to the general parser, in
// parallel pieces when the file is large (pieces again try fastParse).
func parseYAML(data []byte) (*ynode, error) {
	if n, ok := fastParse(data); ok {
		return n, nil
	}
	y, err := parseGeneral(data)
	if err != nil {
		return nil, err
	}
	return fromYAML(y), nil
}

// parseGeneral is parseYAML for files outside fastParse's subset.
func parseGeneral(data []byte) (*yaml.Node, error) {
	if len(data) >= parallelMin && runtime.GOMAXPROCS(0) > 1 {
		if n, ok := parseParallel(data, pieceTarget); ok {
			return n, nil
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	return &root, nil
}

// piece is a part of the file that parses on its own.
type piece struct {
	key       string // the top-level key it belongs to
	startLine int    // 1-based line of its first line in the file
	text      []byte // its lines, verbatim
	items     bool   // a run of sequence items (the key line is synthesised)
	node      *yaml.Node
	err       error
}

// unsplittable reports constructs that tie parts of a file together.
func unsplittable(data []byte) bool {
	for _, pat := range [][]byte{[]byte(": &"), []byte("- &"), []byte(": *"), []byte("- *"), []byte("[*"), []byte(", *"),
		[]byte("<<"), []byte(": !"), []byte("- !"), []byte("\t")} {
		if bytes.Contains(data, pat) {
			return true
		}
	}
	return false
}

func parseParallel(data []byte, target int) (*yaml.Node, bool) {
	if unsplittable(data) {
		return nil, false
	}
	pieces, ok := split(data, target)
	if !ok || len(pieces) < 2 {
		return nil, false
	}
	work := make(chan *piece)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				p.node, p.err = parsePiece(p)
			}
		}()
	}
	for _, p := range pieces {
		work <- p
	}
	close(work)
	wg.Wait()
	// Stitch: one mapping with each key once, long sequences joined.
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
	var lastSeq *yaml.Node
	for _, p := range pieces {
		if p.err != nil || p.node == nil || len(p.node.Content) != 1 {
			return nil, false
		}
		m := p.node.Content[0]
		if m.Kind != yaml.MappingNode || len(m.Content) != 2 || m.Content[0].Value != p.key {
			return nil, false
		}
		if p.items {
			v := m.Content[1]
			if v.Kind != yaml.SequenceNode || lastSeq == nil {
				return nil, false
			}
			lastSeq.Content = append(lastSeq.Content, v.Content...)
			continue
		}
		root.Content = append(root.Content, m.Content...)
		lastSeq = nil
		if v := m.Content[1]; v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 {
			lastSeq = v
		}
	}
	if len(root.Content) > 0 {
		root.Line, root.Column = root.Content[0].Line, root.Content[0].Column
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}, Line: root.Line, Column: root.Column}, true
}

func parsePiece(p *piece) (*yaml.Node, error) {
	buf, shift := p.text, p.startLine-1
	if p.items {
		// The key goes on the line just before the items.
		buf = make([]byte, 0, len(p.key)+2+len(p.text))
		buf = append(buf, p.key...)
		buf = append(buf, ":\n"...)
		buf = append(buf, p.text...)
		shift = p.startLine - 2
	}
	var n *yaml.Node
	if f, ok := fastParse(buf); ok {
		n = toYAML(f)
	} else {
		n = new(yaml.Node)
		if err := yaml.Unmarshal(buf, n); err != nil {
			return nil, err
		}
	}
	if shift > 0 {
		shiftLines(n, shift)
	}
	return n, nil
}

// shiftLines moves every node of a piece to its line in the whole file.
func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// split cuts data into pieces: one per top-level key, with long block
// sequences cut further at item boundaries.
func split(data []byte, target int) ([]*piece, bool) {
	type line struct {
		start, end int // byte offsets, end excludes the newline
	}
	var lines []line
	for off := 0; off < len(data); {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			lines = append(lines, line{off, len(data)})
			break
		}
		lines = append(lines, line{off, off + nl})
		off += nl + 1
	}
	text := func(l line) []byte { return data[l.start:l.end] }
	// Top-level keys: lines at column 0 that are not comments, items or blank.
	type section struct {
		key        string
		first, end int // line indexes [first, end)
	}
	var secs []section
	for i, l := range lines {
		t := text(l)
		if len(t) == 0 || t[0] == ' ' || t[0] == '#' {
			continue
		}
		if t[0] == '-' || t[0] == '%' || t[0] == '.' || t[0] == '{' || t[0] == '[' || t[0] == '"' || t[0] == '\'' || t[0] == '?' {
			if t[0] == '-' && len(secs) > 0 && (len(t) == 1 || t[1] == ' ') {
				continue // a zero-indented sequence item under the current key
			}
			return nil, false
		}
		colon := bytes.IndexByte(t, ':')
		if colon <= 0 || (colon+1 < len(t) && t[colon+1] != ' ') {
			return nil, false
		}
		key := string(t[:colon])
		if bytes.ContainsAny([]byte(key), " \"'#") {
			return nil, false
		}
		if len(secs) > 0 {
			secs[len(secs)-1].end = i
		} else if i > 0 {
			// Leading comments or blank lines belong to the first section.
		}
		secs = append(secs, section{key: key, first: i})
	}
	if len(secs) == 0 {
		return nil, false
	}
	secs[len(secs)-1].end = len(lines)
	bytesOf := func(a, b int) []byte { // lines [a, b) verbatim
		if a >= b {
			return nil
		}
		end := lines[b-1].end
		if end < len(data) {
			end++ // keep the newline
		}
		return data[lines[a].start:end]
	}
	var out []*piece
	for si, s := range secs {
		first := s.first
		if si == 0 {
			first = 0 // leading comments
		}
		size := lines[s.end-1].end - lines[s.first].start
		if size < 2*target {
			out = append(out, &piece{key: s.key, startLine: first + 1, text: bytesOf(first, s.end)})
			continue
		}
		// Find item starts: lines "<indent>- " with the first item's indent.
		indent := -1
		var starts []int
		for i := s.first + 1; i < s.end; i++ {
			t := text(lines[i])
			j := 0
			for j < len(t) && t[j] == ' ' {
				j++
			}
			if j == len(t) || t[j] == '#' {
				continue
			}
			if indent < 0 {
				if t[j] != '-' {
					break // not a block sequence
				}
				indent = j
			}
			if j == indent && t[j] == '-' && (j+1 == len(t) || t[j+1] == ' ') {
				starts = append(starts, i)
			} else if j <= indent && t[j] != '-' {
				return nil, false // something odd at the sequence's level
			}
		}
		if len(starts) < 4 {
			out = append(out, &piece{key: s.key, startLine: first + 1, text: bytesOf(first, s.end)})
			continue
		}
		// First piece: the key line plus a first run of items; then runs.
		cut := []int{first}
		acc := 0
		for k := 1; k < len(starts); k++ {
			acc += lines[starts[k]].start - lines[starts[k-1]].start
			if acc >= target {
				cut = append(cut, starts[k])
				acc = 0
			}
		}
		cut = append(cut, s.end)
		for k := 0; k+1 < len(cut); k++ {
			out = append(out, &piece{key: s.key, startLine: cut[k] + 1, text: bytesOf(cut[k], cut[k+1]), items: k > 0})
		}
	}
	return out, true
}

// toYAML returns the yaml.Node tree of a tree from fastParse (which holds
// no aliases), in two allocations.
func toYAML(n *ynode) *yaml.Node {
	count := 0
	var walk func(n *ynode)
	walk = func(n *ynode) {
		count++
		for i := range n.Content {
			walk(&n.Content[i])
		}
	}
	walk(n)
	nodes := make([]yaml.Node, count)
	ptrs := make([]*yaml.Node, count-1)
	var fill func(n *ynode) *yaml.Node
	fill = func(n *ynode) *yaml.Node {
		y := &nodes[0]
		nodes = nodes[1:]
		y.Kind, y.Style, y.Tag, y.Value, y.Line, y.Column = n.Kind, n.Style, n.Tag, n.Value, int(n.Line), int(n.Column)
		if k := len(n.Content); k > 0 {
			y.Content = ptrs[:k:k]
			ptrs = ptrs[k:]
			for i := range n.Content {
				y.Content[i] = fill(&n.Content[i])
			}
		}
		return y
	}
	return fill(n)
}

// fromYAML returns the ynode tree of a tree from the general parser. A node
// is placed before its children are, so an alias to a node being converted
// (one of its ancestors) finds it.
func fromYAML(root *yaml.Node) *ynode {
	at := map[*yaml.Node][]ynode{}
	var fill func(y *yaml.Node, slot []ynode)
	fill = func(y *yaml.Node, slot []ynode) {
		n := &slot[0]
		if y.Anchor != "" {
			at[y] = slot
		}
		*n = ynode{Kind: y.Kind, Style: y.Style, Tag: y.Tag, Value: y.Value, Line: int32(y.Line), Column: int32(y.Column)}
		if y.Kind == yaml.AliasNode {
			if y.Alias != nil {
				if t, ok := at[y.Alias]; ok {
					n.Content = t
				} else {
					// Not met before it (the parser does not give such
					// trees): convert the target on its own.
					t := make([]ynode, 1)
					at[y.Alias] = t
					fill(y.Alias, t)
					n.Content = t
				}
			}
			return
		}
		if len(y.Content) == 0 {
			return
		}
		kids := make([]ynode, len(y.Content))
		n.Content = kids
		for i, c := range y.Content {
			fill(c, kids[i:i+1:i+1])
		}
	}
	out := make([]ynode, 1)
	fill(root, out)
	return &out[0]
}
