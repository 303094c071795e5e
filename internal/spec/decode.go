package spec

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
)

// elem is embedded in every element of the format: it remembers where the
// element was written and which keys it has, so later checks can point at it
// and at its keys. It does not keep the YAML node tree (on a large model
// that is most of the memory loading takes, and it would stay reachable
// until the model is built): the rare diagnostic that points at one of an
// element's keys parses the file again to find it (srcFile.nodeAt).
type elem struct {
	src       *srcFile
	line, col int32
	set       bool
	// keys has bit i set when the element states field i of info.
	keys uint64
	info *structInfo
}

// srcFile is a file being decoded, kept so that key positions can be found
// again when a diagnostic needs one.
type srcFile struct {
	name string
	data []byte
	once sync.Once
	// maps indexes the file's mapping nodes by line and column.
	maps map[[2]int]*ynode
}

// nodeAt returns the mapping node at line and col, parsing the file again
// the first time it is asked (the parse is deterministic: the same nodes at
// the same positions as when the file was decoded).
func (f *srcFile) nodeAt(line, col int) *ynode {
	f.once.Do(func() {
		f.maps = map[[2]int]*ynode{}
		root, err := parseYAML(f.data)
		if err != nil {
			return
		}
		var walk func(n *ynode, depth int)
		walk = func(n *ynode, depth int) {
			// Aliases are not followed: their targets are met where
			// they are written.
			if n == nil || n.Kind == yaml.AliasNode || depth > maxDepth+2 {
				return
			}
			if n.Kind == yaml.MappingNode {
				k := [2]int{int(n.Line), int(n.Column)}
				if _, ok := f.maps[k]; !ok {
					f.maps[k] = n
				}
			}
			for i := range n.Content {
				walk(&n.Content[i], depth+1)
			}
		}
		walk(root, 0)
	})
	return f.maps[[2]int{line, col}]
}

func (e *elem) setNode(n *ynode, src *srcFile, si *structInfo) {
	*e = elem{src: src, line: n.Line, col: n.Column, set: true, info: si}
}

func (e *elem) file() string {
	if e.src == nil {
		return ""
	}
	return e.src.name
}

// pos returns the element's position.
func (e *elem) pos() model.Pos {
	if !e.set {
		return model.Pos{File: e.file()}
	}
	return model.Pos{File: e.file(), Line: int(e.line), Col: int(e.col)}
}

// keyPos returns the position of the value of key, then of its i-th item when
// i >= 0, falling back on the element's own position.
func (e *elem) keyPos(key string, i int) model.Pos {
	if !e.set || e.src == nil {
		return e.pos()
	}
	n := e.src.nodeAt(int(e.line), int(e.col))
	if n == nil || n.Kind != yaml.MappingNode {
		return e.pos()
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value != key {
			continue
		}
		v := n.kid(k + 1)
		if i >= 0 && v.Kind == yaml.SequenceNode && i < len(v.Content) {
			v = v.kid(i)
		}
		return model.Pos{File: e.file(), Line: int(v.Line), Col: int(v.Column)}
	}
	return e.pos()
}

// hasKey reports whether the element states key (even with no value).
func (e *elem) hasKey(key string) bool {
	if !e.set || e.info == nil {
		return false
	}
	if i, ok := e.info.byKey[key]; ok && i < 64 {
		return e.keys&(1<<i) != 0
	}
	// A key the format does not have, or past the first 64: look in the file.
	n := e.src.nodeAt(int(e.line), int(e.col))
	if n == nil {
		return false
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value == key {
			return true
		}
	}
	return false
}

type noder interface {
	setNode(n *ynode, src *srcFile, si *structInfo)
	element() *elem
}

func (e *elem) element() *elem { return e }

// field describes one key of a format type.
type field struct {
	key      string
	index    int
	required bool
	enum     []string
	ref      string
	keys     string
	format   string
	id       bool
}

type structInfo struct {
	fields []field
	byKey  map[string]int
	keys   []string
	name   string
}

var infoCache sync.Map // reflect.Type -> *structInfo

func infoOf(t reflect.Type) *structInfo {
	if v, ok := infoCache.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{byKey: map[string]int{}, name: typeLabel(t)}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		key := sf.Tag.Get("yaml")
		if key == "" || key == "-" || !sf.IsExported() {
			continue
		}
		f := field{key: key, index: i, required: sf.Tag.Get("required") == "true",
			ref: sf.Tag.Get("ref"), keys: sf.Tag.Get("keys"), format: sf.Tag.Get("format"), id: sf.Tag.Get("id") == "true"}
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, ",")
		}
		si.byKey[key] = len(si.fields)
		si.fields = append(si.fields, f)
		si.keys = append(si.keys, key)
	}
	infoCache.Store(t, si)
	return si
}

func typeLabel(t reflect.Type) string {
	switch t.Name() {
	case "Document":
		return "the model"
	case "ScopeItem":
		return "scope item"
	}
	return strings.ToLower(t.Name())
}

// maxDepth bounds how deeply structures (nested boundaries) may nest.
const maxDepth = 64

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// validID reports whether s matches idPattern, without the regexp machinery.
func validID(s string) bool {
	if s == "" || !idByte(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !idByte(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// ValidID reports whether s has the shape of a model id (a letter or digit,
// then letters, digits, '.', '_' and '-'), for callers outside the loader
// that take ids from people (the server's answers).
func ValidID(s string) bool { return validID(s) }

func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// decoder turns YAML nodes into format values, collecting every problem.
type decoder struct {
	file  string
	src   *srcFile
	diags *Diagnostics
	// budget bounds the number of nodes visited, so aliases cannot expand a
	// small file into an enormous one.
	budget int
	depth  int
	// refs is where lists of references are cut from (list).
	refs []string
}

// refsChunk is the number of list items allocated at once for lists of
// references.
const refsChunk = 512

// list returns an empty list with room for k items for field f. A list of
// references (ids of assets, elements, mitigations) is only read by build,
// which makes the model's own lists: it is cut from a chunk shared with
// other such lists (at 10,000 components, 39,000 allocations fewer). Any
// other list may be kept by the model, so it has an array of its own
// that does not hold a chunk alive.
func (d *decoder) list(f field, k int) []string {
	if f.ref == "" || k == 0 || k > refsChunk {
		return make([]string, 0, k)
	}
	if len(d.refs) < k {
		d.refs = make([]string, refsChunk)
	}
	out := d.refs[:0:k]
	d.refs = d.refs[k:]
	return out
}

func (d *decoder) pos(n *ynode) model.Pos {
	return model.Pos{File: d.file, Line: int(n.Line), Col: int(n.Column)}
}

func (d *decoder) spend(n *ynode) bool {
	d.budget--
	if d.budget == 0 {
		d.diags.add(d.pos(n), "the model expands to too many YAML nodes (aliases?)", "remove anchors and aliases that repeat large parts of the file")
	}
	return d.budget > 0
}

func resolve(n *ynode) *ynode {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.alias()
	}
	return n
}

func isNull(n *ynode) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// decodeStruct fills the struct v points at from a mapping node.
func (d *decoder) decodeStruct(n *ynode, v reflect.Value) {
	n = resolve(n)
	if !d.spend(n) {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.add(n, "the model nests too deeply (more than %d levels)", "flatten nested boundaries or remove recursive aliases", maxDepth)
		d.budget = 0
		return
	}
	si := infoOf(v.Type())
	var el *elem
	if nd, ok := v.Addr().Interface().(noder); ok {
		nd.setNode(n, d.src, si)
		el = nd.element()
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "%s must be a mapping of keys to values, not %s", "write it as `key: value` lines", si.name, kindName(n))
		return
	}
	var seenBuf [32]bool
	var seen []bool
	if len(si.fields) > len(seenBuf) {
		seen = make([]bool, len(si.fields))
	} else {
		seen = seenBuf[:len(si.fields)]
	}
	var pairs [][2]*ynode
	plain := plainMapping(n)
	if !plain {
		pairs = d.pairs(n)
	}
	for i := 0; ; i++ {
		var k, val *ynode
		if plain {
			if 2*i+1 >= len(n.Content) {
				break
			}
			k, val = n.kid(2*i), n.kid(2*i+1)
		} else {
			if i >= len(pairs) {
				break
			}
			k, val = pairs[i][0], pairs[i][1]
		}
		if !d.spend(k) {
			return
		}
		idx, ok := si.byKey[k.Value]
		if !ok {
			if d.full() {
				continue
			}
			d.add(k, "unknown key %q in %s", keyHint(k.Value, si.keys), k.Value, si.name)
			continue
		}
		if seen[idx] {
			d.add(k, "key %q appears twice in %s", "keep one of them", k.Value, si.name)
			continue
		}
		seen[idx] = true
		if el != nil && idx < 64 {
			el.keys |= 1 << idx
		}
		f := si.fields[idx]
		if isNull(resolve(val)) {
			if f.required { // `id:` with nothing after it
				hint := "write its value after the colon"
				if len(f.enum) > 0 {
					hint += ": one of " + strings.Join(f.enum, ", ")
				}
				d.add(k, "%q in %s has no value", hint, k.Value, si.name)
			}
			continue
		}
		d.decodeField(f, val, v.Field(f.index), si.name)
	}
	for i, f := range si.fields {
		if f.required && !seen[i] {
			d.add(n, "%s is missing %q", requiredHint(f), si.name, f.key)
		}
	}
}

func requiredHint(f field) string {
	hint := fmt.Sprintf("add `%s:`", f.key)
	if len(f.enum) > 0 {
		hint += " with one of: " + strings.Join(f.enum, ", ")
	}
	return hint
}

// plainMapping reports whether a mapping's keys are all scalars and none is
// a merge key, so that its pairs are simply its content.
func plainMapping(n *ynode) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.kid(i); k.Kind != yaml.ScalarNode || k.Value == "<<" && k.ShortTag() == "!!merge" {
			return false
		}
	}
	return true
}

// pairs returns key/value pairs of a mapping, applying << merge keys.
func (d *decoder) pairs(n *ynode) [][2]*ynode {
	out := make([][2]*ynode, 0, len(n.Content)/2)
	var merged [][2]*ynode
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.kid(i), n.kid(i+1)
		if k.Kind != yaml.ScalarNode {
			d.add(k, "keys must be plain words", "write `key: value`")
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			// A merge key takes a mapping or a list of mappings; earlier
			// mappings in the list win over later ones.
			v = resolve(v)
			srcs := []*ynode{v}
			if v.Kind == yaml.SequenceNode {
				srcs = srcs[:0]
				for i := range v.Content {
					srcs = append(srcs, v.kid(i))
				}
			}
			for _, m := range srcs {
				m = resolve(m)
				if m.Kind != yaml.MappingNode {
					d.add(m, "<< must merge a mapping or a list of mappings, not %s", "point it at an anchor on a mapping (<<: *name)", kindName(m))
					continue
				}
				for j := 0; j+1 < len(m.Content); j += 2 {
					if !d.spend(m.kid(j)) {
						return out
					}
					merged = append(merged, [2]*ynode{m.kid(j), m.kid(j + 1)})
				}
			}
			continue
		}
		out = append(out, [2]*ynode{k, v})
	}
	if len(merged) == 0 {
		return out
	}
	have := make(map[string]bool, len(out)+len(merged))
	for _, p := range out {
		have[p[0].Value] = true
	}
	for _, m := range merged { // explicit keys win over merged ones
		if m[0].Kind != yaml.ScalarNode {
			d.add(m[0], "keys must be plain words", "write `key: value`")
			continue
		}
		if !have[m[0].Value] {
			have[m[0].Value] = true
			out = append(out, m)
		}
	}
	return out
}

func (d *decoder) add(n *ynode, msg, hint string, args ...any) {
	d.diags.add(d.pos(n), msg, hint, args...)
}

// full reports whether enough problems were found to stop looking; callers
// check it before computing costly hints.
func (d *decoder) full() bool { return len(*d.diags) >= MaxDiagnostics }

func kindName(n *ynode) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "this"
}

func keyHint(got string, keys []string) string {
	if s := Suggest(got, keys); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "known keys: " + strings.Join(keys, ", ")
}

func (d *decoder) decodeField(f field, n *ynode, v reflect.Value, owner string) {
	n = resolve(n)
	switch v.Kind() {
	case reflect.String:
		if s, ok := d.scalar(n, f, owner); ok {
			v.SetString(s)
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			d.add(n, "%q must be a whole number, not %s", "write a number such as 443", f.key, kindName(n))
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil {
			d.add(n, "%q must be a whole number, not %q", "write a number such as 443", f.key, n.Value)
			return
		}
		if len(f.enum) > 0 && !contains(f.enum, n.Value) {
			hint := "use " + strings.Join(f.enum, " or ")
			if f.key == "ward" {
				hint = "this version of ward reads format " + strings.Join(f.enum, " or ")
			}
			d.add(n, "%q must be %s, not %q", hint, f.key, strings.Join(f.enum, " or "), n.Value)
			return
		}
		if f.key == "port" && (i < 0 || i > 65535) {
			d.add(n, "port %d is out of range", "use a port between 0 and 65535", i)
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		if n.Kind == yaml.ScalarNode {
			switch n.Value {
			case "true", "yes", "True", "Yes", "TRUE", "YES":
				v.SetBool(true)
				return
			case "false", "no", "False", "No", "FALSE", "NO":
				return
			}
		}
		d.add(n, "%q must be true or false, not %s", "write true or false", f.key, kindName(n))
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if v.Type().Elem().Kind() == reflect.String && n.Kind == yaml.ScalarNode {
				d.add(n, "%q must be a list", fmt.Sprintf("write [%s]", n.Value), f.key)
			} else {
				d.add(n, "%q must be a list, not %s", "start each item with `- `", f.key, kindName(n))
			}
			return
		}
		et := v.Type().Elem()
		switch et.Kind() {
		case reflect.String:
			out := d.list(f, len(n.Content))
			for i := range n.Content {
				item := resolve(n.kid(i))
				if !d.spend(item) {
					return
				}
				if s, ok := d.scalar(item, f, owner); ok {
					out = append(out, s)
				}
			}
			// A plain []string field is set through its address (a
			// pointer in an interface allocates nothing); Convert boxes
			// the slice.
			if p, ok := addrOf[[]string](v); ok {
				*p = out
			} else {
				v.Set(reflect.ValueOf(out).Convert(v.Type()))
			}
		case reflect.Pointer:
			// The structs share one backing array: one allocation, not one
			// per item.
			arr := reflect.MakeSlice(reflect.SliceOf(et.Elem()), len(n.Content), len(n.Content))
			out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
			if d.depth == 1 && len(n.Content) >= parallelItems && runtime.GOMAXPROCS(0) > 1 {
				if !d.decodeItemsParallel(n.Content, arr, out) {
					return
				}
			} else if !d.decodeItems(n.Content, 0, arr, out) {
				return
			}
			v.Set(out)
		}
	case reflect.Pointer:
		ev := reflect.New(v.Type().Elem())
		d.decodeStruct(n, ev.Elem())
		v.Set(ev)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.add(n, "%q must be a mapping, not %s", "write `name: yes|no|unknown` lines", f.key, kindName(n))
			return
		}
		m := make(map[string]string, len(n.Content)/2)
		// A plain mapping's pairs are its content: no list of them.
		var pairs [][2]*ynode
		plain := plainMapping(n)
		if !plain {
			pairs = d.pairs(n)
		}
		for i := 0; ; i++ {
			var k, val *ynode
			if plain {
				if 2*i+1 >= len(n.Content) {
					break
				}
				k, val = n.kid(2*i), resolve(n.kid(2*i+1))
			} else {
				if i >= len(pairs) {
					break
				}
				k, val = pairs[i][0], resolve(pairs[i][1])
			}
			if !d.spend(k) {
				return
			}
			if _, ok := model.ControlByKey(k.Value); !ok {
				if d.full() {
					continue
				}
				// The keys are listed only for a message: ControlKeys
				// makes the list (at 10,000 components, 20,000 mappings of
				// controls made 10 MB of lists).
				d.add(k, "unknown control %q", keyHint(k.Value, model.ControlKeys())+" (see `ward help controls`)", k.Value)
				continue
			}
			if _, dup := m[k.Value]; dup {
				d.add(k, "control %q appears twice", "keep one of them", k.Value)
				continue
			}
			if val.Kind != yaml.ScalarNode {
				d.add(val, "control %q must be yes, no or unknown, not %s", "write yes, no or unknown", k.Value, kindName(val))
				continue
			}
			if _, ok := model.ParseTri(strings.ToLower(val.Value)); !ok || val.Tag == "!!null" {
				if val.Tag == "!!null" {
					continue
				}
				d.add(val, "control %q must be yes, no or unknown, not %q", "write yes, no or unknown (unknown makes Ward ask)", k.Value, val.Value)
				continue
			}
			m[k.Value] = strings.ToLower(val.Value)
		}
		v.Set(reflect.ValueOf(m))
	}
}

// parallelItems is the length from which a top-level list is decoded in two
// halves at once.
var parallelItems = 2048

// decodeItems decodes items into the structs of arr from index off, storing
// their addresses in out. It returns false when the node budget ran out.
func (d *decoder) decodeItems(items []ynode, off int, arr, out reflect.Value) bool {
	for i := range items {
		item := resolve(&items[i])
		if !d.spend(item) {
			return false
		}
		ev := arr.Index(off + i).Addr()
		d.decodeStruct(item, ev.Elem())
		out.Index(off + i).Set(ev)
	}
	return true
}

// decodeItemsParallel is decodeItems from 0 with the second half decoded by
// another goroutine. Its result is kept only when that half found no problem
// and stayed within what is left of the node budget; then decoding it in turn
// would have given the same values and no diagnostics. Otherwise the second
// half is decoded again in turn, so diagnostics are exactly those of a
// sequential decode.
func (d *decoder) decodeItemsParallel(items []ynode, arr, out reflect.Value) bool {
	h := len(items) / 2
	var cdiags Diagnostics
	start := d.budget
	child := &decoder{file: d.file, src: d.src, diags: &cdiags, budget: start, depth: d.depth}
	done := make(chan struct{})
	go func() {
		defer close(done)
		child.decodeItems(items[h:], h, arr, out)
	}()
	ok := d.decodeItems(items[:h], 0, arr, out)
	<-done
	if !ok {
		return false
	}
	if spent := start - child.budget; len(cdiags) == 0 && spent < d.budget {
		d.budget -= spent
		return true
	}
	for i := h; i < len(items); i++ {
		arr.Index(i).SetZero()
		out.Index(i).SetZero()
	}
	return d.decodeItems(items[h:], h, arr, out)
}

// scalar reads a string value and checks its enum, id and date constraints.
func (d *decoder) scalar(n *ynode, f field, owner string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, "%q in %s must be text, not %s", "quote it if it contains : or starts with [ or {", f.key, owner, kindName(n))
		return "", false
	}
	s := n.Value
	if len(f.enum) > 0 {
		low := s
		if n.Tag == "!!bool" { // yes/no/true/false written bare
			switch strings.ToLower(s) {
			case "true", "yes":
				low = "yes"
			case "false", "no":
				low = "no"
			}
		}
		i := slices.Index(f.enum, low)
		if i < 0 {
			if i = slices.Index(f.enum, strings.ToLower(low)); i < 0 {
				hint := "use one of: " + strings.Join(f.enum, ", ")
				if sug := Suggest(low, f.enum); sug != "" {
					hint = fmt.Sprintf("did you mean %q? (one of: %s)", sug, strings.Join(f.enum, ", "))
				}
				d.add(n, "%q is not a valid %s", hint, s, f.key)
				return "", false
			}
		}
		// The schema's own string, not the file's bytes: every component's
		// kind, trust or encryption is then one of a few strings the rules
		// compare against millions of times, kept in cache, instead of a
		// read at a random place of a file of megabytes.
		s = f.enum[i]
	}
	if f.id && !validID(s) {
		d.add(n, "%q is not a valid id", "use letters, digits, '-', '_' and '.', starting with a letter or digit", s)
		return "", false
	}
	if f.format == "date" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			d.add(n, "%q is not a date", "write it as YYYY-MM-DD, e.g. 2027-03-31", s)
			return "", false
		}
	}
	return s, true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// addrOf returns v's address as a *T when v is an addressable T.
func addrOf[T any](v reflect.Value) (*T, bool) {
	if !v.CanAddr() {
		return nil, false
	}
	p, ok := v.Addr().Interface().(*T)
	return p, ok
}
