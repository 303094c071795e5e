package threatcomposer

import (
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
// (jsonstr.Append). When clip keeps the text as it is (no white space to
// trim at either end, at most n runes) and every part is valid UTF-8 (so
// that escaping the parts one by one escapes their concatenation), the
// parts are escaped one after the other; otherwise the text is joined and
// clipped.
func (t *textParts) appendClipped(dst []byte, n int) []byte {
	if !t.kept(n) {
		return jsonstr.Append(dst, t.clip(n))
	}
	dst = append(dst, '"')
	for _, p := range t.p[:t.n] {
		if p == "" {
			continue
		}
		start := len(dst)
		dst = jsonstr.Append(dst, p)
		// Drop the part's quotes.
		copy(dst[start:], dst[start+1:len(dst)-1])
		dst = dst[:len(dst)-2]
	}
	return append(dst, '"')
}

// kept reports whether clip(t.String(), n) is t.String() and every part
// is valid UTF-8.
func (t *textParts) kept(n int) bool {
	total, first, last := 0, -1, -1
	for i, p := range t.p[:t.n] {
		if p == "" {
			continue
		}
		if !utf8.ValidString(p) {
			return false
		}
		if first < 0 {
			first = i
		}
		last, total = i, total+len(p)
	}
	if first < 0 {
		return true
	}
	// strings.TrimSpace would cut nothing: the text starts and ends with an
	// ASCII byte that is not white space.
	if c, d := t.p[first][0], t.p[last][len(t.p[last])-1]; c >= utf8.RuneSelf || d >= utf8.RuneSelf || asciiSpace(c) || asciiSpace(d) {
		return false
	}
	if total <= n {
		return true
	}
	runes := 0
	for _, p := range t.p[:t.n] {
		runes += utf8.RuneCountInString(p)
	}
	return runes <= n
}

// asciiSpace reports whether c is an ASCII byte unicode.IsSpace accepts.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
