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

// JSONR reads a JSON document into an importer's own types without
// reflection: what json.Unmarshal would store, for the documents it is sure
// of. It refuses (FastJSON returns false) anything else — a syntax error, a
// value of the wrong type, a key that differs from a field's only in case
// (encoding/json would take it), a field given twice, a number it does not
// read as encoding/json does — and the caller decodes with DecodeJSON, which
// gives the error as before. The importers' fuzz tests compare both decodes.
type JSONR struct {
	b []byte
	i int
	// shared: the strings read without escapes share b's memory instead
	// of copying it (FastJSONShared).
	shared bool
	// strs is Strings' list, reused.
	strs []string
}

// jsonRefusal is the panic value JSONR uses to give up.
type jsonRefusal struct{}

// Refuse gives up on the document.
func (r *JSONR) Refuse() { panic(jsonRefusal{}) }

// FastJSON decodes data with read, which reads the one value of the document
// through r; it reports false when read refused, when anything but white
// space follows the value, or when the document nests deeper than
// MaxJSONDepth.
func FastJSON(data []byte, read func(r *JSONR)) (ok bool) {
	return fastJSON(data, read, false)
}

// FastJSONShared is FastJSON whose strings share data's memory where they
// stand in it unescaped (most of a file's text): no copy is made of them,
// and data must not change while anything read from it is in use. It is
// for an importer whose caller hands it data to keep (interop.Importer).
func FastJSONShared(data []byte, read func(r *JSONR)) (ok bool) {
	return fastJSON(data, read, true)
}

func fastJSON(data []byte, read func(r *JSONR), shared bool) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if _, refused := v.(jsonRefusal); !refused {
				panic(v)
			}
			ok = false
		}
	}()
	if _, deep := tooDeep(data, MaxJSONDepth); deep {
		return false // the reader recurses: left to encoding/json's limits
	}
	r := &JSONR{b: data, shared: shared}
	read(r)
	r.ws()
	return r.i == len(r.b)
}

func (r *JSONR) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next significant byte (0 at the end).
func (r *JSONR) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// Null reads a null if one comes next and reports whether it did.
func (r *JSONR) Null() bool {
	if r.peek() != 'n' {
		return false
	}
	r.literal("null")
	return true
}

func (r *JSONR) literal(lit string) {
	if !bytes.HasPrefix(r.b[r.i:], []byte(lit)) {
		r.Refuse()
	}
	r.i += len(lit)
	r.delim()
}

// delim checks that a literal or number is followed by what may follow a
// value.
func (r *JSONR) delim() {
	if r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			r.Refuse()
		}
	}
}

// Object reads an object (or null, leaving everything as it was), calling
// field for each key; field returns false for a key it does not know, whose
// value is then read and dropped. known lists the keys field knows: a key
// equal to one of them but for case is refused (encoding/json would store
// it), as is a known key given twice.
func (r *JSONR) Object(known []string, field func(key string) bool) {
	if r.Null() {
		return
	}
	if r.peek() != '{' {
		r.Refuse()
	}
	r.i++
	var seen uint64
	if r.peek() == '}' {
		r.i++
		return
	}
	for {
		if r.peek() != '"' {
			r.Refuse()
		}
		key := r.rawKey()
		if r.peek() != ':' {
			r.Refuse()
		}
		r.i++
		k := -1
		for j, f := range known {
			if f == key {
				k = j
				break
			}
		}
		if k < 0 {
			for _, f := range known {
				if len(f) == len(key) && bytes.EqualFold([]byte(f), []byte(key)) {
					r.Refuse()
				}
			}
			r.Skip()
		} else {
			if k >= 64 || seen&(1<<k) != 0 {
				r.Refuse()
			}
			seen |= 1 << k
			if !field(known[k]) {
				r.Refuse() // known lists a key field does not read
			}
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return
		default:
			r.Refuse()
		}
	}
}

// rawKey reads a key with no escapes, as it stands in the input (a key
// needing unescaping is refused).
func (r *JSONR) rawKey() string {
	j := r.i + 1
	for j < len(r.b) && r.b[j] != '"' {
		if c := r.b[j]; c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			r.Refuse()
		}
		j++
	}
	if j >= len(r.b) {
		r.Refuse()
	}
	key := r.str(r.b[r.i+1 : j])
	r.i = j + 1
	return key
}

// Array reads an array, calling item for each element. A null leaves the
// slice as it was (nil), which Array reports as false; an empty array is
// reported true, for the caller to store an empty, non-nil slice as
// encoding/json does.
func (r *JSONR) Array(item func()) bool {
	if r.Null() {
		return false
	}
	if r.peek() != '[' {
		r.Refuse()
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		return true
	}
	for {
		item()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return true
		default:
			r.Refuse()
		}
	}
}

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

// Any reads a value as encoding/json stores it in an interface: nil, bool,
// float64, string, []any or map[string]any.
func (r *JSONR) Any() any {
	switch c := r.peek(); {
	case c == 'n':
		r.literal("null")
		return nil
	case c == 't':
		r.literal("true")
		return true
	case c == 'f':
		r.literal("false")
		return false
	case c == '"':
		return r.Str()
	case c == '-' || c >= '0' && c <= '9':
		f, err := strconv.ParseFloat(string(r.number()), 64)
		if err != nil {
			r.Refuse()
		}
		return f
	case c == '[':
		out := []any{}
		r.Array(func() { out = append(out, r.Any()) })
		return out
	case c == '{':
		r.i++
		m := map[string]any{}
		if r.peek() == '}' {
			r.i++
			return m
		}
		for {
			if r.peek() != '"' {
				r.Refuse()
			}
			k := r.Str()
			if r.peek() != ':' {
				r.Refuse()
			}
			r.i++
			m[k] = r.Any()
			switch r.peek() {
			case ',':
				r.i++
			case '}':
				r.i++
				return m
			default:
				r.Refuse()
			}
		}
	}
	r.Refuse()
	return nil
}

// Skip reads a value and drops it, checking it as encoding/json would
// without keeping anything.
func (r *JSONR) Skip() {
	switch c := r.peek(); {
	case c == '"':
		r.skipStr()
	case c == '{':
		r.i++
		if r.peek() == '}' {
			r.i++
			return
		}
		for {
			if r.peek() != '"' {
				r.Refuse()
			}
			r.skipStr()
			if r.peek() != ':' {
				r.Refuse()
			}
			r.i++
			r.Skip()
			switch r.peek() {
			case ',':
				r.i++
			case '}':
				r.i++
				return
			default:
				r.Refuse()
			}
		}
	case c == '[':
		r.Array(r.Skip)
	default:
		r.Any() // a literal or a number: nothing to allocate
	}
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

// DecodeJSONFast is DecodeJSON with read, which fills a T through a JSONR,
// tried first: v is set only from a document read wholly, and anything read
// refuses is decoded by DecodeJSON, errors and all.
func DecodeJSONFast[T any](name string, data []byte, v *T, f JSONFormat, read func(*JSONR, *T)) error {
	return decodeJSONFast(name, data, v, f, read, false)
}

// DecodeJSONFastShared is DecodeJSONFast whose fast read shares data's
// memory (FastJSONShared): data must not change while v is in use.
func DecodeJSONFastShared[T any](name string, data []byte, v *T, f JSONFormat, read func(*JSONR, *T)) error {
	return decodeJSONFast(name, data, v, f, read, true)
}

func decodeJSONFast[T any](name string, data []byte, v *T, f JSONFormat, read func(*JSONR, *T), shared bool) error {
	var t T
	if fastJSON(data, func(r *JSONR) { read(r, &t) }, shared) {
		*v = t
		return nil
	}
	return DecodeJSON(name, data, v, f)
}

// MapInto reads an object into a map[string]any as encoding/json does:
// null makes it nil, an object a new map (empty for {}).
func (r *JSONR) MapInto(dst *map[string]any) {
	if r.Null() {
		*dst = nil
		return
	}
	if r.peek() != '{' {
		r.Refuse()
	}
	m, _ := r.Any().(map[string]any)
	*dst = m
}

// AnysInto reads an array into a []any: null makes it nil, [] empty.
func (r *JSONR) AnysInto(dst *[]any) {
	if r.Null() {
		*dst = nil
		return
	}
	if r.peek() != '[' {
		r.Refuse()
	}
	l, _ := r.Any().([]any)
	*dst = l
}

// StrPtrs reads an array of strings into a []*string: null makes it nil, a
// null item a nil pointer.
func (r *JSONR) StrPtrs(dst *[]*string) {
	var out []*string
	if !r.Array(func() {
		if r.Null() {
			out = append(out, nil)
			return
		}
		s := r.Str()
		out = append(out, &s)
	}) {
		*dst = nil
		return
	}
	if out == nil {
		out = []*string{}
	}
	*dst = out
}

// FloatPtr reads a number into *dst, a new float64; null makes it nil.
func (r *JSONR) FloatPtr(dst **float64) {
	if r.Null() {
		*dst = nil
		return
	}
	var f float64
	r.FloatInto(&f)
	*dst = &f
}

// BoolPtr reads true or false into *dst, a new bool; null makes it nil.
func (r *JSONR) BoolPtr(dst **bool) {
	if r.Null() {
		*dst = nil
		return
	}
	var b bool
	switch r.peek() {
	case 't':
		r.literal("true")
		b = true
	case 'f':
		r.literal("false")
	default:
		r.Refuse()
	}
	*dst = &b
}

// BoolInto reads true or false into *dst; null leaves it as it was.
func (r *JSONR) BoolInto(dst *bool) {
	switch r.peek() {
	case 'n':
		r.literal("null")
	case 't':
		r.literal("true")
		*dst = true
	case 'f':
		r.literal("false")
		*dst = false
	default:
		r.Refuse()
	}
}

// Raw reads a value and returns a copy of its bytes, as json.RawMessage
// keeps it ("null" for null).
func (r *JSONR) Raw() []byte {
	r.peek()
	start := r.i
	r.Skip()
	return bytes.Clone(r.b[start:r.i])
}

// IsNext reports whether the next significant byte is c.
func (r *JSONR) IsNext(c byte) bool { return r.peek() == c }

// ReadList reads an array as encoding/json does into a slice: null makes it
// nil, [] empty, a null item a zero item. The importers' readers share it.
func ReadList[T any](r *JSONR, dst *[]T, item func(*JSONR, *T)) {
	var out []T
	if !r.Array(func() {
		if out == nil {
			out = make([]T, 0, 4) // most lists have a few items: no 1, 2, 4
		}
		var zero T
		out = append(out, zero)
		item(r, &out[len(out)-1])
	}) {
		*dst = nil
		return
	}
	if out == nil {
		out = []T{}
	}
	*dst = out
}

// ReadPtr reads an object into a new T as encoding/json does into a
// pointer: null makes it nil.
func ReadPtr[T any](r *JSONR, dst **T, item func(*JSONR, *T)) {
	if r.Null() {
		*dst = nil
		return
	}
	v := new(T)
	item(r, v)
	*dst = v
}

// ReadPtrs reads an array of objects into a []*T: a null item is nil.
func ReadPtrs[T any](r *JSONR, dst *[]*T, item func(*JSONR, *T)) {
	ReadList(r, dst, func(r *JSONR, p **T) { ReadPtr(r, p, item) })
}
