package interop

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine is strings.Join(strings.Fields(s), " "): s's words joined by single
// spaces. Text that is one line already (most of an import's text) is
// returned as it is, without splitting it into words.
func OneLine(s string) string {
	if isOneLine(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isOneLine reports whether s has no leading or trailing white space, no
// white space but ' ' and no two spaces in a row.
func isOneLine(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	// Eight bytes at a time while they are ASCII, none below 0x20 (so no
	// white space but ' ') and no two in a row are spaces, within the word
	// or across its end; the first other word goes a byte at a time from
	// its start. (Most of an import's text passes: ≈ 7 % of a Threat
	// Composer import's CPU was this scan a byte at a time.)
	for ; len(s)-i >= 8; i += 8 {
		t := s[i : i+8] // the compiler loads these as one word
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		if x&highs != 0 || (x-0x20*ones)&highs != 0 {
			break // a byte ≥ 0x80 or one below 0x20
		}
		// With every byte below 0x80 nothing carries across bytes: a
		// byte of y is zero, its high bit clear after adding 0x7f, exactly
		// when that byte of x is a space.
		y := x ^ (' ' * ones)
		sp := ^(y + 0x7f*ones) & highs
		if sp&(sp>>8) != 0 || sp>>63 != 0 && len(s)-i > 8 && s[i+8] == ' ' {
			return false
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if s[i+1] == ' ' { // s does not end in ' '
					return false
				}
			case asciiSpace[c]:
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// sentenceEnd finds the end of a text's first sentence.
var sentenceEnd = regexp.MustCompile(`[.!?] +[A-Z]`)

// TitleOf splits an imported text (a mitigation's, most often) into a
// title — its first sentence or line, at most 120 characters — and, when
// the text holds more than that, the whole text as description.
func TitleOf(s string) (title, desc string) {
	t := s
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	if m := sentenceEnd.FindStringIndex(t); m != nil {
		t = t[:m[0]+1]
	}
	t = strings.TrimSpace(t)
	if r := []rune(t); len(r) > 120 {
		t = string(r[:117]) + "..."
	}
	if t != strings.TrimSpace(s) {
		desc = s
	}
	return t, desc
}
