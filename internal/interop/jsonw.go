package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/jsonindent"
)

// WriteIndentedJSON writes v, a pointer to a struct, exactly as
// json.MarshalIndent(v, "", "  ") followed by a newline, but streaming: the
// struct's fields are encoded one at a time and its lists one item at a
// time, so memory holds one item's JSON rather than the whole document
// twice (an export of a 10,000-component model is hundreds of MB).
//
// lazy names lists made as they are written: the list under a key in lazy
// is written from its items rather than from the field, which holds the
// list's empty value (nil or empty) when there are none.
func WriteIndentedJSON(w io.Writer, v any, lazy map[string]Lazy) error {
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
	var ie itemEncoder
	encode := func(x any, prefix string) error {
		if err := ie.encode(x, prefix); err != nil {
			return err
		}
		_, err := bw.Write(ie.out)
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
		l, isLazy := lazy[key]
		isLazy = isLazy && l.N > 0
		if !isLazy && strings.Contains(","+opts+",", ",omitempty,") && isEmptyJSON(fv) {
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
		if !isLazy && fv.Kind() == reflect.Slice && fv.Len() > 0 && fv.Type().Elem().Kind() != reflect.Uint8 && !fv.Type().Implements(marshalerType) {
			isLazy, l = true, Lazy{N: fv.Len(), Item: func(j int) any { return fv.Index(j).Interface() }}
		}
		if isLazy {
			bw.WriteString("[")
			if err := writeItems(bw, l); err != nil {
				return err
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

// Lazy is a list of N items made as they are written: Item(i) makes the
// i-th, and may be called from several goroutines at once.
//
// Append, if set, is used instead of Item: it appends the i-th item's JSON
// (what Item(i) would encode, indented with prefix) to dst, so that an
// item written field by field need not be made as a value first.
type Lazy struct {
	N      int
	Item   func(i int) any
	Append func(dst []byte, i int, prefix string) ([]byte, error)
}

// itemEncoder encodes one value at a time: marshalled compactly, then
// indented (jsonindent: json.Indent's bytes without its validating
// scanner, which took half of an export's encoding time).
type itemEncoder struct {
	compact bytes.Buffer
	out     []byte
}

// encode leaves x in e.out, indented with prefix.
func (e *itemEncoder) encode(x any, prefix string) error {
	if a, ok := x.(IndentedJSONAppender); ok {
		var err error
		e.out, err = a.AppendIndentedJSON(e.out[:0], prefix)
		return err
	}
	e.compact.Reset()
	enc := json.NewEncoder(&e.compact) // escapes HTML, as json.Marshal does
	if err := enc.Encode(x); err != nil {
		return err
	}
	e.out = jsonindent.Append(e.out[:0], bytes.TrimSuffix(e.compact.Bytes(), []byte("\n")), prefix)
	return nil
}

// itemsPerWorker is how many list items one goroutine encodes at a time.
const itemsPerWorker = 128

// writeItems writes the items of a non-empty list, each on a new line at
// four spaces, separated by commas. A window of items is encoded at a
// time, split among GOMAXPROCS goroutines, and written in order.
func writeItems(w *bufio.Writer, list Lazy) error {
	n := list.N
	workers := max(1, min(runtime.GOMAXPROCS(0), (n+itemsPerWorker-1)/itemsPerWorker))
	bufs := make([]bytes.Buffer, workers)
	errs := make([]error, workers)
	for lo := 0; lo < n; lo += workers * itemsPerWorker {
		var wg sync.WaitGroup
		for k := range workers {
			from, to := min(n, lo+k*itemsPerWorker), min(n, lo+(k+1)*itemsPerWorker)
			wg.Go(func() {
				var e itemEncoder
				b := &bufs[k]
				b.Reset()
				for j := from; j < to; j++ {
					if j > 0 {
						b.WriteByte(',')
					}
					b.WriteString("\n    ")
					if list.Append != nil {
						// Appended in place (bytes.Buffer.AvailableBuffer).
						var out []byte
						if out, errs[k] = list.Append(b.AvailableBuffer(), j, "    "); errs[k] != nil {
							return
						}
						b.Write(out)
						continue
					}
					if errs[k] = e.encode(list.Item(j), "    "); errs[k] != nil {
						return
					}
					b.Write(e.out)
				}
			})
		}
		wg.Wait()
		for k := range workers {
			if errs[k] != nil {
				return errs[k]
			}
			if _, err := w.Write(bufs[k].Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
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
