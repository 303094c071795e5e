package interop

import (
	"strings"
	"testing"
)

func oneLineRef(s string) string { return strings.Join(strings.Fields(s), " ") }

// FuzzOneLine: OneLine is strings.Join(strings.Fields(s), " ").
func FuzzOneLine(f *testing.F) {
	for _, s := range []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "ü ß", "a\u00a0b", "a\u2028b",
		"a\u0085b", "\xff \xfe", "a\u3000", "x\x1cy", "A statement: with, punctuation.",
		"12345678 abcdefg", "1234567  abcdefg", "1234567 \tabcdefg", "1234567\x7f abcdefgh", "abcdefgh\n", "abcdefg é ijklmnop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := OneLine(s), oneLineRef(s); got != want {
			t.Fatalf("OneLine(%q) = %q, want %q", s, got, want)
		}
		if got, want := isOneLine(s), oneLineRef(s) == s; got != want {
			t.Fatalf("isOneLine(%q) = %v, want %v", s, got, want)
		}
	})
}

// tooDeepRef is tooDeep as first written, a byte at a time.
func tooDeepRef(data []byte, limit int) (int, bool) {
	depth, inStr, esc := 0, false, false
	for i, c := range data {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > limit {
				return i, true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return 0, false
}

// FuzzTooDeep: tooDeep finds what the byte-at-a-time scan finds.
func FuzzTooDeep(f *testing.F) {
	for _, s := range []string{`{}`, `[[[`, `{"a":"[[[\"[["}`, `"\\"[[`, `"\\\"[[`, `"abc`, `[["x\\\\"],[`, `{"k":[1,{"v":"}"}]}`} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		gi, gok := tooDeep(data, int(limit%8))
		wi, wok := tooDeepRef(data, int(limit%8))
		if gi != wi || gok != wok {
			t.Fatalf("tooDeep(%q, %d) = %d, %v; want %d, %v", data, limit%8, gi, gok, wi, wok)
		}
	})
}

func TestTitleOf(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, c := range []struct{ in, title, desc string }{
		{"Use TLS", "Use TLS", ""},
		{"Use TLS. Pin the certificate.", "Use TLS.", "Use TLS. Pin the certificate."},
		{"Use TLS\non every hop", "Use TLS", "Use TLS\non every hop"},
		{"  Use TLS  ", "Use TLS", ""},
		{"v1.2 or later", "v1.2 or later", ""},
		{long, strings.Repeat("word ", 23) + "wo...", long},
	} {
		title, desc := TitleOf(c.in)
		if title != c.title || desc != c.desc {
			t.Errorf("TitleOf(%q) = %q, %q; want %q, %q", c.in, title, desc, c.title, c.desc)
		}
	}
}
