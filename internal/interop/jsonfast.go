package interop

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wardtm/ward/internal/jsonindent"
	"github.com/wardtm/ward/internal/jsonstr"
)

// IndentedJSONAppender is a list item that writes its own JSON: the bytes
// WriteIndentedJSON would otherwise get by marshalling it with
// encoding/json (HTML escaped, fields in order, omitempty honoured, nil
// slices and maps as null, map keys sorted) and indenting it by two spaces
// with every new line starting with prefix. The exporters' long lists
// (threats, components, data flows) implement it: reflection over their
// structs and maps was most of an export's time. Tests compare the two
// encodings item by item.
type IndentedJSONAppender interface {
	AppendIndentedJSON(dst []byte, prefix string) ([]byte, error)
}

// JSONW appends indented JSON as encoding/json marshals and json.Indent
// indents it: objects and arrays nest two spaces deeper at each level,
// every new line starts with the prefix, empty ones are written "{}" and
// "[]". Keys are written as given (they must need no escaping).
type JSONW struct {
	B      []byte
	Prefix string
	depth  int
	n      [32]int
	err    error
}

// Err is the first error met (a value encoding/json refuses).
func (w *JSONW) Err() error { return w.err }

func (w *JSONW) newline() {
	if w.n[w.depth] > 0 {
		w.B = append(w.B, ',')
	}
	w.n[w.depth]++
	w.B = append(w.B, '\n')
	w.B = append(w.B, w.Prefix...)
	for range w.depth {
		w.B = append(w.B, ' ', ' ')
	}
}

// Depth is how many objects and arrays are open.
func (w *JSONW) Depth() int { return w.depth }

// Key starts a member of the current object.
func (w *JSONW) Key(k string) {
	w.newline()
	w.B = append(w.B, '"')
	w.B = append(w.B, k...)
	w.B = append(w.B, '"', ':', ' ')
}

// Item starts an element of the current array.
func (w *JSONW) Item() { w.newline() }

// Open starts an object ('{') or array ('[') one level deeper.
func (w *JSONW) Open(c byte) {
	w.B = append(w.B, c)
	w.depth++
	w.n[w.depth] = 0
}

// Close ends it, on its own line unless it is empty.
func (w *JSONW) Close(c byte) {
	empty := w.n[w.depth] == 0
	w.depth--
	if !empty {
		w.B = append(w.B, '\n')
		w.B = append(w.B, w.Prefix...)
		for range w.depth {
			w.B = append(w.B, ' ', ' ')
		}
	}
	w.B = append(w.B, c)
}

// String appends s as a JSON string value.
func (w *JSONW) String(s string) { w.B = AppendJSONString(w.B, s) }

// Str writes a string member.
func (w *JSONW) Str(k, v string) {
	w.Key(k)
	w.String(v)
}

// StrOmit writes a string member tagged omitempty.
func (w *JSONW) StrOmit(k, v string) {
	if v != "" {
		w.Str(k, v)
	}
}

// StrJoinedOmit writes the member k, strings.Join(parts, sep), tagged
// omitempty, without joining: each part and separator is escaped in turn.
// With an ASCII separator that is the bytes of the joined string's
// escape — escaping goes a character at a time, and no character spans an
// ASCII byte (FuzzStrJoined); any other separator is joined first.
func (w *JSONW) StrJoinedOmit(k string, parts []string, sep string) {
	if len(parts) == 0 || len(parts) == 1 && parts[0] == "" {
		return
	}
	if !isASCII(sep) || sep == "" {
		w.StrOmit(k, strings.Join(parts, sep))
		return
	}
	w.Key(k)
	w.B = AppendJSONString(w.B, parts[0])
	for _, p := range parts[1:] {
		w.B = appendEscaped(w.B[:len(w.B)-1], sep) // over the closing quote
		w.B = appendEscaped(w.B, p)
		w.B = append(w.B, '"')
	}
}

// appendEscaped appends s escaped as AppendJSONString escapes it, without
// the quotes, to b (not empty).
func appendEscaped(b []byte, s string) []byte {
	n := len(b)
	c := b[n-1]
	b = AppendJSONString(b[:n-1], s) // its opening quote lands on b[n-1]
	b[n-1] = c
	return b[:len(b)-1]
}

// Int writes an int member.
func (w *JSONW) Int(k string, v int) {
	w.Key(k)
	w.B = strconv.AppendInt(w.B, int64(v), 10)
}

// Float writes a float64 member.
func (w *JSONW) Float(k string, v float64) {
	w.Key(k)
	w.Float64(v)
}

// Float64 appends v as encoding/json writes a float64.
func (w *JSONW) Float64(v float64) {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		w.Any(v) // encoding/json's error
		return
	}
	f, abs := byte('f'), math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		f = 'e'
	}
	w.B = strconv.AppendFloat(w.B, v, f, -1, 64)
	if f == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(w.B); n >= 4 && w.B[n-4] == 'e' && w.B[n-3] == '-' && w.B[n-2] == '0' {
			w.B[n-2] = w.B[n-1]
			w.B = w.B[:n-1]
		}
	}
}

// Bool writes a bool member.
func (w *JSONW) Bool(k string, v bool) {
	w.Key(k)
	w.B = strconv.AppendBool(w.B, v)
}

// Strings appends a list of strings as a value; nil is null.
func (w *JSONW) Strings(v []string) {
	if v == nil {
		w.B = append(w.B, "null"...)
		return
	}
	w.Open('[')
	for _, s := range v {
		w.newline()
		w.String(s)
	}
	w.Close(']')
}

// StringPtrs appends a list of string pointers as a value; nil is null.
func (w *JSONW) StringPtrs(v []*string) {
	if v == nil {
		w.B = append(w.B, "null"...)
		return
	}
	w.Open('[')
	for _, s := range v {
		w.newline()
		if s == nil {
			w.B = append(w.B, "null"...)
		} else {
			w.String(*s)
		}
	}
	w.Close(']')
}

// Map appends a map of any values, keys sorted, as a value; nil is null.
func (w *JSONW) Map(m map[string]any) {
	if m == nil {
		w.B = append(w.B, "null"...)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.Open('{')
	for _, k := range keys {
		w.newline()
		w.String(k)
		w.B = append(w.B, ':', ' ')
		w.Any(m[k])
	}
	w.Close('}')
}

// KV is one member of an object written by KVs.
type KV struct {
	K string
	V any
}

// KVs writes the object of kvs as Map writes the map of them: keys in
// order, a later pair replacing an earlier one with the same key. It sorts
// kvs by key (in place). For an exporter's many small attribute maps: no
// map to fill, no keys to gather (TestKVsIsMap).
func (w *JSONW) KVs(kvs []KV) {
	slices.SortStableFunc(kvs, func(a, b KV) int { return strings.Compare(a.K, b.K) })
	w.Open('{')
	for i, kv := range kvs {
		if i+1 < len(kvs) && kvs[i+1].K == kv.K {
			continue // the last one set wins, as in a map
		}
		w.newline()
		w.String(kv.K)
		w.B = append(w.B, ':', ' ')
		w.Any(kv.V)
	}
	w.Close('}')
}

// Any appends v as a value: strings, ints, floats, bools, string lists and
// maps by hand, anything else through encoding/json.
func (w *JSONW) Any(v any) {
	switch x := v.(type) {
	case string:
		w.String(x)
		return
	case int:
		w.B = strconv.AppendInt(w.B, int64(x), 10)
		return
	case bool:
		w.B = strconv.AppendBool(w.B, x)
		return
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			w.Float64(x)
			return
		}
	case []string:
		w.Strings(x)
		return
	case map[string]any:
		w.Map(x)
		return
	}
	var compact bytes.Buffer
	if err := json.NewEncoder(&compact).Encode(v); err != nil {
		if w.err == nil {
			w.err = err
		}
		w.B = append(w.B, "null"...)
		return
	}
	in := w.Prefix
	for range w.depth {
		in += "  "
	}
	w.B = jsonindent.Append(w.B, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), in)
}

// JSONOnce keeps the bytes of a value many list items share (a list of
// hundreds of assets, the same attributes on thousands of threats): the
// first item to write it keeps what it wrote, the others copy those bytes
// when they write it at the same prefix and depth (an export's items all
// do). Safe for items written on several goroutines.
type JSONOnce struct {
	p atomic.Pointer[jsonOnceBytes]
}

type jsonOnceBytes struct {
	prefix string
	depth  int
	b      []byte
}

// Copy appends the bytes kept, if they were written at w's prefix and
// depth, and reports whether it did. Otherwise the caller writes the value
// and calls Keep.
func (o *JSONOnce) Copy(w *JSONW) bool {
	if k := o.p.Load(); k != nil && k.prefix == w.Prefix && k.depth == w.depth {
		w.B = append(w.B, k.b...)
		return true
	}
	return false
}

// Keep keeps the value's bytes, written to w from start, unless some are
// kept already. (No callback: a func value would move every item's
// writer to the heap.)
func (o *JSONOnce) Keep(w *JSONW, start int) {
	if w.err == nil && o.p.Load() == nil {
		o.p.CompareAndSwap(nil, &jsonOnceBytes{w.Prefix, w.depth, bytes.Clone(w.B[start:])})
	}
}

// AppendJSONString appends s as a JSON string, escaped as encoding/json
// escapes by default (jsonstr.Append).
func AppendJSONString(dst []byte, s string) []byte { return jsonstr.Append(dst, s) }
