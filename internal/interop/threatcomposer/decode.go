package threatcomposer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/wardtm/ward/internal/interop"
)

// maxDepth is the deepest nesting of objects and arrays accepted. Real Threat Composer
// files nest about eight levels; encoding/json itself stops at 10000.
const maxDepth = 200

// decodeJSON decodes a JSON file into v, turning encoding/json's
// offsets into line:col.
func decodeJSON(name string, data []byte, v any) error {
	if off, ok := tooDeep(data, maxDepth); ok {
		line, col := lineCol(data, off)
		return &interop.InputError{File: name, Line: line, Col: col,
			Msg:  fmt.Sprintf("objects and arrays nest more than %d levels deep", maxDepth),
			Hint: "this is not an Threat Composer file a tool would write; check that it is the right file"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(name, data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, int(dec.InputOffset()))
		return &interop.InputError{File: name, Line: line, Col: col, Msg: "unexpected data after the JSON object",
			Hint: "a file holds one JSON object"}
	}
	return nil
}

func jsonError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(data, int(se.Offset))
		return &interop.InputError{File: name, Line: line, Col: col, Msg: "JSON syntax error: " + se.Error(),
			Hint: "the file is not valid JSON; check the brackets, commas and quotes here"}
	case errors.As(err, &te):
		line, col := lineCol(data, int(te.Offset))
		field := te.Field
		if field == "" {
			field = "the top level"
		}
		return &interop.InputError{File: name, Line: line, Col: col,
			Msg:  fmt.Sprintf("%s: expected %s, found a JSON %s", field, kindName(te.Type.Kind().String()), te.Value),
			Hint: "the file does not have the shape of a Threat Composer export (.tc.json)"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, len(data))
		return &interop.InputError{File: name, Line: line, Col: col, Msg: "the file ends in the middle of the JSON",
			Hint: "the file may be truncated"}
	}
	return &interop.InputError{File: name, Msg: err.Error()}
}

func kindName(k string) string {
	switch k {
	case "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	case "float64", "int":
		return "a number"
	case "ptr":
		return "a value"
	}
	return "a " + k
}

// tooDeep reports the offset where JSON nesting first exceeds limit.
func tooDeep(data []byte, limit int) (int, bool) {
	depth, inStr, esc := 0, false, false
	for i, c := range data {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > limit {
				return i, true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return 0, false
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return line, col
}
