package interop

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// JSONR reads a JSON document into an importer's own types without
// reflection: what json.Unmarshal would store, for the documents it is sure
// of. It refuses (FastJSON returns false) anything else — a syntax error, a
// value of the wrong type, a key that differs from a field's only in case
// (encoding/json would take it), a field given twice, a number it does not
// read as encoding/json does — and the caller decodes with DecodeJSON, which
// gives the error as before. The importers' fuzz tests compare both decodes.
// (Its structure is read here; strings and numbers in jsonstr.go, values
// for interfaces, maps and pointers in jsonvalues.go.)
type JSONR struct {
	b []byte
	i int
	// shared: the strings read without escapes share b's memory instead
	// of copying it (FastJSONShared).
	shared bool
	// strs is Strings' list, reused.
	strs []string
	// depth is how many objects and arrays the reader is in: it refuses
	// past MaxJSONDepth (enter), where tooDeep would have, without a
	// scan of the whole document first.
	depth int
}

// enter counts an object or array the reader goes into (leave when it is
// read), refusing one nested deeper than MaxJSONDepth: the reader recurses,
// and such documents are left to DecodeJSON (and encoding/json's limits).
// Every object and array the reader reads passes here, so a document it
// reads wholly nests no deeper than tooDeep allows.
func (r *JSONR) enter() {
	if r.depth++; r.depth > MaxJSONDepth {
		r.Refuse()
	}
}

func (r *JSONR) leave() { r.depth-- }

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
	r.enter()
	defer r.leave()
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
	r.enter()
	defer r.leave()
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

// Skip reads a value and drops it, checking it as encoding/json would
// without keeping anything.
func (r *JSONR) Skip() {
	switch c := r.peek(); {
	case c == '"':
		r.skipStr()
	case c == '{':
		r.i++
		r.enter()
		defer r.leave()
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
		} else if len(out) == cap(out) {
			// Doubled: append grows a long list by a quarter at a time,
			// copying it about four times over (a Threat Composer
			// file's 11,000 threats) where doubling copies it once.
			out = slices.Grow(out, len(out))
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
