package interop

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzJSONRAny: whenever JSONR reads a document as a value (Any), and so as
// a string, a number or anything else, encoding/json reads the same value.
func FuzzJSONRAny(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\u2192b\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud800x"`, "\"\xff\"", `"\u00e9\u0000"`,
		`"\u12G4"`, `"\u+123"`, `[1, -0.5e3, true, false, null, "x", {"a": {"b": []}}]`, `{"a":1,"a":2}`, `01`, `1.`, `"é"`, `-`, ` 1 `,
		strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth), strings.Repeat(`{"a":[`, MaxJSONDepth/2) + "1" + strings.Repeat("]}", MaxJSONDepth/2)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got any
		if !FastJSON(data, func(r *JSONR) { got = r.Any() }) {
			return
		}
		if _, deep := tooDeep(data, MaxJSONDepth); deep {
			t.Fatalf("JSONR read a document nested deeper than %d: %q", MaxJSONDepth, data)
		}
		var want any
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("JSONR read what encoding/json rejects (%v): %q", err, data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: JSONR %#v, encoding/json %#v", data, got, want)
		}
	})
}

// FuzzJSONRSkip: Skip accepts exactly the values Any reads (it checks them
// without keeping them).
func FuzzJSONRSkip(f *testing.F) {
	for _, s := range []string{`"a\"b"`, `"a\\"`, `"\\\""`, `"\u12G4"`, `"\u00e9"`, "\"a\x01\"", `[1,{"a\"":[true,null]}]`, `{"a":}`, `"\`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		anyOK := FastJSON(data, func(r *JSONR) { r.Any() })
		skipOK := FastJSON(data, func(r *JSONR) { r.Skip() })
		if anyOK != skipOK {
			t.Fatalf("%q: Any %v, Skip %v", data, anyOK, skipOK)
		}
	})
}

// escapedOld is escaped before perf-import15b (a byte at a time), for
// FuzzJSONRStr. It reads the string at start, which has escapes or invalid UTF-8.
// Surrogate escapes and invalid UTF-8 are left to encoding/json (slowStr).
func (r *JSONR) escapedOld(start int) string {
	b := r.b
	out := make([]byte, 0, 64)
	j := start + 1
	for {
		if j >= len(b) {
			r.Refuse()
		}
		c := b[j]
		switch {
		case c == '"':
			r.i = j + 1
			return string(out)
		case c < 0x20:
			r.Refuse()
		case c == '\\':
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
				out = utf8.AppendRune(out, rune(v))
				j += 6
				continue
			default:
				r.Refuse()
			}
			out = append(out, e)
			j += 2
		case c >= utf8.RuneSelf:
			rr, size := utf8.DecodeRune(b[j:])
			if rr == utf8.RuneError && size == 1 {
				return r.slowStr(start)
			}
			out = append(out, b[j:j+size]...)
			j += size
		default:
			out = append(out, c)
			j++
		}
	}
}

// FuzzJSONRStr: Str (with escaped copying runs) reads what the byte-at-a-time
// escapedOld read, and refuses what it refused.
func FuzzJSONRStr(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\u2192b\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud800x"`, "\"\xff\"", "\"é\\n\xff\"",
		`"\u00e9\u0000"`, `"\u12G4"`, `"\u+123"`, "\"a\x01\"", `"\`, `"\u12"`, `"x\"`, "\"a\\nb\\\"é€😀\\t\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '"' {
			return
		}
		var got, want string
		gotOK := FastJSON(data, func(r *JSONR) { got = r.escaped(0, 0) })
		wantOK := FastJSON(data, func(r *JSONR) { want = r.escapedOld(0) })
		if gotOK != wantOK || got != want {
			t.Fatalf("%q: escaped %q (%v), old %q (%v)", data, got, gotOK, want, wantOK)
		}
		var viaStr string
		strOK := FastJSON(data, func(r *JSONR) { viaStr = r.Str() })
		if strOK != wantOK || viaStr != want {
			t.Fatalf("%q: Str %q (%v), old %q (%v)", data, viaStr, strOK, want, wantOK)
		}
	})
}

// TestJSONRDepth: the reader refuses a document exactly when tooDeep finds
// it nested deeper than MaxJSONDepth — through objects, arrays, values
// skipped and values read as interfaces — and reads one at the limit.
func TestJSONRDepth(t *testing.T) {
	nest := func(open, close string, n int, inner string) []byte {
		return []byte(strings.Repeat(open, n) + inner + strings.Repeat(close, n))
	}
	// obj reads {"a": ...} with Object all the way down, then the inner value with Any.
	var obj func(r *JSONR)
	obj = func(r *JSONR) {
		r.Object([]string{"a"}, func(string) bool {
			if r.IsNext('{') {
				obj(r)
			} else {
				r.Any()
			}
			return true
		})
	}
	// arr reads arrays with Array all the way down.
	var arr func(r *JSONR)
	arr = func(r *JSONR) {
		r.Array(func() {
			if r.IsNext('[') {
				arr(r)
			} else {
				r.Skip()
			}
		})
	}
	readers := map[string]func(r *JSONR){
		"any": func(r *JSONR) { r.Any() }, "skip": func(r *JSONR) { r.Skip() },
		"object": obj, "array": arr,
		"unknown key": func(r *JSONR) { r.Object(nil, func(string) bool { return false }) }, // skipped
	}
	for _, n := range []int{1, MaxJSONDepth - 1, MaxJSONDepth, MaxJSONDepth + 1, 3 * MaxJSONDepth} {
		docs := map[string][]byte{
			"objects": nest(`{"a":`, `}`, n, `1`),
			"arrays":  nest(`[`, `]`, n, `1`),
			"mixed":   nest(`{"a":[`, `]}`, n/2, `[]`),
			"inner":   append(nest(`{"a":`, `}`, 1, ``)[:5], append(nest(`[`, `]`, n-1, `{}`), '}')...),
		}
		for dn, doc := range docs {
			_, deep := tooDeep(doc, MaxJSONDepth)
			for rn, read := range readers {
				want := !deep
				if (rn == "object" && dn != "objects") || (rn == "array" && dn != "arrays") || (rn == "unknown key" && doc[0] != '{') {
					continue // a reader for one shape only
				}
				if got := FastJSON(doc, read); got != want {
					t.Errorf("depth %d, %s read with %s: read %v, want %v (tooDeep %v)", n, dn, rn, got, want, deep)
				}
			}
		}
	}
}
