package threatcomposer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// clipRunes is clip as it was: the whole string converted to runes.
func clipRunes(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	return strings.TrimRight(string(r), " ") + "…"
}

// TestClipIsRunes compares clip with the rune-slice version on lengths
// around the limit, multi-byte text, spaces at the cut and invalid UTF-8.
func TestClipIsRunes(t *testing.T) {
	for _, s := range []string{"", " ", "abc", "  abc  ", "ab  cd", "é", "ééé é", "a\xffb\xfe c", "\xff\xff\xff\xff", "日本語のテキスト",
		strings.Repeat("x", 30), strings.Repeat("x ", 40), strings.Repeat("é", 31), " a\xc3"} {
		for n := 1; n <= 32; n++ {
			if got, want := clip(s, n), clipRunes(s, n); got != want {
				t.Errorf("clip(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// FuzzClip compares clip with the rune-slice version on any input.
func FuzzClip(f *testing.F) {
	f.Add("ab  cd", 4)
	f.Add("a\xffb\xfe c", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 1 + int(uint(n)%64)
		if got, want := clip(s, n), clipRunes(s, n); got != want {
			t.Errorf("clip(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
