package spec

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// ynode is a YAML node as the loader reads it: yaml.Node without comments,
// anchors and the stream, with 32-bit positions and its children held by
// value in one array (72 bytes a node against yaml.Node's 168, and no
// pointer array: at 10,000 components the tree is 1.1 million nodes, and
// garbage once decoded). An alias node (from the general parser only) holds
// its target as its one child: a slice of length one into the target's
// parent's array.
type ynode struct {
	Kind         yaml.Kind
	Style        yaml.Style
	Tag          string
	Value        string
	Content      []ynode
	Line, Column int32
}

// kid returns the i-th child of n.
func (n *ynode) kid(i int) *ynode { return &n.Content[i] }

// alias returns the node an alias node points at.
func (n *ynode) alias() *ynode {
	if len(n.Content) != 1 {
		return nil
	}
	return &n.Content[0]
}

// ShortTag is yaml.Node's ShortTag for the tags a ynode can hold.
func (n *ynode) ShortTag() string {
	if n.Tag != "" {
		return n.Tag
	}
	y := yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style}
	return y.ShortTag()
}

// fastParse parses the plain subset of YAML that threat models are written
// in, producing the same node tree as yaml.Unmarshal into a yaml.Node (kinds,
// tags, values, styles, lines and columns; comments are dropped), as ynodes
// (toYAML turns it into yaml.Nodes). It is several times faster than the
// general parser and allocates far less.
//
// It refuses (ok == false) anything outside the subset or anything it is not
// sure to read exactly as go.yaml.in/yaml/v4 does, and the caller then falls
// back to the general parser, which also reports errors. Outside the subset
// are: anchors, aliases, tags, directives, several documents, complex keys,
// multi-line scalars other than plain and single-quoted values in block
// context (fastmulti.go), block scalar indentation indicators,
// tabs, empty flow values, single-pair mappings in flow sequences and scalar
// documents.
func fastParse(data []byte) (doc *ynode, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, refused := r.(fastRefusal); !refused {
				// A bug here must not break loading: the general parser
				// decides. The fuzz test calls fastParseStrict to find them.
				doc, ok = nil, false
				return
			}
			doc, ok = nil, false
		}
	}()
	return fastParseStrict(data)
}

// fastRefusal is the panic value fastParse uses to give up.
type fastRefusal struct{}

// fastParseStrict is fastParse without the safety net for bugs: it panics
// with fastRefusal to refuse, and with anything else on a bug.
func fastParseStrict(data []byte) (*ynode, bool) {
	src, ascii, ok := fastPrepare(data)
	if !ok {
		return nil, false
	}
	p := &fastParser{s: src, ln: 1, ascii: ascii}
	p.chunk = min(max(len(src)/24, 16), 4096)
	return p.document(), true
}

const (
	fastMaxDepth  = 100
	fastMaxKeyLen = 1000
)

// Tags, as yaml v4 writes them in nodes.
const (
	tagStr       = "!!str"
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
	tagSeq       = "!!seq"
	tagMap       = "!!map"
)

type fastParser struct {
	s     string
	i     int // current offset
	ls    int // offset of the current line's start
	ln    int // current line, 1-based
	depth int
	ascii bool // the input is all ASCII: columns are byte offsets
	chunk int
	slab  []ynode // where collect puts children
	// batch, when streaming, holds the chunks slab is cut from.
	batch *streamBatch
	stack []ynode
	buf   []byte
}

func (p *fastParser) refuse() { panic(fastRefusal{}) }

// newline moves past the '\n' at p.i.
func (p *fastParser) newline() {
	p.i++
	p.ln++
	p.ls = p.i
}

// atEOF marks the end of input so that nothing is read again.
func (p *fastParser) atEOF() {
	p.i = len(p.s)
	p.ls = p.i
}

// col is the 1-based column of pos on the current line, in characters.
func (p *fastParser) col(pos int) int {
	if p.ascii {
		return 1 + pos - p.ls
	}
	seg := p.s[p.ls:pos]
	for k := 0; k < len(seg); k++ {
		if seg[k] >= 0x80 {
			return 1 + utf8.RuneCountInString(seg)
		}
	}
	return 1 + len(seg)
}

func (p *fastParser) node(kind yaml.Kind, tag, value string, style yaml.Style, line, col int) ynode {
	return ynode{Kind: kind, Tag: tag, Value: value, Style: style, Line: int32(line), Column: int32(col)}
}

// collect moves the children pushed since base into a content slice.
func (p *fastParser) collect(base int) []ynode {
	k := len(p.stack) - base
	if k == 0 {
		return nil
	}
	if len(p.slab) < k {
		if p.batch != nil {
			p.slab = p.batch.chunk(k)
		} else {
			p.slab = make([]ynode, max(k, p.chunk))
			p.chunk = min(p.chunk*2, 4096)
		}
	}
	out := p.slab[:k:k]
	p.slab = p.slab[k:]
	copy(out, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return out
}

func (p *fastParser) enter() {
	p.depth++
	if p.depth > fastMaxDepth {
		p.refuse()
	}
}

// blankAt reports whether k is past the end, a space or a line break.
func (p *fastParser) blankAt(k int) bool {
	return k >= len(p.s) || p.s[k] == ' ' || p.s[k] == '\n'
}

// nextSig moves from the start of the current line to the next line that is
// neither blank nor a comment, and returns its indentation (p.i is left at
// its start), or -1 at the end of the input.
func (p *fastParser) nextSig() int {
	p.i = p.ls
	for p.i < len(p.s) {
		j := p.i
		for j < len(p.s) && p.s[j] == ' ' {
			j++
		}
		if j == len(p.s) {
			break
		}
		switch p.s[j] {
		case '\n':
			p.i = j
			p.newline()
			continue
		case '#':
			k := strings.IndexByte(p.s[j:], '\n')
			if k < 0 {
				p.atEOF()
				return -1
			}
			p.i = j + k
			p.newline()
			continue
		}
		return j - p.ls
	}
	p.atEOF()
	return -1
}

// endLine checks that only spaces and a comment follow p.i on its line and
// moves to the next line.
func (p *fastParser) endLine() {
	j := p.i
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	if j < len(p.s) {
		switch p.s[j] {
		case '\n':
		case '#':
			if j == p.i && j > p.ls {
				p.refuse() // a comment must follow a space
			}
			k := strings.IndexByte(p.s[j:], '\n')
			if k < 0 {
				p.atEOF()
				return
			}
			j += k
		default:
			p.refuse()
		}
	}
	if j >= len(p.s) {
		p.atEOF()
		return
	}
	p.i = j
	p.newline()
}

func (p *fastParser) document() *ynode {
	ind := p.nextSig()
	if ind < 0 {
		p.refuse() // empty: yaml gives no document at all
	}
	doc := p.node(yaml.DocumentNode, "", "", 0, p.ln, ind+1)
	docs := []ynode{doc}
	ind = p.docStart(ind)
	root := p.block(ind)
	if p.nextSig() >= 0 {
		p.refuse()
	}
	docs[0].Content = []ynode{root}
	return &docs[0]
}

// block parses a block mapping or sequence whose first entry starts at p.i,
// at indentation ind.
func (p *fastParser) block(ind int) ynode {
	p.enter()
	var n ynode
	if p.s[p.i] == '-' && p.blankAt(p.i+1) {
		n = p.sequence(ind)
	} else {
		n = p.mapping(ind)
	}
	p.depth--
	return n
}

func (p *fastParser) sequence(ind int) ynode {
	n := p.node(yaml.SequenceNode, tagSeq, "", 0, p.ln, ind+1)
	base := len(p.stack)
	p.items(ind, func(v ynode) { p.stack = append(p.stack, v) })
	n.Content = p.collect(base)
	return n
}

// items parses the items of a block sequence at indentation ind, p.i at the
// '-' of the first, and hands each to each in order (sequence keeps them;
// the stream hands them over one by one).
func (p *fastParser) items(ind int, each func(ynode)) {
	for {
		line := p.ln
		p.i++
		each(p.value(ind, line, ind+2, true))
		ni := p.nextSig()
		if ni < ind {
			return
		}
		if ni > ind {
			p.refuse()
		}
		p.i = p.ls + ni
		if p.s[p.i] != '-' || !p.blankAt(p.i+1) {
			return
		}
	}
}

func (p *fastParser) mapping(ind int) ynode {
	n := p.node(yaml.MappingNode, tagMap, "", 0, p.ln, p.col(p.i))
	base := len(p.stack)
	for {
		// p.i is at the start of a key.
		k, colon := p.key()
		line, col := p.ln, p.col(colon)+1
		p.i = colon + 1
		v := p.value(ind, line, col, false)
		p.stack = append(p.stack, k, v)
		ni := p.nextSig()
		if ni < ind {
			break
		}
		if ni > ind {
			p.refuse()
		}
		p.i = p.ls + ni
	}
	n.Content = p.collect(base)
	return n
}

// key parses a simple key at p.i and returns it with the offset of its ':'.
func (p *fastParser) key() (ynode, int) {
	j := p.i
	line, col := p.ln, p.col(j)
	var k ynode
	colon := -1
	switch c := p.s[j]; c {
	case '"', '\'':
		v, end := p.quoted(j)
		for end < len(p.s) && p.s[end] == ' ' {
			end++
		}
		if end >= len(p.s) || p.s[end] != ':' || !p.blankAt(end+1) {
			p.refuse()
		}
		colon = end
		style := yaml.DoubleQuotedStyle
		if c == '\'' {
			style = yaml.SingleQuotedStyle
		}
		k = p.node(yaml.ScalarNode, tagStr, v, style, line, col)
	default:
		if !p.plainStart(j, false) {
			p.refuse()
		}
		end, stop := p.plainBlock(j)
		if stop >= len(p.s) || p.s[stop] != ':' {
			p.refuse()
		}
		colon = stop
		v := p.s[j:end]
		tag := resolveTag(v)
		if tag == tagMerge {
			p.refuse()
		}
		k = p.node(yaml.ScalarNode, tag, v, 0, line, col)
	}
	if colon-j > fastMaxKeyLen {
		p.refuse()
	}
	return k, colon
}

// plainStart reports whether a plain scalar may start at j (conservatively).
func (p *fastParser) plainStart(j int, flow bool) bool {
	switch p.s[j] {
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\n':
		return false
	case '-':
		if j+1 >= len(p.s) {
			return false
		}
		switch p.s[j+1] {
		case ' ', '\n':
			return false
		case ',', '[', ']', '{', '}', '#', ':':
			return !flow
		}
	}
	return true
}

// plainBlock scans a one-line plain scalar in block context starting at j. It
// returns the end of its text and where scanning stopped: at a line break,
// the end of input, a comment's '#' or a ':' that makes it a key.
func (p *fastParser) plainBlock(j int) (end, stop int) {
	s := p.s
	k := j
	end = j
	for k < len(s) {
		switch s[k] {
		case '\n':
			return end, k
		case ' ':
			k++
			continue
		case '#':
			if s[k-1] == ' ' {
				return end, k
			}
		case ':':
			if k+1 >= len(s) || s[k+1] == ' ' || s[k+1] == '\n' {
				return end, k
			}
		}
		k++
		end = k
	}
	return end, k
}

// value parses what follows a '-' or a key's ':' at p.i: a node on the same
// line, a block collection on the following lines or nothing (null, placed
// at line, col). ind is the indentation of the collection holding it.
func (p *fastParser) value(ind, line, col int, item bool) ynode {
	j := p.i
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	if j >= len(p.s) || p.s[j] == '\n' || (p.s[j] == '#' && j > p.i) {
		p.endLine()
		ni := p.nextSig()
		if ni > ind {
			p.i = p.ls + ni
			return p.block(ni)
		}
		if ni == ind && !item {
			p.i = p.ls + ni
			if p.s[p.i] == '-' && p.blankAt(p.i+1) {
				p.enter()
				n := p.sequence(ind)
				p.depth--
				return n
			}
		}
		return p.node(yaml.ScalarNode, tagNull, "", 0, line, col)
	}
	if j == p.i {
		p.refuse()
	}
	p.i = j
	switch c := p.s[j]; c {
	case '|', '>':
		return p.blockScalar(ind, c == '|')
	case '[', '{':
		p.enter()
		n := p.flow(ind)
		p.depth--
		p.endLine()
		return n
	case '"', '\'':
		at, atCol := p.ln, p.col(j)
		var v string
		var end int
		multi := false // multi-line, in fastmulti.go
		if c == '\'' {
			v, end, multi = p.singleQuoted(j, ind)
		} else {
			v, end = p.quoted(j)
		}
		k := end
		for k < len(p.s) && p.s[k] == ' ' {
			k++
		}
		if k < len(p.s) && p.s[k] == ':' {
			if !item || multi || !p.blankAt(k+1) {
				p.refuse()
			}
			return p.compact(j)
		}
		style := yaml.DoubleQuotedStyle
		if c == '\'' {
			style = yaml.SingleQuotedStyle
		}
		n := p.node(yaml.ScalarNode, tagStr, v, style, at, atCol)
		p.i = end
		p.endLine()
		return n
	}
	if !p.plainStart(j, false) {
		p.refuse()
	}
	end, stop := p.plainBlock(j)
	if stop < len(p.s) && p.s[stop] == ':' {
		if !item {
			p.refuse()
		}
		return p.compact(j)
	}
	at, atCol := p.ln, p.col(j)
	v := p.s[j:end]
	if stop < len(p.s) && p.s[stop] == '\n' {
		if more, ok := p.plainMore(j, end, stop, ind); ok { // fastmulti.go
			v, end = more, p.i
		}
	}
	tag := resolveTag(v)
	if tag == tagMerge {
		p.refuse()
	}
	n := p.node(yaml.ScalarNode, tag, v, 0, at, atCol)
	p.i = end
	p.endLine()
	return n
}

// compact parses a mapping that starts on the line of a sequence item's '-'.
func (p *fastParser) compact(j int) ynode {
	p.i = j
	p.enter()
	n := p.mapping(j - p.ls) // only spaces and '-' come before it
	p.depth--
	return n
}

// docStart steps over a "---" document start on the first significant line
// (indentation ind) and returns the indentation of the line the document's
// content starts on, with p.i there.
func (p *fastParser) docStart(ind int) int {
	if ind == 0 && strings.HasPrefix(p.s[p.ls:], "---") {
		p.i = p.ls + 3
		if !p.blankAt(p.i) {
			p.refuse()
		}
		p.endLine()
		if ind = p.nextSig(); ind < 0 {
			p.refuse()
		}
	}
	p.i = p.ls + ind
	return ind
}
