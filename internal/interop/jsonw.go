package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// WriteIndentedJSON writes v, a pointer to a struct, exactly as
// json.MarshalIndent(v, "", "  ") followed by a newline, but streaming: the
// struct's fields are encoded one at a time and its lists one item at a
// time, so memory holds one item's JSON rather than the whole document
// twice (an export of a 10,000-component model is hundreds of MB).
func WriteIndentedJSON(w io.Writer, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		// Not a struct: nothing to stream.
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(out, '\n'))
		return err
	}
	rv = rv.Elem()
	t := rv.Type()
	bw := bufio.NewWriterSize(w, 1<<16)
	var compact, indented bytes.Buffer
	// encode writes x, indented with prefix.
	encode := func(x any, prefix string) error {
		compact.Reset()
		indented.Reset()
		enc := json.NewEncoder(&compact) // escapes HTML, as json.Marshal does
		if err := enc.Encode(x); err != nil {
			return err
		}
		if err := json.Indent(&indented, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), prefix, "  "); err != nil {
			return err
		}
		_, err := bw.Write(indented.Bytes())
		return err
	}
	bw.WriteString("{")
	n := 0
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			// json.MarshalIndent would flatten an embedded struct; the
			// documents written here have none.
			return &json.UnsupportedTypeError{Type: t}
		}
		if !f.IsExported() {
			continue
		}
		key, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "-" && opts == "" {
			continue
		}
		if key == "" {
			key = f.Name
		}
		fv := rv.Field(i)
		if strings.Contains(","+opts+",", ",omitempty,") && isEmptyJSON(fv) {
			continue
		}
		if n > 0 {
			bw.WriteString(",")
		}
		n++
		kb, err := json.Marshal(key)
		if err != nil {
			return err
		}
		bw.WriteString("\n  ")
		bw.Write(kb)
		bw.WriteString(": ")
		if fv.Kind() == reflect.Slice && fv.Len() > 0 && fv.Type().Elem().Kind() != reflect.Uint8 && !fv.Type().Implements(marshalerType) {
			bw.WriteString("[")
			for j := range fv.Len() {
				if j > 0 {
					bw.WriteString(",")
				}
				bw.WriteString("\n    ")
				if err := encode(fv.Index(j).Interface(), "    "); err != nil {
					return err
				}
			}
			bw.WriteString("\n  ]")
			continue
		}
		if err := encode(fv.Interface(), "  "); err != nil {
			return err
		}
	}
	if n > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// isEmptyJSON is encoding/json's test for omitempty.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
