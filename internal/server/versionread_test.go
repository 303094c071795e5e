package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// TestVersionReadIsEncodingJSON checks that a version served from its
// stored result is byte for byte what encoding/json writes for the
// metadata with the result as a RawMessage, and that results that are not
// canonical take that path.
func TestVersionReadIsEncodingJSON(t *testing.T) {
	result, err := json.Marshal(map[string]any{"schema": "ward.result/v2", "title": `<b> & "quotes": , "x"`,
		"sep": "\u2028", "n": 1.5, "list": []any{}, "nested": map[string]any{"a": []int{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	v := store.Version{SystemID: "shop", Number: 3, SHA256: "abc", Author: "ada <ada@example.com>", Message: "first & \"best\"",
		CreatedAt: time.Date(2026, 11, 23, 12, 0, 0, 123, time.UTC), Result: result}
	want := func(v store.Version) []byte {
		var b bytes.Buffer
		out := versionJSON(v)
		out["result"] = json.RawMessage(v.Result)
		if err := json.NewEncoder(&b).Encode(out); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !canonicalJSON(result) {
		t.Fatalf("json.Marshal output is not canonical: %s", result)
	}
	rec := httptest.NewRecorder()
	if err := writeVersion(rec, v); err != nil {
		t.Fatal(err)
	}
	if got := rec.Body.Bytes(); !bytes.Equal(got, want(v)) {
		t.Errorf("version read\n got %s\nwant %s", got, want(v))
	}
	if n := rec.Header().Get("Content-Length"); n != itoa(rec.Body.Len()) {
		t.Errorf("Content-Length %s for %d bytes", n, rec.Body.Len())
	}
	var indented bytes.Buffer
	json.Indent(&indented, result, "", "  ")
	for _, b := range [][]byte{indented.Bytes(), []byte(`{"a": 1}`), []byte(`{"a":"<"}`), []byte(`{"a":"` + "\u2028" + `"}`), nil} {
		if canonicalJSON(b) {
			t.Errorf("canonicalJSON(%q) = true", b)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
