package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxJSONDepth is the deepest nesting of JSON objects and arrays an importer
// accepts. Real files nest about eight levels; encoding/json itself stops at
// 10000, much deeper than any tool writes.
const MaxJSONDepth = 200

// JSONFormat names a JSON format in the errors DecodeJSON returns.
type JSONFormat struct {
	// Name is the format as people say it ("OTM").
	Name string
	// Object names one document of it ("OTM object").
	Object string
	// ShapeHint says what to check when a field has the wrong type.
	ShapeHint string
}

// DecodeJSON decodes one JSON document of format f into v, refusing deep
// nesting before decoding and turning encoding/json's byte offsets into
// positioned InputErrors.
func DecodeJSON(name string, data []byte, v any, f JSONFormat) error {
	if off, ok := tooDeep(data, MaxJSONDepth); ok {
		line, col := LineCol(data, off)
		return &InputError{File: name, Line: line, Col: col,
			Msg:  fmt.Sprintf("objects and arrays nest more than %d levels deep", MaxJSONDepth),
			Hint: "this is not a " + f.Name + " file a tool would write; check that it is the right file"}
	}
	// One document and nothing after it decodes with json.Unmarshal, which
	// reads data where it is (a Decoder copies the whole file into its
	// buffer first, growing it by doubling). Anything else fails there and
	// is decoded again below, for the error as it has always been given.
	if json.Unmarshal(data, v) == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(name, data, err, f)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := LineCol(data, int(dec.InputOffset()))
		return &InputError{File: name, Line: line, Col: col, Msg: "unexpected data after the " + f.Object,
			Hint: "a file holds one " + f.Object}
	}
	return nil
}

func jsonError(name string, data []byte, err error, f JSONFormat) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := LineCol(data, int(se.Offset))
		return &InputError{File: name, Line: line, Col: col, Msg: "JSON syntax error: " + se.Error(),
			Hint: "the file is not valid JSON; check the brackets, commas and quotes here"}
	case errors.As(err, &te):
		line, col := LineCol(data, int(te.Offset))
		field := te.Field
		if field == "" {
			field = "the top level"
		}
		return &InputError{File: name, Line: line, Col: col,
			Msg:  fmt.Sprintf("%s: expected %s, found a JSON %s", field, kindName(te.Type.Kind().String()), te.Value),
			Hint: f.ShapeHint}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		line, col := LineCol(data, len(data))
		return &InputError{File: name, Line: line, Col: col, Msg: "the file ends in the middle of the JSON",
			Hint: "the file may be truncated"}
	}
	return &InputError{File: name, Msg: err.Error()}
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

// tooDeep reports the offset where JSON nesting first exceeds limit. A
// string is skipped to its closing quote with bytes.IndexByte (most of an
// export is text), a quote counting as closing when an even number of
// backslashes comes before it.
func tooDeep(data []byte, limit int) (int, bool) {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			j := i + 1
			for {
				k := bytes.IndexByte(data[j:], '"')
				if k < 0 {
					return 0, false // the rest is inside the string
				}
				j += k
				b := j - 1
				for b > i && data[b] == '\\' {
					b--
				}
				if (j-1-b)%2 == 0 {
					break
				}
				j++
			}
			i = j
		case '{', '[':
			depth++
			if depth > limit {
				return i, true
			}
		case '}', ']':
			depth--
		}
	}
	return 0, false
}

// LineCol turns a byte offset into a 1-based line and column.
func LineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return line, col
}
