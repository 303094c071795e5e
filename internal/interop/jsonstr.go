package interop

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The JSON reader's strings and numbers (JSONR's structure is in
// jsonread.go, its values for interfaces and pointers in jsonvalues.go).

// Strings reads an array of strings into *dst (null leaves it as it was).
func (r *JSONR) Strings(dst *[]string) {
	// The strings are gathered in a list the reader reuses and copied out
	// at their number: one allocation per list instead of one per
	// doubling (an import's lists are short and many).
	buf := r.strs[:0]
	if r.Array(func() {
		if r.Null() {
			buf = append(buf, "") // null stores nothing in the new element
		} else {
			buf = append(buf, r.Str())
		}
	}) {
		out := make([]string, len(buf))
		copy(out, buf)
		*dst = out
	}
	clear(buf)
	r.strs = buf[:0]
}

// StrInto reads a string into *dst; null leaves it as it was.
func (r *JSONR) StrInto(dst *string) {
	if !r.Null() {
		*dst = r.Str()
	}
}

// Str reads a string.
func (r *JSONR) Str() string {
	if r.peek() != '"' {
		r.Refuse()
	}
	start := r.i
	k := bytes.IndexByte(r.b[start+1:], '"')
	if k < 0 {
		r.Refuse()
	}
	s := r.b[start+1 : start+1+k]
	ascii := true
	// Eight bytes at a time while none is a control byte or a backslash
	// (most of a file's text), then a byte at a time.
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		if plainJSON8(x) {
			ascii = ascii && x&highBits == 0
			continue
		}
		break
	}
	for _, c := range s[i:] {
		if c < 0x20 || c == '\\' {
			return r.escaped(start, k)
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(s) {
		return r.slowStr(start) // encoding/json puts U+FFFD for the bad bytes
	}
	r.i = start + 2 + k
	return r.str(s)
}

// str makes a string of b, a part of the input: shared with it
// (FastJSONShared) or copied.
func (r *JSONR) str(b []byte) string {
	if r.shared && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// plainJSON8 reports whether none of the eight bytes of x is below 0x20 or
// a backslash: the bytes Str reads on (FuzzJSONRStr).
func plainJSON8(x uint64) bool {
	// A byte below n sets its high bit in (x - n) &^ x, and a zero byte
	// of y = x ^ '\\' marks a backslash; a borrow can only follow a byte
	// that is itself found, so the test is exact as a whole.
	below := (x - 0x20*lowBits) &^ x
	y := x ^ ('\\' * lowBits)
	backslash := (y - lowBits) &^ y
	return (below|backslash)&highBits == 0
}

// escaped reads the string at start, which has escapes or invalid UTF-8;
// size (the bytes up to the first quote) sizes the result. Runs of bytes
// without escapes are copied whole, and the result is built in place
// (strings.Builder), not copied at the end. Surrogate escapes and invalid
// UTF-8 are left to encoding/json (slowStr).
func (r *JSONR) escaped(start, size int) string {
	b := r.b
	var out strings.Builder
	out.Grow(size)
	j := start + 1
	for {
		k, ascii := j, true
		for ; len(b)-k >= 8; k += 8 { // eight bytes at a time, as Str
			x := binary.LittleEndian.Uint64(b[k:])
			y := x ^ ('"' * lowBits)
			if !plainJSON8(x) || (y-lowBits)&^y&highBits != 0 {
				break
			}
			ascii = ascii && x&highBits == 0
		}
		for k < len(b) {
			c := b[k]
			if c < 0x20 || c == '"' || c == '\\' {
				break
			}
			if c >= utf8.RuneSelf {
				ascii = false
			}
			k++
		}
		// A rune's bytes are all >= 0x80, so no run ends inside one:
		// the run is valid UTF-8 exactly when each of its runes is.
		if !ascii && !utf8.Valid(b[j:k]) {
			return r.slowStr(start)
		}
		out.Write(b[j:k])
		j = k
		if j >= len(b) {
			r.Refuse()
		}
		c := b[j]
		switch {
		case c == '"':
			r.i = j + 1
			return out.String()
		case c < 0x20:
			r.Refuse()
		}
		// c is a backslash.
		if j+1 >= len(b) {
			r.Refuse()
		}
		e := b[j+1]
		switch e {
		case '"', '\\', '/':
		case 'b':
			e = '\b'
		case 'f':
			e = '\f'
		case 'n':
			e = '\n'
		case 'r':
			e = '\r'
		case 't':
			e = '\t'
		case 'u':
			if j+6 > len(b) {
				r.Refuse()
			}
			v, err := strconv.ParseUint(string(b[j+2:j+6]), 16, 32)
			if err != nil || b[j+2] == '+' || b[j+2] == '-' {
				r.Refuse()
			}
			if v >= 0xd800 && v < 0xe000 {
				return r.slowStr(start)
			}
			out.WriteRune(rune(v))
			j += 6
			continue
		default:
			r.Refuse()
		}
		out.WriteByte(e)
		j += 2
	}
}

// slowStr reads the string at start with encoding/json itself.
func (r *JSONR) slowStr(start int) string {
	j := start + 1
	for {
		if j >= len(r.b) {
			r.Refuse()
		}
		switch c := r.b[j]; {
		case c == '\\':
			j += 2
			continue
		case c == '"':
		case c < 0x20:
			r.Refuse()
		default:
			j++
			continue
		}
		break
	}
	if j >= len(r.b) {
		r.Refuse()
	}
	var s string
	if json.Unmarshal(r.b[start:j+1], &s) != nil {
		r.Refuse()
	}
	r.i = j + 1
	return s
}

// number returns the next number's text, checked against JSON's grammar.
func (r *JSONR) number() []byte {
	r.ws()
	b, i := r.b, r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		r.Refuse()
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			r.Refuse()
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			r.Refuse()
		}
	}
	num := b[r.i:i]
	r.i = i
	r.delim()
	return num
}

// IntInto reads an integer into *dst; null leaves it as it was. Anything
// encoding/json would not store in an int (a fraction, an exponent, out
// of range) is refused.
func (r *JSONR) IntInto(dst *int) {
	if r.Null() {
		return
	}
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		r.Refuse()
	}
	n, err := strconv.ParseInt(string(r.number()), 10, 64)
	if err != nil {
		r.Refuse()
	}
	*dst = int(n)
}

// FloatInto reads a number into *dst; null leaves it as it was.
func (r *JSONR) FloatInto(dst *float64) {
	if r.Null() {
		return
	}
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		r.Refuse()
	}
	f, err := strconv.ParseFloat(string(r.number()), 64)
	if err != nil {
		r.Refuse()
	}
	*dst = f
}

// skipStr reads a string and drops it.
func (r *JSONR) skipStr() {
	b := r.b
	j := r.i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			r.Refuse()
		}
		end := j + k
		for j < end {
			c := b[j]
			if c < 0x20 {
				r.Refuse()
			}
			if c != '\\' {
				j++
				continue
			}
			if j+1 >= len(b) {
				r.Refuse()
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) {
					r.Refuse()
				}
				for _, h := range b[j+2 : j+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						r.Refuse()
					}
				}
				j += 6
			default:
				r.Refuse()
			}
		}
		if j == end {
			r.i = end + 1
			return
		}
		// An escape took the quote found (\"): look for the next one.
	}
}
