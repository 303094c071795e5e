package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
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
	// Framed on each read, and once when the version is cached.
	for _, e := range []*cachedVersion{{v: v}, newVersionCache(1 << 20).putStored(v)} {
		rec := httptest.NewRecorder()
		if err := writeVersion(rec, e); err != nil {
			t.Fatal(err)
		}
		if got := rec.Body.Bytes(); !bytes.Equal(got, want(v)) {
			t.Errorf("version read (framed once: %v)\n got %s\nwant %s", e.head != nil, got, want(v))
		}
		if n := rec.Header().Get("Content-Length"); n != itoa(rec.Body.Len()) {
			t.Errorf("Content-Length %s for %d bytes", n, rec.Body.Len())
		}
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

// TestVersionCache: the cache stays within its bound, keeps one entry per
// version, remembers whether the analysis is canonical, and a version's
// ETag answers If-None-Match with 304.
func TestVersionCache(t *testing.T) {
	c := newVersionCache(4096)
	big := bytes.Repeat([]byte("x"), 700)
	for n := 1; n <= 20; n++ {
		c.put(store.Version{SystemID: "s", Number: n, SHA256: "d", Result: append([]byte(`{"a":"`), append(big, `"}`...)...)})
		if c.bytes > c.max {
			t.Fatalf("after %d versions the cache holds %d bytes, bound %d", n, c.bytes, c.max)
		}
	}
	if e := c.get("s", 20); e == nil || !e.canonical || e.v.Number != 20 {
		t.Errorf("the newest version: %+v", e)
	}
	if e := c.put(store.Version{SystemID: "s", Number: 21, Result: []byte(`{"a": 1}`)}); e.canonical {
		t.Error("an indented result taken as canonical")
	}
	if e := c.put(store.Version{SystemID: "s", Number: 22, Result: bytes.Repeat([]byte("x"), 2000)}); e == nil || c.get("s", 22) != nil {
		t.Error("a version larger than a quarter of the cache was cached")
	}
	v := store.Version{SystemID: "s", Number: 3, SHA256: "abc"}
	tag := versionETag(v, false)
	if tag == versionETag(v, true) {
		t.Error("pretty and compact share an ETag")
	}
	for h, want := range map[string]int{"": 200, tag: 304, `"x", ` + tag: 304, "W/" + tag: 304, versionETag(v, true): 200} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("If-None-Match", h)
		}
		got := 200
		if notModified(rec, r, tag) {
			got = rec.Code
		}
		if got != want || rec.Header().Get("ETag") != tag {
			t.Errorf("If-None-Match %q: %d (ETag %q), want %d", h, got, rec.Header().Get("ETag"), want)
		}
	}
}

// canonicalJSONByByte is canonicalJSON as it was, looking at every byte:
// the reference the faster scan must agree with.
func canonicalJSONByByte(b []byte) bool {
	if len(b) == 0 || bytes.ContainsAny(b, "<>&") ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029")) {
		return false
	}
	in := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return false
		}
	}
	return true
}

// FuzzCanonicalJSON checks the quote-to-quote scan against the
// byte-by-byte one.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b c","d":[1,2]}`, `{"a": 1}`, `{"a":"x\"y z"}`, `{"a":"x\\"  ,"b":1}`, `{"a":"x\\\" y"}`,
		`"unterminated \" x`, `{"a":"\u2028"}`, "{\"a\":\"\u2028\"}", `{"a":"<"}`, `{"a":"\\\\"} `, `[true, null]`, "\"\t\"\t", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := canonicalJSON(b), canonicalJSONByByte(b); got != want {
			t.Fatalf("canonicalJSON(%q) = %v, byte by byte %v", b, got, want)
		}
	})
}

// TestCanonicalJSONOnResults checks the scan on real results, compact
// (canonical) and indented (not), and on every cut of a small one.
func TestCanonicalJSONOnResults(t *testing.T) {
	v := map[string]any{"title": `quote " back \ slash \\"`, "list": []any{"a b", 1.5, true, nil, map[string]any{"k": "\\"}}, "n": "\t"}
	compact, _ := json.Marshal(v)
	indented, _ := json.MarshalIndent(v, "", "  ")
	if !canonicalJSON(compact) || canonicalJSON(indented) {
		t.Fatalf("compact %v, indented %v; want true, false", canonicalJSON(compact), canonicalJSON(indented))
	}
	for _, b := range [][]byte{compact, indented} {
		for i := range b {
			for j := i; j <= len(b); j++ {
				if got, want := canonicalJSON(b[i:j]), canonicalJSONByByte(b[i:j]); got != want {
					t.Fatalf("canonicalJSON(%q) = %v, byte by byte %v", b[i:j], got, want)
				}
			}
		}
	}
}

// BenchmarkCanonicalJSON measures the check on a result-sized document
// (about 300 KB), against the byte-by-byte scan it replaced.
func BenchmarkCanonicalJSON(b *testing.B) {
	var items []map[string]any
	for i := range 1000 {
		items = append(items, map[string]any{"id": i, "title": "Tampering with the order flow \"checkout\" by a \\ user", "score": 12.5,
			"assets": []string{"orders", "payments"}, "description": strings.Repeat("a long description ", 10)})
	}
	doc, _ := json.Marshal(map[string]any{"findings": items})
	for _, c := range []struct {
		name string
		fn   func([]byte) bool
	}{{"scan", canonicalJSON}, {"byte-by-byte", canonicalJSONByByte}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if !c.fn(doc) {
					b.Fatal("not canonical")
				}
			}
		})
	}
}

// TestVersionCacheRemembersChecks: a version evicted from the cache and
// read back is not checked for canonical form again: what was found for
// its (system, number, digest, size) is remembered (a stored version never
// changes), for large versions the cache does not hold as well.
func TestVersionCacheRemembersChecks(t *testing.T) {
	c := newVersionCache(4096)
	canonical := store.Version{SystemID: "s", Number: 1, SHA256: "d", Result: []byte(`{"a":"xx"}`)}
	if e := c.put(canonical); !e.canonical {
		t.Fatal("a compact result taken as not canonical")
	}
	for n := 2; n <= 40; n++ { // evict it
		c.put(store.Version{SystemID: "s", Number: n, SHA256: "d", Result: bytes.Repeat([]byte("1"), 500)})
	}
	if c.get("s", 1) != nil {
		t.Fatal("version 1 was not evicted")
	}
	// The same key with other bytes of the same length (which a stored
	// version cannot have): the remembered answer is used, not a scan.
	again := canonical
	again.Result = []byte(`{"a": "x"}`)
	if e := c.put(again); !e.canonical {
		t.Error("version 1 read back was scanned again instead of remembered")
	}
	big := store.Version{SystemID: "s", Number: 99, SHA256: "e", Result: []byte(`{"a": 1}` + strings.Repeat(" ", 2000))}
	c.put(big)
	if v, ok := c.known[knownKey{"s", 99, "e", len(big.Result)}]; !ok || v {
		t.Errorf("a version too large to cache: remembered %v, %v; want false, true", v, ok)
	}
}
