// Package modeledit applies structured edits — add, update or delete a
// component, flow, boundary or layout entry — to a ward.yaml file as
// minimal text edits guided by the YAML node tree, so that an edit made in
// the visual editor gives a small, readable diff: comments, key order,
// quoting and every untouched line stay exactly as they were.
//
// The package works on the YAML document only (it does not load or validate
// the model: callers run the loader on the result). Edits are plain data,
// decoded from JSON by ParseEdits, so that any client can send them.
package modeledit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec"
)

// Operations.
const (
	OpAdd    = "add"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Limits on edits.
const (
	// MaxEdits bounds the edits in one request.
	MaxEdits = 200
	// MaxSourceBytes bounds the file an edit applies to.
	MaxSourceBytes = 4 << 20
	maxValueLen    = 4096
	maxListLen     = 256
)

// Edit is one structured change to a model file.
type Edit struct {
	// Op is add, update or delete.
	Op string `json:"op"`
	// Section is components, flows, boundaries, assets, layout, threats,
	// mitigations, assumptions or decisions.
	Section string `json:"section"`
	// ID names the item to update or delete (a decision by its finding).
	// For add, the new item's id is Set["id"] (Set["finding"] for a
	// decision; flows may leave it out: it defaults to FROM-to-TO).
	ID string `json:"id,omitempty"`
	// Parent, for adding a boundary, names the boundary to nest it in.
	Parent string `json:"parent,omitempty"`
	// Set gives keys and their values: a string, a number, a boolean, a
	// list of strings or (for controls) a map of strings. A map replaces
	// the whole mapping, key by key.
	Set map[string]any `json:"set,omitempty"`
	// Unset lists keys to remove.
	Unset []string `json:"unset,omitempty"`
}

// sections maps the editable sections to their item types, whose yaml tags
// give the allowed keys and their canonical order.
var sections = map[string]reflect.Type{
	"components": reflect.TypeFor[spec.Component](),
	"flows":      reflect.TypeFor[spec.Flow](),
	"boundaries": reflect.TypeFor[spec.Boundary](),
	"assets":     reflect.TypeFor[spec.Asset](),
	"layout":     reflect.TypeFor[spec.Placement](),
	// What people decide is edited the same way (the server's decision,
	// mitigation and assumption edits can use it too).
	"threats":     reflect.TypeFor[spec.Threat](),
	"mitigations": reflect.TypeFor[spec.Mitigation](),
	"assumptions": reflect.TypeFor[spec.Assumption](),
	"decisions":   reflect.TypeFor[spec.Decision](),
}

// idKey is the key that names an item of a section: the finding for
// decisions, id elsewhere.
func idKey(section string) string {
	if section == "decisions" {
		return "finding"
	}
	return "id"
}

// keyOrder returns the yaml keys of t in declaration order.
func keyOrder(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if tag, ok := f.Tag.Lookup("yaml"); ok && f.IsExported() {
			keys = append(keys, strings.Split(tag, ",")[0])
		}
	}
	return keys
}

// docOrder is the canonical order of the top-level sections.
var docOrder = keyOrder(reflect.TypeFor[spec.Document]())

// ParseEdits decodes a JSON list of edits and checks their shape.
func ParseEdits(data []byte) ([]Edit, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var edits []Edit
	if err := dec.Decode(&edits); err != nil {
		return nil, fmt.Errorf("edits: %w", err)
	}
	if dec.More() {
		return nil, errors.New("edits: unexpected data after the list")
	}
	if len(edits) > MaxEdits {
		return nil, fmt.Errorf("edits: at most %d edits at once", MaxEdits)
	}
	for i := range edits {
		if err := edits[i].Validate(); err != nil {
			return nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
	}
	return edits, nil
}

// Validate checks an edit's shape and normalises its values.
func (e *Edit) Validate() error {
	t, ok := sections[e.Section]
	if !ok {
		return fmt.Errorf("unknown section %q: use components, flows, boundaries, assets, layout, threats, mitigations, assumptions or decisions", e.Section)
	}
	switch e.Op {
	case OpAdd:
		if e.ID != "" {
			return errors.New("add takes the new id in set.id, not id")
		}
	case OpUpdate, OpDelete:
		if e.ID == "" {
			return fmt.Errorf("%s needs the id of the item", e.Op)
		}
	default:
		return fmt.Errorf("unknown op %q: use add, update or delete", e.Op)
	}
	if e.Parent != "" && (e.Section != "boundaries" || e.Op != OpAdd) {
		return errors.New("parent is only for adding a nested boundary")
	}
	keys := keyOrder(t)
	for k, v := range e.Set {
		if !slices.Contains(keys, k) {
			return fmt.Errorf("%s have no key %q (keys: %s)", e.Section, k, strings.Join(keys, ", "))
		}
		nv, err := normalise(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		e.Set[k] = nv
	}
	for _, k := range e.Unset {
		if !slices.Contains(keys, k) {
			return fmt.Errorf("%s have no key %q", e.Section, k)
		}
		if k == idKey(e.Section) {
			return fmt.Errorf("the %s cannot be removed", k)
		}
		if _, both := e.Set[k]; both {
			return fmt.Errorf("key %q is both set and unset", k)
		}
	}
	if e.Op == OpDelete && (len(e.Set) > 0 || len(e.Unset) > 0) {
		return errors.New("delete takes no set or unset")
	}
	if e.Op == OpAdd {
		if len(e.Unset) > 0 {
			return errors.New("add takes no unset")
		}
		if id, _ := e.Set[idKey(e.Section)].(string); id == "" && e.Section != "flows" {
			return fmt.Errorf("add to %s needs set.%s", e.Section, idKey(e.Section))
		}
	}
	return nil
}

// normalise turns a decoded JSON value into one of string, bool, int64,
// []string or map[string]string.
func normalise(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if len(x) > maxValueLen {
			return nil, fmt.Errorf("value longer than %d bytes", maxValueLen)
		}
		return x, nil
	case bool:
		return x, nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return nil, fmt.Errorf("%s is not a whole number", x)
		}
		return n, nil
	case float64:
		if x != float64(int64(x)) {
			return nil, fmt.Errorf("%v is not a whole number", x)
		}
		return int64(x), nil
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case []string:
		return normalise(anySlice(x))
	case []any:
		if len(x) > maxListLen {
			return nil, fmt.Errorf("more than %d items", maxListLen)
		}
		out := make([]string, 0, len(x))
		for _, it := range x {
			s, ok := it.(string)
			if !ok || len(s) > maxValueLen {
				return nil, errors.New("a list may hold only strings")
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]string:
		m := map[string]any{}
		for k, s := range x {
			m[k] = s
		}
		return normalise(m)
	case map[string]any:
		if len(x) > maxListLen {
			return nil, fmt.Errorf("more than %d keys", maxListLen)
		}
		out := make(map[string]string, len(x))
		for k, it := range x {
			s, ok := it.(string)
			if !ok || len(s) > maxValueLen || k == "" || len(k) > maxValueLen {
				return nil, errors.New("a map may hold only strings")
			}
			out[k] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// Apply applies the edits in order to one file and returns the new text.
// An edit that finds nothing to change (a value already set) changes
// nothing.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	if len(src) > MaxSourceBytes {
		return nil, fmt.Errorf("the file is larger than %d bytes", MaxSourceBytes)
	}
	for i := range edits {
		e := edits[i]
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
		var err error
		if src, err = apply(src, e); err != nil {
			return nil, fmt.Errorf("edit %d (%s %s %s): %w", i+1, e.Op, e.Section, cmpOr(e.ID, idOf(e.Set)), err)
		}
	}
	return src, nil
}

// Holds reports whether the file's section has an item with the id (for
// routing an edit to the file of a multi-file model that holds the item).
func Holds(src []byte, section, id string) bool {
	d, err := parse(src)
	if err != nil {
		return false
	}
	_, _, ok := d.findItem(section, id)
	return ok
}

// HasSection reports whether the file has the top-level section.
func HasSection(src []byte, section string) bool {
	d, err := parse(src)
	if err != nil {
		return false
	}
	_, v := lookup(d.root, section)
	return v != nil
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func idOf(set map[string]any) string {
	s, _ := set["id"].(string)
	if s == "" {
		s, _ = set["finding"].(string)
	}
	return s
}

func apply(src []byte, e Edit) ([]byte, error) {
	d, err := parse(src)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case OpAdd:
		return d.add(e)
	case OpDelete:
		out, err := d.deleteItem(e.Section, e.ID)
		if err != nil {
			return nil, err
		}
		return cascade(out, e)
	default:
		return d.update(e)
	}
}

// cascade removes what depended on a deleted element: the flows from and
// to a component and the element's layout entry.
func cascade(src []byte, e Edit) ([]byte, error) {
	if e.Section == "components" {
		for {
			d, err := parse(src)
			if err != nil {
				return nil, err
			}
			id := d.flowTouching(e.ID)
			if id == "" {
				break
			}
			if src, err = d.deleteItem("flows", id); err != nil {
				return nil, err
			}
		}
	}
	if e.Section == "components" || e.Section == "boundaries" {
		d, err := parse(src)
		if err != nil {
			return nil, err
		}
		if _, _, ok := d.findItem("layout", e.ID); ok {
			return d.deleteItem("layout", e.ID)
		}
	}
	return src, nil
}

// value kinds for rendering.

// item is an ordered mapping rendered as a list item.
type item []kv

type kv struct {
	key string
	val any
}

// newItem orders set's keys canonically.
func newItem(section string, set map[string]any) item {
	var it item
	for _, k := range keyOrder(sections[section]) {
		if v, ok := set[k]; ok {
			it = append(it, kv{k, v})
		}
	}
	return it
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scalar renders a scalar value for YAML.
func scalar(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return quote(x)
	}
	return quote(fmt.Sprint(v))
}

// quote returns s as a plain scalar when YAML reads it back as the same
// string, else double-quoted.
func quote(s string) string {
	if s != "" && plainSafe(s) {
		var back any
		if err := yaml.Unmarshal([]byte("k: "+s), &back); err == nil {
			if m, ok := back.(map[string]any); ok {
				if got, ok := m["k"].(string); ok && got == s {
					return s
				}
			}
		}
	}
	return strconv.Quote(s)
}

func plainSafe(s string) bool {
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, "\n\t{}[],&*!|>'\"%@`") ||
		strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || strings.HasPrefix(s, "#") || strings.HasPrefix(s, ":") {
		return false
	}
	return !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "?")
}

// flowList renders a list in flow style.
func flowList(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = quote(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// entry renders "key: value" lines at indent.
func entry(key string, v any, indent int) []string {
	pad := strings.Repeat(" ", indent)
	switch x := v.(type) {
	case []string:
		return []string{pad + key + ": " + flowList(x)}
	case map[string]string:
		if len(x) == 0 {
			return []string{pad + key + ": {}"}
		}
		lines := []string{pad + key + ":"}
		for _, k := range sortedKeys(x) {
			lines = append(lines, pad+"  "+quote(k)+": "+quote(x[k]))
		}
		return lines
	case []item:
		if len(x) == 0 {
			return []string{pad + key + ": []"}
		}
		lines := []string{pad + key + ":"}
		for _, it := range x {
			lines = append(lines, listItem(it, indent+2, false)...)
		}
		return lines
	}
	return []string{pad + key + ": " + scalar(v)}
}

// listItem renders an item with its dash at indent, in block style or, for
// flow, on one line.
func listItem(it item, indent int, flow bool) []string {
	pad := strings.Repeat(" ", indent)
	if flow {
		parts := make([]string, len(it))
		for i, p := range it {
			var s string
			switch x := p.val.(type) {
			case []string:
				s = flowList(x)
			default:
				s = scalar(x)
			}
			parts[i] = p.key + ": " + s
		}
		return []string{pad + "- {" + strings.Join(parts, ", ") + "}"}
	}
	var lines []string
	for i, p := range it {
		ls := entry(p.key, p.val, indent+2)
		if i == 0 {
			ls[0] = pad + "- " + ls[0][indent+2:]
		}
		lines = append(lines, ls...)
	}
	return lines
}
