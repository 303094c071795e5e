package interop

import (
	"strings"
	"testing"
)

func oneLineRef(s string) string { return strings.Join(strings.Fields(s), " ") }

// FuzzOneLine: OneLine is strings.Join(strings.Fields(s), " ").
func FuzzOneLine(f *testing.F) {
	for _, s := range []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "ü ß", "a\u00a0b", "a\u2028b",
		"a\u0085b", "\xff \xfe", "a\u3000", "x\x1cy", "A statement: with, punctuation."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := OneLine(s), oneLineRef(s); got != want {
			t.Fatalf("OneLine(%q) = %q, want %q", s, got, want)
		}
	})
}
