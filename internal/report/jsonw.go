package report

import (
	"strconv"

	"github.com/wardtm/ward/internal/jsonstr"
)

// Small append-style JSON writers for the renderers that write long lists
// of simple objects (SARIF results): they write exactly what encoding/json
// writes with HTML escaping off, without reflection, maps or sorting
// (checked against encoding/json by tests and FuzzAppendJSONString).

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes with SetEscapeHTML(false) (jsonstr.AppendNoHTML).
func appendJSONString(dst []byte, s string) []byte { return jsonstr.AppendNoHTML(dst, s) }

// appendJSONStrings appends a list of strings; nil is null, as
// encoding/json writes a nil slice.
func appendJSONStrings(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

func appendJSONInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }
