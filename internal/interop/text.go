package interop

import (
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
	for i := 0; i < len(s); {
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
