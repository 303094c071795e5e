package spec

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

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

// fastPrepare checks the characters of data and returns it as a string with
// CRLF line ends turned into LF, and whether it is all ASCII. It refuses control characters (tabs
// included), characters YAML treats as line breaks other than LF and CRLF,
// byte order marks, invalid UTF-8, directives, document end markers and
// document start markers other than one before any content.
func fastPrepare(data []byte) (src string, ascii, ok bool) {
	return fastPrepareSplit(data, prepareSplit, false)
}

// prepareSplit is the size from which fastPrepare checks the two halves of
// the data at once, on two goroutines (a 10,000-component model is 12 MB,
// ≈ 15 ms of checking on the load's serial path).
const prepareSplit = 1 << 20

// fastPrepareSplit is fastPrepare, checking data in two halves at once when
// it has at least split bytes. With owned, nothing writes to data again
// (the loader's own buffer): the string is data's memory, not a copy (a
// 10,000-component model is 12 MB, all of it live as the model's strings).
func fastPrepareSplit(data []byte, split int, owned bool) (src string, ascii, ok bool) {
	if bytes.IndexByte(data, '\r') >= 0 {
		out := make([]byte, 0, len(data))
		for i := 0; i < len(data); i++ {
			if data[i] == '\r' {
				if i+1 >= len(data) || data[i+1] != '\n' {
					return "", false, false
				}
				continue
			}
			out = append(out, data[i])
		}
		data, owned = out, true // a copy of its own
	}
	if len(data) >= split && split > 0 {
		// The second half starts at a line. Once a line with content has
		// been seen, checking a line depends on nothing before it, so the
		// second half is checked as if the first had content, and kept if
		// the first half does have some (otherwise the whole is checked
		// again in one piece). The string is copied beside the check.
		if nl := bytes.IndexByte(data[len(data)/2:], '\n'); nl >= 0 {
			cut := len(data)/2 + nl + 1
			var ascii2, ok2 bool
			var text string
			done := make(chan struct{})
			go func() {
				defer close(done)
				ascii2, ok2, _ = prepareScan(data[cut:], true)
				if ok2 && !owned {
					text = string(data)
				}
			}()
			ascii1, ok1, content := prepareScan(data[:cut], false)
			<-done
			if !ok1 || content && !ok2 {
				return "", false, false
			}
			if content {
				if owned {
					text = unsafe.String(unsafe.SliceData(data), len(data))
				}
				return text, ascii1 && ascii2, true
			}
		}
	}
	ascii, ok, _ = prepareScan(data, false)
	if !ok {
		return "", false, false
	}
	if owned {
		return unsafe.String(unsafe.SliceData(data), len(data)), ascii, true
	}
	return string(data), ascii, true
}

// prepareScan checks the characters of data as fastPrepare does, data
// starting at a line; content says a line other than blank or comment came
// before it. It reports whether data is all ASCII, whether it passed, and
// whether a line with content has been seen by its end.
func prepareScan(data []byte, content bool) (ascii, ok, hasContent bool) {
	ascii = true
	markers := 0
	lineStart := true
	for i := 0; i < len(data); {
		c := data[i]
		if lineStart {
			lineStart = false
			rest := data[i:]
			switch {
			case c != '%' && c != '.' && c != '-' && content:
			case c == '%' || bytes.HasPrefix(rest, []byte("...")):
				return false, false, content
			case bytes.HasPrefix(rest, []byte("---")):
				// Only one start marker, before any content.
				if content || markers > 0 {
					return false, false, content
				}
				markers++
			case !content:
				j := 0
				for j < len(rest) && rest[j] == ' ' {
					j++
				}
				if j < len(rest) && rest[j] != '\n' && rest[j] != '#' {
					content = true
				}
			}
		}
		if fastPlainByte[c] {
			i++
			for i < len(data) && fastPlainByte[data[i]] {
				i++
			}
			continue
		}
		if c < 0x80 {
			if c == '\n' {
				lineStart = true
			} else {
				return false, false, content // control characters
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
			r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false, false, content
		}
		i += size
	}
	return ascii, true, content
}

// fastPlainByte marks the ASCII characters that need no check.
var fastPlainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	return t
}()

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

// quoted scans a one-line quoted scalar starting at j and returns its value
// and the offset after the closing quote.
func (p *fastParser) quoted(j int) (string, int) {
	s := p.s
	if s[j] == '\'' {
		k := j + 1
		for {
			q := strings.IndexByte(s[k:], '\'')
			nl := strings.IndexByte(s[k:], '\n')
			if q < 0 || (nl >= 0 && nl < q) {
				p.refuse()
			}
			k += q
			if k+1 < len(s) && s[k+1] == '\'' {
				k += 2
				continue
			}
			break
		}
		v := s[j+1 : k]
		if strings.Contains(v, "''") {
			v = strings.ReplaceAll(v, "''", "'")
		}
		return v, k + 1
	}
	k := j + 1
	for k < len(s) && s[k] != '"' && s[k] != '\\' && s[k] != '\n' {
		k++
	}
	if k >= len(s) || s[k] == '\n' {
		p.refuse()
	}
	if s[k] == '"' {
		return s[j+1 : k], k + 1
	}
	b := append(p.buf[:0], s[j+1:k]...)
	for {
		if k >= len(s) || s[k] == '\n' {
			p.refuse()
		}
		c := s[k]
		if c == '"' {
			break
		}
		if c != '\\' {
			b = append(b, c)
			k++
			continue
		}
		if k+1 >= len(s) {
			p.refuse()
		}
		code := 0
		switch s[k+1] {
		case '0':
			b = append(b, 0)
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 't':
			b = append(b, '\t')
		case 'n':
			b = append(b, '\n')
		case 'v':
			b = append(b, '\v')
		case 'f':
			b = append(b, '\f')
		case 'r':
			b = append(b, '\r')
		case 'e':
			b = append(b, 0x1b)
		case ' ':
			b = append(b, ' ')
		case '"':
			b = append(b, '"')
		case '/':
			b = append(b, '/')
		case '\\':
			b = append(b, '\\')
		case 'N':
			b = append(b, "\u0085"...)
		case '_':
			b = append(b, "\u00a0"...)
		case 'L':
			b = append(b, "\u2028"...)
		case 'P':
			b = append(b, "\u2029"...)
		case 'x':
			code = 2
		case 'u':
			code = 4
		case 'U':
			code = 8
		default:
			p.refuse()
		}
		k += 2
		if code > 0 {
			if k+code > len(s) {
				p.refuse()
			}
			v, err := strconv.ParseUint(s[k:k+code], 16, 32)
			if err != nil || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff {
				p.refuse()
			}
			b = utf8.AppendRune(b, rune(v))
			k += code
		}
	}
	p.buf = b
	return string(b), k + 1
}

// blockScalar parses a literal or folded block scalar whose indicator is at
// p.i, held by a collection at indentation ind. It is a port of yaml v4's
// scanner, restricted to inputs that end with a line break.
func (p *fastParser) blockScalar(ind int, literal bool) ynode {
	s := p.s
	line, col := p.ln, p.col(p.i)
	k := p.i + 1
	chomp := 0
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		chomp = 1
		if s[k] == '-' {
			chomp = -1
		}
		k++
	}
	if k < len(s) && s[k] != ' ' && s[k] != '\n' {
		p.refuse() // indentation indicators and anything else
	}
	p.i = k
	p.endLine()
	if len(s) == 0 || s[len(s)-1] != '\n' {
		p.refuse() // yaml v4 has special cases for an unterminated last line
	}
	// Columns below are 1-based, as in yaml v4; parentIndent is the
	// holding collection's column.
	parentIndent := ind + 1
	indent := 0
	var out []byte
	trailing := 0 // line breaks seen since the last content line
	leadingBreak := false
	breaks := func() {
		maxIndent := 0
		for {
			for (indent == 0 || p.i-p.ls+1 < indent) && p.i < len(s) && s[p.i] == ' ' {
				p.i++
			}
			if c := p.i - p.ls + 1; c > maxIndent {
				maxIndent = c
			}
			if p.i < len(s) && s[p.i] == '\n' {
				trailing++
				p.newline()
				continue
			}
			break
		}
		if indent == 0 {
			if maxIndent > 1 && p.i < len(s) && p.i-p.ls+1 < maxIndent {
				p.refuse() // leading blank lines longer than the first content line
			}
			indent = max(maxIndent, parentIndent+1, 1)
		}
	}
	breaks()
	leadingBlank := false
	for p.i < len(s) && p.i-p.ls+1 == indent {
		trailingBlank := s[p.i] == ' '
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				out = append(out, ' ')
			}
		} else if leadingBreak {
			out = append(out, '\n')
		}
		leadingBreak = false
		for ; trailing > 0; trailing-- {
			out = append(out, '\n')
		}
		leadingBlank = s[p.i] == ' '
		e := strings.IndexByte(s[p.i:], '\n')
		if e < 0 {
			p.refuse()
		}
		out = append(out, s[p.i:p.i+e]...)
		p.i += e
		p.newline()
		leadingBreak = true
		breaks()
	}
	if chomp != -1 && leadingBreak {
		out = append(out, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			out = append(out, '\n')
		}
	}
	style := yaml.FoldedStyle
	if literal {
		style = yaml.LiteralStyle
	}
	// The scalar ends before a less indented line, or at the end.
	if p.i >= len(s) {
		p.atEOF()
	} else {
		p.i = p.ls
	}
	return p.node(yaml.ScalarNode, tagStr, string(out), style, line, col)
}

// flow parses a flow collection starting at p.i, inside a block collection
// at indentation ind; lines it continues on must be indented more.
func (p *fastParser) flow(ind int) ynode {
	s := p.s
	open := s[p.i]
	kind, tag, closer := yaml.SequenceNode, tagSeq, byte(']')
	if open == '{' {
		kind, tag, closer = yaml.MappingNode, tagMap, '}'
	}
	n := p.node(kind, tag, "", yaml.FlowStyle, p.ln, p.col(p.i))
	p.i++
	base := len(p.stack)
	p.flowSkip(ind)
	if s[p.i] == closer {
		p.i++
		n.Content = p.collect(base)
		return n
	}
	for {
		if kind == yaml.MappingNode {
			line := p.ln
			k := p.flowItem(ind)
			if k.Kind != yaml.ScalarNode || p.ln != line {
				p.refuse()
			}
			for p.i < len(s) && s[p.i] == ' ' {
				p.i++
			}
			if p.i >= len(s) || s[p.i] != ':' || !p.blankAt(p.i+1) {
				p.refuse()
			}
			p.i++
			p.flowSkip(ind)
			v := p.flowItem(ind)
			p.stack = append(p.stack, k, v)
		} else {
			v := p.flowItem(ind)
			p.stack = append(p.stack, v)
		}
		p.flowSkip(ind)
		c := s[p.i]
		if c == closer {
			break
		}
		if c != ',' {
			p.refuse()
		}
		p.i++
		p.flowSkip(ind)
		if s[p.i] == closer {
			break
		}
	}
	p.i++
	n.Content = p.collect(base)
	return n
}

// flowSkip skips spaces, comments and line breaks inside a flow collection,
// and leaves p.i at a character (refusing the end of input).
func (p *fastParser) flowSkip(ind int) {
	s := p.s
	for {
		start := p.i
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		if p.i >= len(s) {
			p.refuse()
		}
		switch s[p.i] {
		case '#':
			if p.i == start && p.i > p.ls {
				p.refuse()
			}
			e := strings.IndexByte(s[p.i:], '\n')
			if e < 0 {
				p.refuse()
			}
			p.i += e
			fallthrough
		case '\n':
			p.newline()
			j := p.i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j < len(s) && s[j] != '\n' && s[j] != '#' && j-p.ls <= ind &&
				!(j-p.ls == ind && (s[j] == ']' || s[j] == '}')) {
				p.refuse() // only a closing bracket may be as indented as the block
			}
			continue
		}
		return
	}
}

// flowItem parses a node inside a flow collection.
func (p *fastParser) flowItem(ind int) ynode {
	s := p.s
	j := p.i
	switch c := s[j]; c {
	case '[', '{':
		p.enter()
		n := p.flow(ind)
		p.depth--
		return n
	case '"', '\'':
		v, end := p.quoted(j)
		style := yaml.DoubleQuotedStyle
		if c == '\'' {
			style = yaml.SingleQuotedStyle
		}
		p.i = end
		return p.node(yaml.ScalarNode, tagStr, v, style, p.ln, p.col(j))
	}
	if !p.plainStart(j, true) {
		p.refuse()
	}
	k := j
	end := j
scan:
	for k < len(s) {
		switch s[k] {
		case '\n', ',', '[', ']', '{', '}':
			break scan
		case ' ':
			k++
			continue
		case '#':
			if s[k-1] == ' ' {
				break scan
			}
		case ':':
			if k+1 >= len(s) || s[k+1] == ' ' || s[k+1] == '\n' {
				break scan
			}
			switch s[k+1] {
			case ',', '[', ']', '{', '}', '#', ':':
				p.refuse()
			}
		}
		k++
		end = k
	}
	v := s[j:end]
	tag := resolveTag(v)
	if tag == tagMerge {
		p.refuse()
	}
	p.i = end
	return p.node(yaml.ScalarNode, tag, v, 0, p.ln, p.col(j))
}

// resolveTag is yaml v4's tag resolution for plain scalars.
func resolveTag(v string) string {
	if v == "" {
		return tagNull
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return tagBool
	case "~", "null", "Null", "NULL":
		return tagNull
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "-0", "-0.0":
		return tagFloat
	case "<<":
		return tagMerge
	}
	switch c := v[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return tagFloat
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if isTimestamp(v) {
			return tagTimestamp
		}
		plain := v
		if strings.IndexByte(v, '_') >= 0 {
			plain = strings.ReplaceAll(v, "_", "")
		}
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return tagInt
		}
		if _, err := strconv.ParseUint(strings.TrimPrefix(plain, "+"), 0, 64); err == nil {
			return tagInt
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return tagFloat
			}
		}
	}
	return tagStr
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$`)

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp is yaml v4's test for plain timestamps.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
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
