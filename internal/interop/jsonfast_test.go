package interop

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/jsonindent"
)

// marshalIndented is what WriteIndentedJSON writes for an item without
// AppendIndentedJSON: encoding/json's bytes (HTML escaped), indented.
func marshalIndented(t testing.TB, x any, prefix string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(x); err != nil {
		t.Fatal(err)
	}
	return jsonindent.Append(nil, bytes.TrimSuffix(b.Bytes(), []byte("\n")), prefix)
}

// awkward are strings that need escaping in every way encoding/json
// escapes: quotes, control characters, HTML, invalid UTF-8, U+2028/9.
var awkward = []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r\x01\x1f", "<a href='x'>&amp;</a>", "bad\xffutf8\xc3",
	"line\u2028para\u2029", "accents é ü — …", "\x7f"}

func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	for _, s := range awkward {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestJSONWAnyIsEncodingJSON(t *testing.T) {
	type other struct {
		A string `json:"a"`
		B []int  `json:"b,omitempty"`
	}
	values := []any{nil, "s", 0, -42, true, false, 0.0, 12.5, 1e-7, 1e21, 123456789.0, -0.000001, []string(nil), []string{},
		[]string{"a", "<b>"}, map[string]any(nil), map[string]any{}, map[string]any{"z": 1, "a": "x", "m&": []string{"q"},
			"n": map[string]any{"k": 2.5}}, other{A: "x", B: []int{1, 2}}, []map[string]any{{"k": "v"}}}
	for _, v := range values {
		for _, prefix := range []string{"", "    "} {
			w := JSONW{Prefix: prefix}
			w.Open('{')
			w.Key("v")
			w.Any(v)
			w.Close('}')
			if w.Err() != nil {
				t.Fatal(w.Err())
			}
			want := marshalIndented(t, map[string]any{"v": v}, prefix)
			if !bytes.Equal(w.B, want) {
				t.Errorf("%#v:\n got %s\nwant %s", v, w.B, want)
			}
		}
	}
	w := JSONW{}
	w.Any(math.NaN())
	if w.Err() == nil {
		t.Error("NaN: no error")
	}
}

// FuzzAppendJSONString compares AppendJSONString with encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Add("eight plain bytes then <html> & more \"quotes\" and \\ slashes, then é")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// FuzzStrJoined compares StrJoinedOmit with StrOmit of the joined string:
// the parts cut from s at each '|' (so that parts may end or start inside
// a UTF-8 sequence), joined by sep.
func FuzzStrJoined(f *testing.F) {
	f.Add("a|b|c", "; ")
	f.Add("\xe2\x80|\xa8x|<&>|", "; ")
	f.Add("|", "")
	f.Add("", "; ")
	f.Add("é|\u2028|\"\\", "é")
	f.Add("x|y", "\"")
	f.Fuzz(func(t *testing.T, s, sep string) {
		parts := strings.Split(s, "|")
		if s == "" {
			parts = nil
		}
		for _, prefix := range []string{"{", "[1,"} {
			a := JSONW{B: []byte(prefix)}
			a.StrJoinedOmit("k", parts, sep)
			b := JSONW{B: []byte(prefix)}
			b.StrOmit("k", strings.Join(parts, sep))
			if !bytes.Equal(a.B, b.B) {
				t.Fatalf("%q joined by %q: got %s, want %s", parts, sep, a.B, b.B)
			}
		}
	})
}

// TestKVsIsMap: KVs writes what Map writes for the map of the pairs, with
// keys repeated (the last wins), out of order and needing escapes.
func TestKVsIsMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "port", "Out Of Scope", "z<", "é", "", "mfa"}
	vals := []any{"x", 443, true, "<&>\u2028", 1.5, []string{"a"}}
	for range 500 {
		var kvs []KV
		m := map[string]any{}
		for range r.IntN(9) {
			kv := KV{keys[r.IntN(len(keys))], vals[r.IntN(len(vals))]}
			kvs = append(kvs, kv)
			m[kv.K] = kv.V
		}
		for _, prefix := range []string{"", "  "} {
			a := JSONW{B: []byte("["), Prefix: prefix}
			a.KVs(slices.Clone(kvs))
			b := JSONW{B: []byte("["), Prefix: prefix}
			b.Map(m)
			if !bytes.Equal(a.B, b.B) {
				t.Fatalf("%v:\n got %s\nwant %s", kvs, a.B, b.B)
			}
		}
	}
}
