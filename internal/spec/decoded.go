package spec

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/model"
)

// CheckDecoded reports whether doc, written out as YAML by ward import's
// writer (internal/interop: a field is written when it is not its zero
// value and not an empty list or map; nothing else is written), would load
// with Parse without a single diagnostic. It does on the Go values what
// Parse does on the text: the decoder's checks, field by field from the
// same tags (required keys, enums, ids, dates, ports, the format version,
// controls, nesting depth, the node budget), then the very same build — on
// doc itself, whose elements it marks as decoded with the keys the writer
// writes. The caller must also make sure the written text is valid UTF-8
// (Parse's first check).
//
// It is conservative: false means "not sure", never "invalid" — a value the
// decoder would have normalised (an enum in capitals, a control in
// capitals), a nil item in a list (the writer leaves it out), a required
// key the writer would leave out, or any diagnostic of the build, warnings
// included. The caller then parses the written text, which gives the exact
// diagnostics with their positions. (interop's TestCheckDecodedMatchesParse
// and FuzzCheckDecoded hold the two to each other.)
//
// doc is changed as building it changes it (ids compacted, elements marked
// as decoded): call it once the model is written.
func CheckDecoded(doc *Document, size int) bool {
	if doc == nil {
		return false
	}
	c := docChecker{budget: nodeBudget(size)}
	if !c.structOK(reflect.ValueOf(doc).Elem()) || c.budget <= 0 {
		return false
	}
	_, diags := build([]parsed{{name: "imported.yaml", doc: doc}})
	return len(diags) == 0
}

// docChecker walks a Document as the decoder walks its text.
type docChecker struct {
	budget int // the decoder's node budget, spent generously (see spend)
	depth  int
}

// spend counts n nodes, more than the decoder spends for them (it spends
// one per struct, key and list item; the checker spends two per struct and
// per key, so that a model near the budget is always parsed).
func (c *docChecker) spend(n int) bool {
	c.budget -= n
	return c.budget > 0
}

// written reports whether the writer writes the field fv: interop's
// yamlFields rule (change both together).
func written(fv reflect.Value) bool {
	if fv.IsZero() {
		return false
	}
	if k := fv.Kind(); (k == reflect.Slice || k == reflect.Map) && fv.Len() == 0 {
		return false
	}
	return true
}

// structOK checks the struct v as decodeStruct checks its mapping, and marks
// its element decoded with the keys written.
func (c *docChecker) structOK(v reflect.Value) bool {
	if !c.spend(2) {
		return false
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxDepth-2 {
		return false
	}
	si := infoOf(v.Type())
	if len(si.fields) > 64 { // hasKey would look in the file
		return false
	}
	var keys uint64
	for i, f := range si.fields {
		fv := v.Field(f.index)
		if !written(fv) {
			if f.required {
				return false // "is missing"
			}
			continue
		}
		if !c.spend(2) {
			return false
		}
		keys |= 1 << i
		if !c.fieldOK(f, fv) {
			return false
		}
	}
	nd, ok := v.Addr().Interface().(noder)
	if !ok {
		return false
	}
	*nd.element() = elem{set: true, keys: keys, info: si}
	return true
}

// fieldOK checks one written field as decodeField checks its value.
func (c *docChecker) fieldOK(f field, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return scalarOK(f, v.String())
	case reflect.Int:
		i := v.Int()
		if len(f.enum) > 0 && !slices.Contains(f.enum, itoa(i)) {
			return false
		}
		return f.key != "port" || 0 <= i && i <= 65535
	case reflect.Bool:
		return true
	case reflect.Slice:
		if !c.spend(v.Len()) {
			return false
		}
		switch v.Type().Elem().Kind() {
		case reflect.String:
			for i := range v.Len() {
				if !scalarOK(f, v.Index(i).String()) {
					return false
				}
			}
			return true
		case reflect.Pointer:
			if v.Type().Elem().Elem().Kind() != reflect.Struct {
				return false
			}
			for i := range v.Len() {
				item := v.Index(i)
				if item.IsNil() || !c.structOK(item.Elem()) { // the writer leaves a nil item out
					return false
				}
			}
			return true
		}
		return false
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct {
			return false
		}
		return c.structOK(v.Elem())
	case reflect.Map:
		m, ok := v.Interface().(map[string]string)
		if !ok || f.keys != "controls" || !c.spend(2*len(m)) {
			return false
		}
		for k, val := range m {
			if _, ok := model.ControlByKey(k); !ok || !utf8.ValidString(val) {
				return false
			}
			// The decoder lower-cases the value: only a value already
			// in lower case is the same once decoded.
			if _, ok := model.ParseTri(val); !ok || strings.ToLower(val) != val {
				return false
			}
		}
		return true
	}
	return false
}

// scalarOK is scalar's checks on a string the writer writes as text: its
// enum (only the schema's own spelling, which the decoder keeps as is), id
// and date; and that it is UTF-8, which the writer writes as text (the
// yaml emitter writes anything else as !!binary, which the decoder reads
// back as its base64 text: another value).
func scalarOK(f field, s string) bool {
	if !utf8.ValidString(s) {
		return false // written as !!binary: read back as its base64
	}
	if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
		return false
	}
	if f.id && !validID(s) {
		return false
	}
	if f.format == "date" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return false
		}
	}
	return true
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
