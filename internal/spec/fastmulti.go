package spec

// Multi-line plain and single-quoted scalars in block context, as the
// yaml encoder (and interop's fastYAML) writes text longer than a line:
// folded at a space onto lines indented under the key. The scanning is
// yaml v4's (libyaml's scan_plain_scalar and scan_flow_scalar), restricted
// to what fastParse can be sure of; anything else is refused.

// continuation finds the line a scalar may continue on after the line
// break at nl: it skips blank lines (spaces only) and returns the offset
// of the next line's first non-space character c, that line's start and
// how many blank lines came between; c == len(p.s) at the end of input.
func (p *fastParser) continuation(nl int) (c, lineStart, breaks int) {
	s := p.s
	q := nl + 1
	for {
		c = q
		for c < len(s) && s[c] == ' ' {
			c++
		}
		if c < len(s) && s[c] == '\n' {
			breaks++
			q = c + 1
			continue
		}
		return c, q, breaks
	}
}

// foldBreaks appends what a run of line breaks inside a flow or plain
// scalar becomes: a space for a single break, one '\n' per blank line
// otherwise.
func foldBreaks(b []byte, breaks int) []byte {
	if breaks == 0 {
		return append(b, ' ')
	}
	for range breaks {
		b = append(b, '\n')
	}
	return b
}

// plainMore continues the plain scalar in block context whose first line's
// text is p.s[j:end], its scan stopped at the line break at nl, held by a
// collection at indentation ind. When the next non-blank line is indented
// more than ind (and is not a comment) the scalar goes on there, as in yaml
// v4: it returns the folded text with more set, p.i at the end of its last
// line's text and p.ln, p.ls on that line. Otherwise it returns more unset
// and leaves the parser where it was.
func (p *fastParser) plainMore(j, end, nl, ind int) (v string, more bool) {
	s := p.s
	var b []byte
	last := end
	for {
		c, lineStart, breaks := p.continuation(nl)
		if c >= len(s) || c-lineStart <= ind || s[c] == '#' {
			break
		}
		if !p.plainStart(c, false) || s[c] == '-' {
			p.refuse() // indicators at a continuation's start: not needed, not risked
		}
		e, stop := p.plainBlock(c)
		if stop < len(s) && s[stop] == ':' {
			p.refuse() // a key inside a multi-line scalar: an error in yaml
		}
		if b == nil {
			b = append(make([]byte, 0, 2*(end-j)+e-c), s[j:end]...)
		}
		b = foldBreaks(b, breaks)
		b = append(b, s[c:e]...)
		p.ln += 1 + breaks
		p.ls = lineStart
		last = e
		if stop >= len(s) || s[stop] != '\n' {
			break // the end of input or a comment ends it
		}
		nl = stop
	}
	if b == nil {
		return "", false
	}
	p.i = last
	return string(b), true
}

// singleQuoted scans a single-quoted scalar in block context starting at j,
// held by a collection at indentation ind; it may span lines, each
// continuation indented more than ind. It returns the value, the offset
// after the closing quote and whether it spans lines, with p.ln and p.ls on
// the closing quote's line.
func (p *fastParser) singleQuoted(j, ind int) (string, int, bool) {
	s := p.s
	k := j + 1
	// The usual case: closed on its own line, with no doubled quote.
	for k < len(s) && s[k] != '\'' && s[k] != '\n' {
		k++
	}
	if k < len(s) && s[k] == '\'' && (k+1 >= len(s) || s[k+1] != '\'') {
		return s[j+1 : k], k + 1, false
	}
	b := make([]byte, 0, 2*(k-j))
	b = append(b, s[j+1:k]...)
	multi := false
	lineText := 0 // where the current line's text starts in b
	for {
		for k < len(s) && s[k] != '\n' {
			if s[k] == '\'' {
				if k+1 < len(s) && s[k+1] == '\'' {
					b = append(b, '\'')
					k += 2
					continue
				}
				return string(b), k + 1, multi
			}
			b = append(b, s[k])
			k++
		}
		if k >= len(s) {
			p.refuse() // unterminated: yaml's error
		}
		// Spaces before a line break are dropped.
		for len(b) > lineText && b[len(b)-1] == ' ' {
			b = b[:len(b)-1]
		}
		c, lineStart, breaks := p.continuation(k)
		if c >= len(s) || c-lineStart <= ind {
			p.refuse() // less indented than the text it continues, or unterminated
		}
		b = foldBreaks(b, breaks)
		lineText = len(b)
		p.ln += 1 + breaks
		p.ls = lineStart
		k = c
		multi = true
	}
}
