// Package jsonindent indents the compact JSON encoding/json writes, giving
// the bytes of json.Indent at a fraction of its cost: it does not run
// encoding/json's validating scanner, because its input is known to be
// valid and compact (marshalled by encoding/json).
package jsonindent

// Append appends src, compact JSON as encoding/json marshals it (no
// whitespace outside strings), indented by two spaces with every new line
// starting with prefix: the bytes json.Indent(dst, src, prefix, "  ")
// writes, including "{}" and "[]" for empty objects and arrays. It does not
// validate src.
func Append(dst, src []byte, prefix string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// Copy the string through its closing quote.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(src)-1)
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
