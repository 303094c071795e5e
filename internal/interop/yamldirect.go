package interop

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// directYAML writes the piece "key: v" (lo < 0) or "key: items [lo, hi)
// of the list v" straight from the format values: the bytes fastYAML
// writes for the node tree toNode builds of them, without building the
// tree (the tree of a 35 MB imported model was a third of writing it). It
// refuses, leaving w as it was, what fastYAML would refuse and what it is
// not sure to write as toNode would shape it; the caller then takes the
// node path. empty reports a chunk with no item written. FuzzDirectYAML
// and TestDirectYAMLOnModels compare the two.
func directYAML(w *bytes.Buffer, key string, v reflect.Value, lo, hi int) (ok, empty bool) {
	start := w.Len()
	f := fastEmitter{w: w}
	if lo < 0 {
		ok = f.valueEntry(key, v, 0)
	} else {
		if ok = plainKey(key); ok {
			f.str(key)
			f.str(":")
			ok, empty = f.itemsEntry(v, lo, hi, 0)
		}
	}
	if !ok {
		w.Truncate(start)
		return false, false
	}
	w.WriteByte('\n')
	return true, empty
}

// writesNothing reports a value toNode turns into no node: a nil pointer
// or a kind it does not write.
func writesNothing(v reflect.Value) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map, reflect.String, reflect.Int, reflect.Bool:
		return false
	}
	return true
}

// valueEntry writes "key: v" as mappingEntry writes "key: toNode(v)"; v
// writes something (writesNothing is false).
func (f *fastEmitter) valueEntry(key string, v reflect.Value, indent int) bool {
	if !plainKey(key) {
		return false
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f.str(key)
	f.str(":")
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if strings.Contains(s, "\n") {
			return f.literal(s, indent+2)
		}
		f.str(" ")
		return f.plainString(s, indent+2, false)
	case reflect.Int:
		f.str(" ")
		f.str(strconv.FormatInt(v.Int(), 10))
		return true
	case reflect.Bool:
		f.str(" ")
		f.str(strconv.FormatBool(v.Bool()))
		return true
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			return f.stringsEntry(v, indent)
		}
		ok, _ := f.itemsEntry(v, 0, v.Len(), indent)
		return ok
	case reflect.Struct:
		return f.structEntry(v, indent)
	case reflect.Map:
		return f.mapEntry(v, indent)
	}
	return false
}

// itemsEntry writes the items [lo, hi) of the list v that write something
// as a block sequence under the key already written, or "[]" when none
// does.
func (f *fastEmitter) itemsEntry(v reflect.Value, lo, hi, indent int) (ok, empty bool) {
	n := 0
	for j := lo; j < hi; j++ {
		item := v.Index(j)
		if writesNothing(item) {
			continue
		}
		n++
		f.newline(indent + 2)
		if !f.itemValue(item, indent+2) {
			return false, false
		}
	}
	if n == 0 {
		f.str(" []")
	}
	return true, n == 0
}

// itemValue writes "- item" as sequenceItem writes toNode(item).
func (f *fastEmitter) itemValue(item reflect.Value, indent int) bool {
	for item.Kind() == reflect.Pointer {
		item = item.Elem()
	}
	f.str("- ")
	switch item.Kind() {
	case reflect.String:
		s := item.String()
		return !strings.Contains(s, "\n") && f.plainString(s, indent+2, false)
	case reflect.Int:
		f.str(strconv.FormatInt(item.Int(), 10))
		return true
	case reflect.Bool:
		f.str(strconv.FormatBool(item.Bool()))
		return true
	case reflect.Struct:
		n := 0
		for _, fd := range fieldsOf(item.Type()) {
			fv := item.Field(fd.index)
			if skipField(fv) {
				continue
			}
			if n > 0 {
				f.newline(indent + 2)
			}
			n++
			if !f.valueEntry(fd.key, fv, indent+2) {
				return false
			}
		}
		if n == 0 {
			f.str("{}")
		}
		return true
	}
	return false
}

// structEntry writes the struct v under the key already written: a block
// mapping of its fields, or "{}" when none is written.
func (f *fastEmitter) structEntry(v reflect.Value, indent int) bool {
	n := 0
	for _, fd := range fieldsOf(v.Type()) {
		fv := v.Field(fd.index)
		if skipField(fv) {
			continue
		}
		n++
		f.newline(indent + 2)
		if !f.valueEntry(fd.key, fv, indent+2) {
			return false
		}
	}
	if n == 0 {
		f.str(" {}")
	}
	return true
}

// stringsEntry writes a list of strings under the key already written: in
// flow style, or in block style when its items joined by ", " pass 60
// bytes (toNode's choice).
func (f *fastEmitter) stringsEntry(v reflect.Value, indent int) bool {
	joined := 0
	for i := range v.Len() {
		if i > 0 {
			joined += 2
		}
		joined += len(v.Index(i).String())
	}
	if joined <= 60 || v.Len() == 0 {
		f.str(" [")
		for i := range v.Len() {
			f.flowItem(i == 0, indent+2)
			s := v.Index(i).String()
			if strings.Contains(s, "\n") || !f.plainString(s, 0, true) {
				return false
			}
		}
		f.str("]")
		return true
	}
	for i := range v.Len() {
		f.newline(indent + 2)
		if !f.itemValue(v.Index(i), indent+2) {
			return false
		}
	}
	return true
}

// mapEntry writes a map[string]string under the key already written, in
// flow style with its keys sorted, as flowMapping writes toNode's node;
// other maps are refused. The map is read as a Go map: reflect's map
// iteration allocated a copy of every key.
func (f *fastEmitter) mapEntry(v reflect.Value, indent int) bool {
	if !v.CanInterface() {
		return false
	}
	m, ok := v.Interface().(map[string]string)
	if !ok {
		return false
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	f.str(" {")
	for i, k := range keys {
		f.flowItem(i == 0, indent+2)
		if !plainKey(k) || !flowSafe(k) {
			return false
		}
		f.str(k)
		f.str(": ")
		if s := m[k]; strings.Contains(s, "\n") || !f.plainString(s, 0, true) {
			return false
		}
	}
	f.str("}")
	return true
}

// skipField reports a field yamlFields leaves out (zero or empty) or
// toNode writes nothing for.
func skipField(fv reflect.Value) bool {
	return fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 || writesNothing(fv)
}

// field is a struct field yamlFields yields: its index and YAML key.
type field struct {
	index int
	key   string
}

var typeFields sync.Map // reflect.Type -> []field

// fieldsOf returns the fields of the struct type t that yamlFields may
// yield (exported, tagged), in order; cached per type.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := typeFields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("yaml")
		if !f.IsExported() || key == "" || key == "-" {
			continue
		}
		fs = append(fs, field{i, key})
	}
	typeFields.Store(t, fs)
	return fs
}
