package interop

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// The yaml emitter spends most of an import's time on per-event work
// (ward.yaml of a 2,000-asset model: 0.85 s of 2 s of CPU). fastYAML writes
// the common shape of the node trees toNode builds — block mappings and
// sequences, flow sequences and mappings of plain scalars, plain and
// literal strings, ints and bools — directly, and refuses (returns false)
// anything it is not sure to write byte for byte as the emitter does
// (yaml.NewEncoder, SetIndent(2), its default line width of 80); the caller
// then encodes that piece with the emitter. FuzzFastYAML and
// TestEncodeChunksAsWhole compare the two.

// yamlWidth is the emitter's preferred line width: a plain scalar is
// folded at the first single space after the column passes it, and a flow
// sequence would wrap (refused here).
const yamlWidth = 80

// fastYAML writes the document "key: val" to w, or returns false, leaving
// w as it was.
func fastYAML(w *bytes.Buffer, key string, val *yaml.Node) bool {
	start := w.Len()
	f := fastEmitter{w: w}
	if !f.mappingEntry(key, val, 0) {
		w.Truncate(start)
		return false
	}
	w.WriteByte('\n')
	return true
}

// fastEmitter writes a node tree. Its writers never end their last line:
// each new line is started by newline, and fastYAML ends the document.
type fastEmitter struct {
	w   *bytes.Buffer
	col int // column of the next character, in runes, as the emitter counts
}

func (f *fastEmitter) str(s string) {
	f.w.WriteString(s)
	f.col += utf8.RuneCountInString(s)
}

func (f *fastEmitter) newline(indent int) {
	f.w.WriteByte('\n')
	for range indent {
		f.w.WriteByte(' ')
	}
	f.col = indent
}

// mappingEntry writes "key: value" with the key at column indent.
func (f *fastEmitter) mappingEntry(key string, val *yaml.Node, indent int) bool {
	if !plainKey(key) {
		return false
	}
	f.str(key)
	f.str(":")
	switch val.Kind {
	case yaml.ScalarNode:
		switch val.Style {
		case 0:
			f.str(" ")
			return f.plain(val, indent+2, false)
		case yaml.LiteralStyle:
			return f.literal(val.Value, indent+2)
		}
	case yaml.SequenceNode:
		if val.Style&yaml.FlowStyle != 0 || len(val.Content) == 0 {
			f.str(" ")
			return f.flowSequence(val, indent+2)
		}
		for _, item := range val.Content {
			f.newline(indent + 2)
			if !f.sequenceItem(item, indent+2) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		if val.Style&yaml.FlowStyle != 0 || len(val.Content) == 0 {
			f.str(" ")
			return f.flowMapping(val, indent+2)
		}
		for i := 0; i+1 < len(val.Content); i += 2 {
			f.newline(indent + 2)
			if k := val.Content[i]; !plainKeyNode(k) || !f.mappingEntry(k.Value, val.Content[i+1], indent+2) {
				return false
			}
		}
		return true
	}
	return false
}

// sequenceItem writes "- item" with the dash at column indent.
func (f *fastEmitter) sequenceItem(item *yaml.Node, indent int) bool {
	f.str("- ")
	switch item.Kind {
	case yaml.ScalarNode:
		return item.Style == 0 && f.plain(item, indent+2, false)
	case yaml.MappingNode:
		if len(item.Content) == 0 {
			f.str("{}")
			return true
		}
		if item.Style&yaml.FlowStyle != 0 {
			return false
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if i > 0 {
				f.newline(indent + 2)
			}
			if k := item.Content[i]; !plainKeyNode(k) || !f.mappingEntry(k.Value, item.Content[i+1], indent+2) {
				return false
			}
		}
		return true
	}
	return false
}

// literal writes " |" (or " |-" without a final line break) and the lines
// at indent. Text starting with a space or a line break (which needs an
// indentation indicator), ending with more than one line break (kept with
// "+") or holding anything but printable characters is refused.
func (f *fastEmitter) literal(s string, indent int) bool {
	if s == "" || s[0] == ' ' || s[0] == '\n' || strings.HasSuffix(s, "\n\n") || !strings.Contains(s, "\n") {
		return false
	}
	if _, ok := printableCount(s, true); !ok {
		return false
	}
	body, chomp := s, "-"
	if strings.HasSuffix(s, "\n") {
		body, chomp = s[:len(s)-1], ""
	}
	f.str(" |" + chomp)
	for {
		line, rest, more := strings.Cut(body, "\n")
		if line == "" {
			f.w.WriteByte('\n')
			f.col = 0
		} else if f.newline(indent); more {
			f.w.WriteString(line) // the column is set again by the next line
		} else {
			f.str(line)
		}
		if !more {
			return true
		}
		body = rest
	}
}

// flowSequence writes "[a, b]" from the current column; items wrap to
// indent as the emitter wraps them (flowItem).
func (f *fastEmitter) flowSequence(n *yaml.Node, indent int) bool {
	f.str("[")
	for i, item := range n.Content {
		f.flowItem(i == 0, indent)
		if item.Kind != yaml.ScalarNode || item.Style != 0 || !f.plain(item, 0, true) {
			return false
		}
	}
	f.str("]")
	return true
}

// flowMapping writes "{k: v, k2: v2}" from the current column; entries
// wrap to indent as the emitter wraps them (flowItem).
func (f *fastEmitter) flowMapping(n *yaml.Node, indent int) bool {
	f.str("{")
	for i := 0; i+1 < len(n.Content); i += 2 {
		f.flowItem(i == 0, indent)
		k, v := n.Content[i], n.Content[i+1]
		if !plainKeyNode(k) || !flowSafe(k.Value) || v.Kind != yaml.ScalarNode || v.Style != 0 {
			return false
		}
		f.str(k.Value + ": ")
		if !f.plain(v, 0, true) {
			return false
		}
	}
	f.str("}")
	return true
}

// flowItem starts an item of a flow collection as the emitter does: a
// comma after the previous one; then, once the column has passed the line
// width, a new line at indent, else a space (none after the opening
// bracket).
func (f *fastEmitter) flowItem(first bool, indent int) {
	if !first {
		f.str(",")
	}
	switch {
	case f.col > yamlWidth:
		f.newline(indent)
	case !first:
		f.str(" ")
	}
}

// plain writes a scalar in plain style, folding long text in block
// context as the emitter does: at a single space, once the column has
// passed the line width, the line ends and the text goes on at indent.
func (f *fastEmitter) plain(n *yaml.Node, indent int, flow bool) bool {
	switch n.Tag {
	case "!!int":
		if !isDecimal(n.Value) {
			return false
		}
		f.str(n.Value)
		return true
	case "!!bool":
		if n.Value != "true" && n.Value != "false" {
			return false
		}
		f.str(n.Value)
		return true
	case "!!str":
		return f.plainString(n.Value, indent, flow)
	}
	return false
}

// plainString writes the string s as plain does a !!str scalar of it.
func (f *fastEmitter) plainString(s string, indent int, flow bool) bool {
	if !flow && isDate(s) {
		f.str(`"` + s + `"`) // a date would read as a timestamp: the emitter quotes it
		return true
	}
	if mustQuote(s, flow) {
		return f.singleQuoted(s, indent, flow)
	}
	if !plainString(s) || flow && !flowSafe(s) {
		return false
	}
	if flow || !strings.Contains(s, " ") {
		f.str(s)
		return true
	}
	if isASCII(s) {
		f.foldASCII(s, indent)
		return true
	}
	// The text between spaces is written whole; s ends with no space.
	prevSpace := false
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			f.str(s[i:])
			break
		}
		if j > 0 {
			f.str(s[i : i+j])
			prevSpace = false
		}
		i += j
		if !prevSpace && f.col > yamlWidth && s[i+1] != ' ' {
			f.newline(indent)
		} else {
			f.w.WriteByte(' ')
			f.col++
		}
		prevSpace = true
	}
	return true
}

// singleQuoted writes s in single quotes, as the emitter writes text that
// may not be plain (its quoting preference is single), quotes doubled. In
// block context long text is folded as the emitter folds it (at a single
// space that is neither the first nor the last character, once the column
// has passed the line width, the line ends and the text goes on at
// indent); in flow context text with a space the emitter could fold at is
// refused, as is text with a character it does not write as it is.
func (f *fastEmitter) singleQuoted(s string, indent int, flow bool) bool {
	n, ok := printableCount(s, false)
	if !ok {
		return false
	}
	if flow && (strings.Contains(s, "'") || strings.Contains(s, " ") && f.col+n+2 > yamlWidth) {
		return false
	}
	if n == len(s) && strings.IndexByte(s, '\'') < 0 { // ASCII, no quote to double
		f.w.WriteByte('\'')
		f.col++
		if flow {
			f.w.WriteString(s)
			f.col += len(s)
		} else {
			f.foldASCII(s, indent)
		}
		f.w.WriteByte('\'')
		f.col++
		return true
	}
	f.str("'")
	// The text between spaces and quotes is written whole.
	prevSpace := false
	for i := 0; i < len(s); i++ {
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\'' {
			j++
		}
		if j > i {
			f.str(s[i:j])
			prevSpace = false
		}
		if i = j; i == len(s) {
			break
		}
		if s[i] == '\'' {
			f.w.WriteString("''")
			f.col += 2
			prevSpace = false
			continue
		}
		if !prevSpace && !flow && f.col > yamlWidth && i > 0 && i < len(s)-1 && s[i+1] != ' ' {
			f.newline(indent)
		} else {
			f.w.WriteByte(' ')
			f.col++
		}
		prevSpace = true
	}
	f.str("'")
	return true
}

// foldASCII writes s, ASCII text with no quote to double, folded in block
// context as plainString and singleQuoted fold it a word at a time: at a
// space that is neither the first nor the last character, follows no
// space and is followed by none, once the column has passed the line
// width. The runs between the folds are written whole (one byte is one
// column), not word by word (the words were ≈ 8 % of an import's CPU).
func (f *fastEmitter) foldASCII(s string, indent int) {
	for st := 0; ; {
		// A fold at i needs f.col + (i - st) > yamlWidth.
		p := -1
		for i := max(st+yamlWidth-f.col+1, st, 1); i < len(s)-1; i++ {
			if s[i] == ' ' && s[i-1] != ' ' && s[i+1] != ' ' {
				p = i
				break
			}
		}
		if p < 0 {
			f.w.WriteString(s[st:])
			f.col += len(s) - st
			return
		}
		f.w.WriteString(s[st:p])
		f.newline(indent)
		st = p + 1
	}
}

// isASCII reports whether every byte of s is below 0x80.
func isASCII(s string) bool {
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		t := s[i : i+8]
		if (uint64(t[0])|uint64(t[1])<<8|uint64(t[2])<<16|uint64(t[3])<<24|
			uint64(t[4])<<32|uint64(t[5])<<40|uint64(t[6])<<48|uint64(t[7])<<56)&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// printableCount counts the runes of s and reports whether each is
// printable (printableRune), or a line break if breaks is set.
func printableCount(s string, breaks bool) (n int, ok bool) {
	for i := 0; i < len(s); n++ {
		// Eight printable ASCII bytes at a time (no byte ≥ 0x80, < 0x20
		// or 0x7f), the bulk of most text; any other word goes a byte at
		// a time.
		for len(s)-i >= 8 {
			t := s[i : i+8] // the compiler loads these as one word
			if !printable8(uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56) {
				break
			}
			i += 8
			n += 8
		}
		if i == len(s) {
			return n, true
		}
		if b := s[i]; b < utf8.RuneSelf {
			if (b < 0x20 || b == 0x7f) && !(breaks && b == '\n') {
				return n, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !printableRune(r) {
			return n, false
		}
		i += size
	}
	return n, true
}

// printable8 reports whether the eight bytes of x are all printable ASCII
// (0x20 to 0x7e).
func printable8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x&highs != 0 {
		return false
	}
	// With every byte below 0x80 no subtraction borrows across bytes: a
	// byte's high bit is set after it exactly when the byte was below the
	// bound (x - 0x20 per byte), or was 0x7f (x + 1 per byte).
	return (x-0x20*ones)&highs == 0 && (x+ones)&highs == 0
}

// mustQuote reports text the emitter certainly does not write plain: an
// indicator where YAML reads it as one (anywhere in flow context for
// ",?[]{}:"; ": ", " #" or a final ":" in block context; a leading
// indicator character) or a leading or trailing space.
func mustQuote(s string, flow bool) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune("#,[]{}&*!|>'\"%@`", rune(s[0])) || s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	if flow {
		return strings.ContainsAny(s, ",?[]{}:")
	}
	return strings.Contains(s, ": ") || strings.Contains(s, " #") || s[len(s)-1] == ':'
}

// plainKey reports a key the emitter writes plain as a simple key.
func plainKey(s string) bool { return len(s) <= 100 && plainString(s) }

// plainKeyNode reports a mapping key node fastYAML can write.
func plainKeyNode(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Style == 0 && (k.Tag == "" || k.Tag == "!!str") && plainKey(k.Value)
}

// plainString reports text the emitter is sure to write plain in block
// context. Deliberately narrower than YAML allows: it starts with a letter
// (so it cannot read as a number, a date, an indicator or a document
// marker), is not a word YAML reads as a bool or null, has no ": ", " #",
// trailing ":", tab, leading or trailing space, line break, or character
// the emitter escapes.
func plainString(s string) bool {
	if s == "" || !isLetter(s[0]) || s[len(s)-1] == ' ' || s[len(s)-1] == ':' || reservedWord(s) {
		return false
	}
	for i, r := range s {
		switch {
		case r == ':' && s[i+1] == ' ', r == '#' && s[i-1] == ' ':
			return false
		case r == ' ', r > ' ' && r < 0x7f:
		case r >= 0xa0 && printableRune(r):
		default:
			return false
		}
	}
	return true
}

// flowSafe reports text without the characters that end a plain scalar in
// flow context, and without spaces (which the emitter would fold).
func flowSafe(s string) bool { return !strings.ContainsAny(s, ",?[]{}:# ") }

// reservedWord reports words the emitter's resolver (YAML 1.2 core
// schema) reads as something other than a string, which it quotes; the
// YAML 1.1 words yes, no, on and off are strings to it and stay plain
// (TestFastYAMLMatchesEmitter checks both kinds).
func reservedWord(s string) bool {
	if len(s) > 5 {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "nan", "inf":
		return true
	}
	return false
}

// isDate reports a valid calendar date written YYYY-MM-DD (dates of
// decisions and mitigations are strings in the model), which the emitter's
// resolver would read as a timestamp.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isDecimal(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// printableRune reports the runes the emitter writes as they are (with
// unicode output), excluding every line break and the byte order mark.
// Its test (libyaml's isPrintable) takes no rune of four bytes in UTF-8
// (U+10000 and above, emoji among them): those are written double-quoted.
func printableRune(r rune) bool {
	switch {
	case r == utf8.RuneError, r == 0x85, r == 0x2028, r == 0x2029, r == 0xfeff:
		return false
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd:
		return true
	}
	return false
}
