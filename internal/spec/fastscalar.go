package spec

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// Scalars for the fast parser (fastyaml.go): quoted and block scalars, and
// yaml v4's tag resolution for plain ones.

// quoted scans a one-line quoted scalar starting at j and returns its value
// and the offset after the closing quote.
func (p *fastParser) quoted(j int) (string, int) {
	s := p.s
	if s[j] == '\'' {
		k := j + 1
		for {
			q := strings.IndexByte(s[k:], '\'')
			nl := strings.IndexByte(s[k:], '\n')
			if q < 0 || (nl >= 0 && nl < q) {
				p.refuse()
			}
			k += q
			if k+1 < len(s) && s[k+1] == '\'' {
				k += 2
				continue
			}
			break
		}
		v := s[j+1 : k]
		if strings.Contains(v, "''") {
			v = strings.ReplaceAll(v, "''", "'")
		}
		return v, k + 1
	}
	k := j + 1
	for k < len(s) && s[k] != '"' && s[k] != '\\' && s[k] != '\n' {
		k++
	}
	if k >= len(s) || s[k] == '\n' {
		p.refuse()
	}
	if s[k] == '"' {
		return s[j+1 : k], k + 1
	}
	b := append(p.buf[:0], s[j+1:k]...)
	for {
		if k >= len(s) || s[k] == '\n' {
			p.refuse()
		}
		c := s[k]
		if c == '"' {
			break
		}
		if c != '\\' {
			b = append(b, c)
			k++
			continue
		}
		if k+1 >= len(s) {
			p.refuse()
		}
		code := 0
		switch s[k+1] {
		case '0':
			b = append(b, 0)
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 't':
			b = append(b, '\t')
		case 'n':
			b = append(b, '\n')
		case 'v':
			b = append(b, '\v')
		case 'f':
			b = append(b, '\f')
		case 'r':
			b = append(b, '\r')
		case 'e':
			b = append(b, 0x1b)
		case ' ':
			b = append(b, ' ')
		case '"':
			b = append(b, '"')
		case '/':
			b = append(b, '/')
		case '\\':
			b = append(b, '\\')
		case 'N':
			b = append(b, "\u0085"...)
		case '_':
			b = append(b, "\u00a0"...)
		case 'L':
			b = append(b, "\u2028"...)
		case 'P':
			b = append(b, "\u2029"...)
		case 'x':
			code = 2
		case 'u':
			code = 4
		case 'U':
			code = 8
		default:
			p.refuse()
		}
		k += 2
		if code > 0 {
			if k+code > len(s) {
				p.refuse()
			}
			v, err := strconv.ParseUint(s[k:k+code], 16, 32)
			if err != nil || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff {
				p.refuse()
			}
			b = utf8.AppendRune(b, rune(v))
			k += code
		}
	}
	p.buf = b
	return string(b), k + 1
}

// blockScalar parses a literal or folded block scalar whose indicator is at
// p.i, held by a collection at indentation ind. It is a port of yaml v4's
// scanner, restricted to inputs that end with a line break.
func (p *fastParser) blockScalar(ind int, literal bool) ynode {
	s := p.s
	line, col := p.ln, p.col(p.i)
	k := p.i + 1
	chomp := 0
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		chomp = 1
		if s[k] == '-' {
			chomp = -1
		}
		k++
	}
	if k < len(s) && s[k] != ' ' && s[k] != '\n' {
		p.refuse() // indentation indicators and anything else
	}
	p.i = k
	p.endLine()
	if len(s) == 0 || s[len(s)-1] != '\n' {
		p.refuse() // yaml v4 has special cases for an unterminated last line
	}
	// Columns below are 1-based, as in yaml v4; parentIndent is the
	// holding collection's column.
	parentIndent := ind + 1
	indent := 0
	var out []byte
	trailing := 0 // line breaks seen since the last content line
	leadingBreak := false
	breaks := func() {
		maxIndent := 0
		for {
			for (indent == 0 || p.i-p.ls+1 < indent) && p.i < len(s) && s[p.i] == ' ' {
				p.i++
			}
			if c := p.i - p.ls + 1; c > maxIndent {
				maxIndent = c
			}
			if p.i < len(s) && s[p.i] == '\n' {
				trailing++
				p.newline()
				continue
			}
			break
		}
		if indent == 0 {
			if maxIndent > 1 && p.i < len(s) && p.i-p.ls+1 < maxIndent {
				p.refuse() // leading blank lines longer than the first content line
			}
			indent = max(maxIndent, parentIndent+1, 1)
		}
	}
	breaks()
	leadingBlank := false
	for p.i < len(s) && p.i-p.ls+1 == indent {
		trailingBlank := s[p.i] == ' '
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				out = append(out, ' ')
			}
		} else if leadingBreak {
			out = append(out, '\n')
		}
		leadingBreak = false
		for ; trailing > 0; trailing-- {
			out = append(out, '\n')
		}
		leadingBlank = s[p.i] == ' '
		e := strings.IndexByte(s[p.i:], '\n')
		if e < 0 {
			p.refuse()
		}
		out = append(out, s[p.i:p.i+e]...)
		p.i += e
		p.newline()
		leadingBreak = true
		breaks()
	}
	if chomp != -1 && leadingBreak {
		out = append(out, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			out = append(out, '\n')
		}
	}
	style := yaml.FoldedStyle
	if literal {
		style = yaml.LiteralStyle
	}
	// The scalar ends before a less indented line, or at the end.
	if p.i >= len(s) {
		p.atEOF()
	} else {
		p.i = p.ls
	}
	return p.node(yaml.ScalarNode, tagStr, string(out), style, line, col)
}

// resolveTag is yaml v4's tag resolution for plain scalars.
func resolveTag(v string) string {
	if v == "" {
		return tagNull
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return tagBool
	case "~", "null", "Null", "NULL":
		return tagNull
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "-0", "-0.0":
		return tagFloat
	case "<<":
		return tagMerge
	}
	switch c := v[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return tagFloat
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if isTimestamp(v) {
			return tagTimestamp
		}
		plain := v
		if strings.IndexByte(v, '_') >= 0 {
			plain = strings.ReplaceAll(v, "_", "")
		}
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return tagInt
		}
		if _, err := strconv.ParseUint(strings.TrimPrefix(plain, "+"), 0, 64); err == nil {
			return tagInt
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return tagFloat
			}
		}
	}
	return tagStr
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$`)

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp is yaml v4's test for plain timestamps.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}
