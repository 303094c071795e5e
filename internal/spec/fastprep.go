package spec

import (
	"bytes"
	"unicode/utf8"
	"unsafe"
)

// The character checks the fast parser makes before it starts (fastParse).

// fastPrepare checks the characters of data and returns it as a string with
// CRLF line ends turned into LF, and whether it is all ASCII. It refuses control characters (tabs
// included), characters YAML treats as line breaks other than LF and CRLF,
// byte order marks, invalid UTF-8, directives, document end markers and
// document start markers other than one before any content.
func fastPrepare(data []byte) (src string, ascii, ok bool) {
	return fastPrepareSplit(data, prepareSplit, false)
}

// prepareSplit is the size from which fastPrepare checks the two halves of
// the data at once, on two goroutines (a 10,000-component model is 12 MB,
// ≈ 15 ms of checking on the load's serial path).
const prepareSplit = 1 << 20

// fastPrepareSplit is fastPrepare, checking data in two halves at once when
// it has at least split bytes. With owned, nothing writes to data again
// (the loader's own buffer): the string is data's memory, not a copy (a
// 10,000-component model is 12 MB, all of it live as the model's strings).
func fastPrepareSplit(data []byte, split int, owned bool) (src string, ascii, ok bool) {
	src, ascii, _, ok = prepareText(data, split, owned, false)
	return src, ascii, ok
}

// prepareText is fastPrepareSplit; with roots, it also returns the offsets
// of the lines that start with anything but a space, '#' or '-' (in
// order): the lines a top-level key may be on, which chunkDoc cuts the
// file at.
func prepareText(data []byte, split int, owned, roots bool) (src string, ascii bool, rootLines []int, ok bool) {
	var r1, r2 *[]int
	if roots {
		r1, r2 = new([]int), new([]int)
	}
	if bytes.IndexByte(data, '\r') >= 0 {
		out := make([]byte, 0, len(data))
		for i := 0; i < len(data); i++ {
			if data[i] == '\r' {
				if i+1 >= len(data) || data[i+1] != '\n' {
					return "", false, nil, false
				}
				continue
			}
			out = append(out, data[i])
		}
		data, owned = out, true // a copy of its own
	}
	if len(data) >= split && split > 0 {
		// The second half starts at a line. Once a line with content has
		// been seen, checking a line depends on nothing before it, so the
		// second half is checked as if the first had content, and kept if
		// the first half does have some (otherwise the whole is checked
		// again in one piece). The string is copied beside the check.
		if nl := bytes.IndexByte(data[len(data)/2:], '\n'); nl >= 0 {
			cut := len(data)/2 + nl + 1
			var ascii2, ok2 bool
			var text string
			done := make(chan struct{})
			go func() {
				defer close(done)
				ascii2, ok2, _ = prepareScan(data[cut:], true, r2)
				if ok2 && !owned {
					text = string(data)
				}
			}()
			ascii1, ok1, content := prepareScan(data[:cut], false, r1)
			<-done
			if !ok1 || content && !ok2 {
				return "", false, nil, false
			}
			if content {
				if owned {
					text = unsafe.String(unsafe.SliceData(data), len(data))
				}
				if roots {
					rootLines = *r1
					for _, o := range *r2 {
						rootLines = append(rootLines, cut+o)
					}
				}
				return text, ascii1 && ascii2, rootLines, true
			}
			if roots {
				*r1 = (*r1)[:0]
			}
		}
	}
	ascii, ok, _ = prepareScan(data, false, r1)
	if !ok {
		return "", false, nil, false
	}
	if roots {
		rootLines = *r1
	}
	if owned {
		return unsafe.String(unsafe.SliceData(data), len(data)), ascii, rootLines, true
	}
	return string(data), ascii, rootLines, true
}

// prepareScan checks the characters of data as fastPrepare does, data
// starting at a line; content says a line other than blank or comment came
// before it. It reports whether data is all ASCII, whether it passed, and
// whether a line with content has been seen by its end. With roots, it
// appends the offsets of the lines prepareText reports.
func prepareScan(data []byte, content bool, roots *[]int) (ascii, ok, hasContent bool) {
	ascii = true
	markers := 0
	lineStart := true
	for i := 0; i < len(data); {
		c := data[i]
		if lineStart {
			lineStart = false
			if roots != nil && c != ' ' && c != '#' && c != '-' && c != '\n' {
				*roots = append(*roots, i)
			}
			rest := data[i:]
			switch {
			case c != '%' && c != '.' && c != '-' && content:
			case c == '%' || bytes.HasPrefix(rest, []byte("...")):
				return false, false, content
			case bytes.HasPrefix(rest, []byte("---")):
				// Only one start marker, before any content.
				if content || markers > 0 {
					return false, false, content
				}
				markers++
			case !content:
				j := 0
				for j < len(rest) && rest[j] == ' ' {
					j++
				}
				if j < len(rest) && rest[j] != '\n' && rest[j] != '#' {
					content = true
				}
			}
		}
		if fastPlainByte[c] {
			i++
			for i < len(data) && fastPlainByte[data[i]] {
				i++
			}
			continue
		}
		if c < 0x80 {
			if c == '\n' {
				lineStart = true
			} else {
				return false, false, content // control characters
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
			r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false, false, content
		}
		i += size
	}
	return ascii, true, content
}

// fastPlainByte marks the ASCII characters that need no check.
var fastPlainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	return t
}()
