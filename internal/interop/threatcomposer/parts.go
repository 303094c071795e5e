package threatcomposer

import (
	"strings"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/jsonstr"
)

// textParts is a text made of parts (a threat's statement, its comment),
// written into the export without being joined first when it need not be
// clipped: an export of a large model wrote hundreds of MB of such texts
// only to copy them into the JSON.
type textParts struct {
	p [14]string
	n int
}

// set makes the text of ps (at most 14).
func (t *textParts) set(ps ...string) { t.n = copy(t.p[:], ps) }

// String is the text.
func (t *textParts) String() string { return concat(t.p[:t.n]...) }

// clip is clip(t.String(), n).
func (t *textParts) clip(n int) string { return clip(t.String(), n) }

// appendClipped appends clip(t.String(), n) as a JSON string
// (jsonstr.Append). When every part is valid UTF-8 (so that escaping the
// parts one by one escapes their concatenation) and the text starts and
// ends with an ASCII character that is not white space (so that clip trims
// nothing), the parts are escaped one after the other: all of them when
// the text has at most n runes, else its first n-1 runes with the spaces
// before the cut dropped, then "…". Otherwise the text is joined and
// clipped.
func (t *textParts) appendClipped(dst []byte, n int) []byte {
	runes, ok := t.plain(n)
	if !ok {
		return jsonstr.Append(dst, t.clip(n))
	}
	parts := t.p[:t.n]
	cut := false
	var last string // the part cut short, if any
	if runes > n {
		// Keep the parts before the one holding rune n-1, and that part's
		// head.
		k, left := 0, n-1
		for ; k < len(parts); k++ {
			c := utf8.RuneCountInString(parts[k])
			if c >= left {
				break
			}
			left -= c
		}
		last = parts[k][:runeOffset(parts[k], left)]
		parts, cut = parts[:k], true
		// strings.TrimRight(head, " "), across parts.
		for last = strings.TrimRight(last, " "); last == "" && len(parts) > 0; parts = parts[:len(parts)-1] {
			last = strings.TrimRight(parts[len(parts)-1], " ")
		}
	}
	dst = append(dst, '"')
	for _, p := range parts {
		dst = appendInner(dst, p)
	}
	if cut {
		dst = appendInner(dst, last)
		dst = append(dst, "…"...)
	}
	return append(dst, '"')
}

// appendInner appends s escaped as a JSON string, without its quotes.
func appendInner(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	start := len(dst)
	dst = jsonstr.Append(dst, s)
	copy(dst[start:], dst[start+1:len(dst)-1])
	return dst[:len(dst)-2]
}

// runeOffset is the byte offset of rune k of s.
func runeOffset(s string, k int) int {
	for i := range s {
		if k == 0 {
			return i
		}
		k--
	}
	return len(s)
}

// plain returns the text's length in runes, or in bytes when that is at
// most n (so at least its length in runes), and reports whether every
// part is valid UTF-8 and the text, unless empty, starts and ends with an
// ASCII character that is not white space.
func (t *textParts) plain(n int) (runes int, ok bool) {
	first, last := -1, -1
	for i, p := range t.p[:t.n] {
		if p == "" {
			continue
		}
		if !utf8.ValidString(p) {
			return 0, false
		}
		if first < 0 {
			first = i
		}
		last, runes = i, runes+len(p)
	}
	if first < 0 {
		return 0, true
	}
	if c, d := t.p[first][0], t.p[last][len(t.p[last])-1]; c >= utf8.RuneSelf || d >= utf8.RuneSelf || asciiSpace(c) || asciiSpace(d) {
		return 0, false
	}
	if runes > n {
		runes = 0
		for _, p := range t.p[:t.n] {
			runes += utf8.RuneCountInString(p)
		}
	}
	return runes, true
}

// asciiSpace reports whether c is an ASCII byte unicode.IsSpace accepts.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
