package yamledit

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Merged are the sections a three-way merge carries from the server into
// a pushed model: what people decide on the server.
var Merged = []string{"decisions", "mitigations", "assumptions"}

// Change is one item the server changed since the base and that the merge
// carried into the pushed model.
type Change struct {
	Section, Key string
	Kind         string // added, changed or removed
}

func (c Change) String() string {
	return fmt.Sprintf("%s %s %s", noun(c.Section), c.Key, c.Kind)
}

func noun(section string) string {
	switch section {
	case "decisions":
		return "decision on"
	case "mitigations":
		return "mitigation"
	case "assumptions":
		return "assumption"
	}
	return section
}

// Conflict is an item changed both on the server and in the pushed model,
// differently.
type Conflict struct {
	Section, Key string
	// File and Line locate the item in the pushed model (0 when the push
	// removed it).
	File string
	Line int
	// What differs: each "field: server value → pushed value".
	Fields []string
}

func (c Conflict) String() string {
	return fmt.Sprintf("%s %s changed on the server and in your model: %s", noun(c.Section), c.Key, strings.Join(c.Fields, "; "))
}

// entry is an item of a bundle.
type entry struct {
	file  string
	item  Item
	text  []string
	canon string
	node  *yaml.Node
}

type index map[[2]string]entry

func canon(n *yaml.Node) string {
	var v any
	if err := n.Decode(&v); err != nil {
		return "!" + err.Error()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// restOf is a file without the merged sections, canonically: what only
// pushes change.
func restOf(src string) string {
	var v any
	if yaml.Unmarshal([]byte(src), &v) != nil {
		return src
	}
	return restValue(v)
}

// restOfTree is restOf for a file already parsed (doc, as Parse read it):
// decoding the tree gives what unmarshalling the text gives.
func restOfTree(src string, doc *yaml.Node) string {
	var v any
	if doc.Kind != 0 {
		if doc.Decode(&v) != nil {
			return restOf(src)
		}
	}
	return restValue(v)
}

func restValue(v any) string {
	if m, ok := v.(map[string]any); ok {
		for _, s := range Merged {
			delete(m, s)
		}
	}
	j, _ := json.Marshal(v)
	return string(j) + "\x00"
}

// ErrModelChanged means the server's model changed since the base outside
// the merged sections (another push), differently from the pushed model.
var ErrModelChanged = fmt.Errorf("the model was pushed by someone else since your base")

// Merge merges into ours (the pushed bundle) what changed in theirs (the
// server's latest) since base, item by item in the merged sections, keyed
// by id (decisions by finding). An item changed on one side only takes
// that side; changed the same way on both, it is kept; changed
// differently, it is a conflict and ours is left as it was. When the rest
// of the model changed on the server since base and differs from ours,
// Merge returns ErrModelChanged. main is the file new items go to when
// their file is not in ours.
func Merge(base, theirs, ours map[string]string, main string) (map[string]string, []Change, []Conflict, error) {
	return (*Memo)(nil).Merge(base, theirs, ours, main)
}

// Merge is Merge reading each file's content once while the memo holds it.
func (m *Memo) Merge(base, theirs, ours map[string]string, main string) (map[string]string, []Change, []Conflict, error) {
	// Nothing changed on the server since the base: nothing to merge, and
	// the pushed files are kept as they are (CI pushing to a server on
	// which nobody decided anything since its last push).
	if maps.Equal(theirs, base) {
		return maps.Clone(ours), nil, nil, nil
	}
	// A bundle equal to the base is read once, as the base (CI pushing
	// the model it pushed before).
	sameOurs := maps.Equal(ours, base)
	rb, ib, perr, ierr := m.bundle(base)
	rt, it, tperr, tierr := m.bundle(theirs)
	ro, io, operr, oierr := rb, ib, perr, ierr
	if !sameOurs {
		ro, io, operr, oierr = m.bundle(ours)
	}
	if rt != rb && (sameOurs || rt != ro) {
		return nil, nil, nil, ErrModelChanged
	}
	switch {
	case perr != nil:
		return nil, nil, nil, fmt.Errorf("the base version: %w", perr)
	case tperr != nil:
		return nil, nil, nil, fmt.Errorf("the server's version: %w", tperr)
	case operr != nil:
		return nil, nil, nil, operr
	}
	for _, err := range []error{ierr, tierr, oierr} {
		if err != nil {
			return nil, nil, nil, err
		}
	}
	// The pushed files the merge edits, parsed when first edited (the
	// memo parsed them reading ours).
	po := map[string]*File{}
	edit := func(name string) (*File, error) {
		if f := po[name]; f != nil {
			return f, nil
		}
		f, err := m.Parse(name, ours[name])
		if err != nil {
			return nil, err
		}
		po[name] = f
		return f, nil
	}
	var err error
	keys := map[[2]string]bool{}
	for k := range ib {
		keys[k] = true
	}
	for k := range it {
		keys[k] = true
	}
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b [2]string) int {
		return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1])
	})
	var changes []Change
	var conflicts []Conflict
	for _, k := range sorted {
		b, inB := ib[k]
		t, inT := it[k]
		o, inO := io[k]
		if inB == inT && b.canon == t.canon {
			continue // not changed on the server
		}
		if inO == inT && o.canon == t.canon {
			continue // the same change on both sides
		}
		if inO != inB || o.canon != b.canon {
			c := Conflict{Section: k[0], Key: k[1], Fields: fieldDiff(t, inT, o, inO)}
			if inO {
				c.File, c.Line = o.file, o.item.Start
			}
			conflicts = append(conflicts, c)
			continue
		}
		// Changed on the server only: take the server's.
		var f *File
		switch {
		case !inT:
			if f, err = edit(o.file); err == nil {
				err = f.DeleteItem(k[0], k[1])
			}
			changes = append(changes, Change{k[0], k[1], "removed"})
		case inO:
			if f, err = edit(o.file); err == nil {
				err = f.ReplaceItem(k[0], k[1], t.text)
			}
			changes = append(changes, Change{k[0], k[1], "changed"})
		default:
			name := t.file
			if _, ok := ours[name]; !ok || !isYAML(name) {
				name = main
			}
			if _, ok := ours[name]; !ok || !isYAML(name) {
				return nil, nil, nil, fmt.Errorf("no file %s to add %s %s to", name, noun(k[0]), k[1])
			}
			if f, err = edit(name); err == nil {
				err = f.AppendItemText(k[0], t.text)
			}
			changes = append(changes, Change{k[0], k[1], "added"})
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("merge %s %s: %w", noun(k[0]), k[1], err)
		}
	}
	out := maps.Clone(ours)
	for name, f := range po {
		out[name] = f.String()
		m.Remember(name, f) // the server's next version, which the next write reads
	}
	return out, changes, conflicts, nil
}

// fieldDiff lists the fields that differ between the server's and the
// pushed item.
func fieldDiff(t entry, inT bool, o entry, inO bool) []string {
	switch {
	case !inT:
		return []string{"removed on the server, changed in your model"}
	case !inO:
		return []string{"changed on the server, removed from your model"}
	}
	tf, of := fields(t.node), fields(o.node)
	names := map[string]bool{}
	for k := range tf {
		names[k] = true
	}
	for k := range of {
		names[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if tf[k] != of[k] {
			out = append(out, fmt.Sprintf("%s: %s on the server, %s in yours", k, show(tf[k]), show(of[k])))
		}
	}
	sort.Strings(out)
	return out
}

func show(s string) string {
	if s == "" {
		return "(none)"
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func fields(m *yaml.Node) map[string]string {
	out := map[string]string{}
	for j := 0; j+1 < len(m.Content); j += 2 {
		v := m.Content[j+1]
		if v.Kind == yaml.ScalarNode {
			out[m.Content[j].Value] = strings.TrimSpace(v.Value)
		} else {
			out[m.Content[j].Value] = canon(v)
		}
	}
	return out
}
