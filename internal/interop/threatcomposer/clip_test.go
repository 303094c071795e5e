package threatcomposer

import (
	"crypto/sha1"
	"fmt"
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

// TestCutForClipsAlike: a head followed by cutFor(s, n) clips as the head
// followed by s, for texts shorter and longer than n, with spaces, runes of
// several bytes and invalid UTF-8 around the cut.
func TestCutForClipsAlike(t *testing.T) {
	heads := []string{"A", "An external threat actor can x, which leads to ", "unauthorised disclosure of "}
	pieces := []string{"a", " ", "  ", "é", "—", "\xff", "\u00a0", "\n", "word", ", "}
	for seed := range 4000 {
		var b strings.Builder
		x := uint32(seed*2654435761 + 1)
		for b.Len() < int(x%600) {
			x = x*1664525 + 1013904223
			b.WriteString(pieces[(x>>16)%uint32(len(pieces))])
		}
		s := b.String()
		for _, n := range []int{5, 30, 200} {
			for _, h := range heads {
				if got, want := clip(h+cutFor(s, n), n), clip(h+s, n); got != want {
					t.Fatalf("n=%d h=%q s=%q: got %q, want %q", n, h, s, got, want)
				}
			}
		}
	}
}

// TestUUID5IsSprintf: uuid5Of gives the UUID that hashing with sha1.New and
// formatting with fmt.Sprintf gave, for short and long names and names in
// parts.
func TestUUID5IsSprintf(t *testing.T) {
	oracle := func(name string) string {
		h := sha1.New()
		h.Write(namespace[:])
		h.Write([]byte(name))
		var u [16]byte
		copy(u[:], h.Sum(nil))
		u[6] = u[6]&0x0f | 0x50
		u[8] = u[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	}
	for _, name := range []string{"", "ward:shop:threat:sqli:db", strings.Repeat("long-id-é", 60)} {
		if got, want := uuid5(name), oracle(name); got != want {
			t.Errorf("uuid5(%q) = %s, want %s", name, got, want)
		}
		if len(name) > 3 {
			if got, want := uuid5Of(name[:2], name[2:3], name[3:]), oracle(name); got != want {
				t.Errorf("uuid5Of(parts of %q) = %s, want %s", name, got, want)
			}
		}
	}
}

// TestAction: a rule's title becomes a weakness to exploit and a team's a
// thing to make happen, the first letter lowered unless an acronym starts
// the title, in ASCII and beyond.
func TestAction(t *testing.T) {
	for _, c := range []struct {
		title  string
		people bool
		want   string
	}{
		{"Missing authentication.", false, "exploit this weakness: missing authentication"},
		{"SQL injection", false, "exploit this weakness: SQL injection"},
		{"  Émission en clair ", true, "make this happen: émission en clair"},
		{"x", true, "make this happen: x"},
		{"", false, "exploit the system"},
	} {
		if got := action(c.title, c.people); got != c.want {
			t.Errorf("action(%q, %v) = %q, want %q", c.title, c.people, got, c.want)
		}
	}
}

// titleRef is title as first written, on rune slices.
func titleRef(s string, n int) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s, false
	}
	r := []rune(s)[:n]
	cut := strings.LastIndexByte(string(r), ' ')
	t := string(r)
	if cut > n/2 {
		t = t[:cut]
	}
	return strings.TrimRight(t, " ,;:.") + "…", true
}

// FuzzTitle: title cuts where the rune-slice version cuts.
func FuzzTitle(f *testing.F) {
	for _, s := range []string{"", "a b c", "An actor with access can tamper, which leads to loss.", "ü ß é  x\ty", "a\xffb c d", "€€€ €€ €",
		"an ascii prefix then \xff invalid", "an ascii prefix then é", "exactly six"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		gs, gc := title(s, int(n%40)+1)
		ws, wc := titleRef(s, int(n%40)+1)
		if gs != ws || gc != wc {
			t.Fatalf("title(%q, %d) = %q, %v; want %q, %v", s, n%40+1, gs, gc, ws, wc)
		}
	})
}
