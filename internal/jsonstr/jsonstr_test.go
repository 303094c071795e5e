package jsonstr

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// marshal is what encoding/json writes for s, with or without HTML escaping.
func marshal(t testing.TB, s string, html bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var samples = []string{
	"", "plain", "eight ch", "a longer plain string of ASCII text",
	`quote " and backslash \ inside`, "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
	"<script>alert('x')</script> & more", "caf\u00e9 \u2028 \u2029 \U0001F600",
	"bad \xff utf-8 \xc3", "12345678<2345678&", "\u2028\u2029\u2028",
}

func TestAppendMatchesEncodingJSON(t *testing.T) {
	for _, s := range samples {
		if got, want := Append(nil, s), marshal(t, s, true); !bytes.Equal(got, want) {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
		if got, want := AppendNoHTML(nil, s), marshal(t, s, false); !bytes.Equal(got, want) {
			t.Errorf("AppendNoHTML(%q) = %s, want %s", s, got, want)
		}
		if got, want := AppendNoHTMLBytes(nil, []byte(s)), marshal(t, s, false); !bytes.Equal(got, want) {
			t.Errorf("AppendNoHTMLBytes(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	if got := string(Append([]byte("x:"), "a<b")); got != `x:"a\u003cb"` {
		t.Errorf("got %s", got)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Append(nil, s), marshal(t, s, true); !bytes.Equal(got, want) {
			t.Fatalf("Append(%q) = %s, want %s", s, got, want)
		}
		if got, want := AppendNoHTML(nil, s), marshal(t, s, false); !bytes.Equal(got, want) {
			t.Fatalf("AppendNoHTML(%q) = %s, want %s", s, got, want)
		}
		if got, want := AppendNoHTMLBytes([]byte("x"), []byte(s)), append([]byte("x"), marshal(t, s, false)...); !bytes.Equal(got, want) {
			t.Fatalf("AppendNoHTMLBytes(%q) = %s, want %s", s, got, want)
		}
	})
}

// BenchmarkAppendNoHTML appends strings of the lengths a large result's
// JSON is made of: short ids, longer ids and a sentence.
func BenchmarkAppendNoHTML(b *testing.B) {
	for _, s := range []string{"a-1435", "service-800", "reachable from the internet through client-6220"} {
		b.Run(strconv.Itoa(len(s)), func(b *testing.B) {
			dst := make([]byte, 0, 256)
			for b.Loop() {
				dst = AppendNoHTML(dst[:0], s)
			}
		})
	}
}

// BenchmarkAppendMix appends strings in the mix of lengths a 10,000
// component result's JSON writes (about three million strings: a third
// under eight bytes, a third 8–15, the rest longer; all plain).
func BenchmarkAppendMix(b *testing.B) {
	mix := []string{
		"a-1435", "c-12", "medium", "service-800", "client-6220", "asset-00123",
		"elevation_of_privilege", "information_disclosure",
		"reachable from the internet through client-6220",
		"An attacker who can reach the service over the network may send crafted input that the service trusts without checking.",
	}
	dst := make([]byte, 0, 1024)
	for b.Loop() {
		dst = dst[:0]
		for _, s := range mix {
			dst = AppendNoHTML(dst, s)
		}
	}
}

// TestPlainNoHTML checks PlainNoHTML against what AppendNoHTML writes.
func TestPlainNoHTML(t *testing.T) {
	for _, s := range append(samples, "ids-and-words_1.2", "<&>", "\x7f", "seven\"7", "sixteen bytes ok", "sixteen bytes o\\") {
		want := string(AppendNoHTML(nil, s)) == `"`+s+`"`
		if got := PlainNoHTML(s); got != want {
			t.Errorf("PlainNoHTML(%q) = %v, want %v", s, got, want)
		}
	}
}
