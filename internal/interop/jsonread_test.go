package interop

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzJSONRAny: whenever JSONR reads a document as a value (Any), and so as
// a string, a number or anything else, encoding/json reads the same value.
func FuzzJSONRAny(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\u2192b\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud800x"`, "\"\xff\"", `"\u00e9\u0000"`,
		`"\u12G4"`, `"\u+123"`, `[1, -0.5e3, true, false, null, "x", {"a": {"b": []}}]`, `{"a":1,"a":2}`, `01`, `1.`, `"é"`, `-`, ` 1 `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got any
		if !FastJSON(data, func(r *JSONR) { got = r.Any() }) {
			return
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
