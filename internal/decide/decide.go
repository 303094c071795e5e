// Package decide records decisions on generated findings (accepted,
// false_positive, transferred, mitigated) in a model's YAML files, as
// minimal text edits that keep comments and layout (internal/spec/yamledit).
// It is the one implementation behind the server's API and web pages and
// the ward decide command.
package decide

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec/yamledit"
)

// ErrInvalidFile marks a model file that cannot be edited: not YAML, or
// not a mapping at its top level.
var ErrInvalidFile = errors.New("invalid model file")

// ErrNoDecision says the model holds no decision on the finding to remove.
var ErrNoDecision = errors.New("no decision on the finding")

// Statuses are the statuses a decision may record.
var Statuses = []string{"mitigated", "accepted", "false_positive", "transferred"}

// Decision is a decision on one generated finding.
type Decision struct {
	Finding     string
	Status      string
	Reason      string
	Owner       string
	Expires     string // YYYY-MM-DD
	Mitigations []string
	// Covers are, for a decision on a merged threat, the ids of the
	// threats merged into it when the decision is taken (Covers).
	Covers []string
}

// Check refuses a status a decision cannot have, an expiry that is not a
// date and text that is not UTF-8 (YAML would store it as !!binary, which
// nobody can read in review). The fields a status requires (a reason, an
// owner, an expiry) are checked when the model is loaded (internal/spec).
func Check(d Decision) error {
	if !slices.Contains(Statuses, d.Status) {
		return errors.New("status must be mitigated, accepted, false_positive or transferred")
	}
	for _, f := range [][2]string{{"reason", d.Reason}, {"owner", d.Owner}} {
		if !utf8.ValidString(f[1]) {
			return fmt.Errorf("%s is not valid UTF-8 text — write it in UTF-8", f[0])
		}
	}
	for _, m := range d.Mitigations {
		if !utf8.ValidString(m) {
			return errors.New("a mitigation id is not valid UTF-8 text — use the id as the model writes it")
		}
	}
	if d.Expires != "" {
		if _, err := time.Parse(time.DateOnly, d.Expires); err != nil {
			return errors.New("expires must be a date, YYYY-MM-DD")
		}
	}
	return nil
}

// Covers returns what a decision on a finding covers: for a merged threat
// (a generated finding with aliases, the ids of the threats merged into
// it), those ids, the hops the decision is taken on (docs/risk.md); for any
// other finding nil, nothing more than itself.
func Covers(origin string, aliases []string) []string {
	if len(aliases) > 0 && origin != string(model.OriginPeople) {
		return aliases
	}
	return nil
}

// Files are a model's files by name (slash-separated, relative to the main
// file's directory), the main one among them.
type Files struct {
	Main  string
	Files map[string]string
	// Parsed are the files an edit left parsed as they now are (for
	// callers that parse them again, such as the server's merges).
	Parsed map[string]*yamledit.File
	// Parse parses a file to edit (nil: yamledit.Parse); the server's
	// starts from a parse it kept of the same content (yamledit.Memo).
	Parse func(name, content string) (*yamledit.File, error)
	// Full parses every file with yaml v4, comments kept (yamledit.ParseFull),
	// for an edit made again after ErrReparse.
	Full bool
}

// ErrReparse is Edit's answer when the text edit did not read back as the
// tree (a layout yamledit does not edit in place) and the file must be
// re-encoded from the tree, but the tree came from yamledit's fast parser,
// which keeps no comments: the caller makes the edit again with Full set.
// Apply and Remove do.
var ErrReparse = errors.New("decide: the edit is made again on the files parsed with their comments")

// Fields are a decision's fields in the order people write them.
func Fields(d Decision) []yamledit.Field {
	fs := []yamledit.Field{{Key: "finding", Value: yamledit.String(d.Finding)}, {Key: "status", Value: yamledit.String(d.Status)}}
	for _, kv := range [][2]string{{"reason", d.Reason}, {"owner", d.Owner}, {"expires", d.Expires}} {
		if kv[1] != "" {
			fs = append(fs, yamledit.Field{Key: kv[0], Value: yamledit.String(kv[1])})
		}
	}
	if len(d.Mitigations) > 0 {
		fs = append(fs, yamledit.Field{Key: "mitigations", Value: yamledit.List(d.Mitigations)})
	}
	if len(d.Covers) > 0 {
		fs = append(fs, yamledit.Field{Key: "covers", Value: yamledit.List(d.Covers)})
	}
	return fs
}

// Apply records d in the files: it replaces the decision on the same
// finding in whichever file holds it, or adds one to the main file (or,
// when the main file has no decisions list, to the first included file
// that has one). It returns the name of the file changed.
func Apply(fs *Files, d Decision) (string, error) {
	name, err := apply(fs, d)
	if errors.Is(err, ErrReparse) {
		fs.Full = true
		name, err = apply(fs, d)
	}
	return name, err
}

func apply(fs *Files, d Decision) (string, error) {
	entry := &yaml.Node{Kind: yaml.MappingNode}
	fields := Fields(d)
	for _, fl := range fields {
		if fl.Value.IsList {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, m := range fl.Value.List {
				seq.Content = append(seq.Content, Str(m))
			}
			Set(entry, fl.Key, seq)
		} else {
			Set(entry, fl.Key, Str(fl.Value.S))
		}
	}
	name, text, doc, list, i := fs.find(d.Finding)
	if list != nil {
		list.Content[i] = entry
		return name, fs.Edit(name, text, doc, func(f *yamledit.File) error {
			given := map[string]bool{}
			for _, fl := range fields[1:] {
				given[fl.Key] = true
				if err := f.SetField("decisions", d.Finding, fl.Key, fl.Value); err != nil {
					return err
				}
			}
			for _, k := range []string{"reason", "owner", "expires", "mitigations", "covers"} {
				if !given[k] {
					if err := f.DeleteField("decisions", d.Finding, k); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	// A new decision goes with the others: to the main file if it has a
	// decisions list, else to the first included file that has one.
	target := fs.Main
	if !hasList(fs.Files[fs.Main], "decisions") {
		for _, name := range slices.Sorted(maps.Keys(fs.Files)) {
			if hasList(fs.Files[name], "decisions") {
				target = name
				break
			}
		}
	}
	text, doc, err := fs.ParseFile(target)
	if err != nil {
		return "", err
	}
	root := doc.Content[0]
	l := Lookup(root, "decisions")
	if l == nil || l.Kind != yaml.SequenceNode {
		l = &yaml.Node{Kind: yaml.SequenceNode}
		Set(root, "decisions", l)
	}
	l.Content = append(l.Content, entry)
	return target, fs.Edit(target, text, doc, func(f *yamledit.File) error { return f.AppendItem("decisions", fields) })
}

// Remove deletes the decision on finding from whichever file holds it and
// returns that file's name; ErrNoDecision when no file holds one.
func Remove(fs *Files, finding string) (string, error) {
	name, err := remove(fs, finding)
	if errors.Is(err, ErrReparse) {
		fs.Full = true
		name, err = remove(fs, finding)
	}
	return name, err
}

func remove(fs *Files, finding string) (string, error) {
	name, text, doc, list, i := fs.find(finding)
	if list == nil {
		return "", fmt.Errorf("%w %q", ErrNoDecision, finding)
	}
	list.Content = slices.Delete(list.Content, i, i+1)
	return name, fs.Edit(name, text, doc, func(f *yamledit.File) error { return f.DeleteItem("decisions", finding) })
}

// find returns the file holding the decision on finding, parsed, with the
// decisions list and the decision's index in it; a nil list when no file
// holds one.
func (fs *Files) find(finding string) (name string, text *yamledit.File, doc *yaml.Node, list *yaml.Node, i int) {
	// The files naming the finding are read first: the others are read
	// (parsed) only when none holds a decision on it.
	names := slices.Sorted(maps.Keys(fs.Files))
	slices.SortStableFunc(names, func(x, y string) int {
		return cmpBool(strings.Contains(fs.Files[y], finding), strings.Contains(fs.Files[x], finding))
	})
	for _, name := range names {
		text, doc, err := fs.ParseFile(name)
		if err != nil {
			continue
		}
		list := Lookup(doc.Content[0], "decisions")
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for i, item := range list.Content {
			if f := Lookup(item, "finding"); f != nil && f.Value == finding {
				return name, text, doc, list, i
			}
		}
	}
	return "", nil, nil, nil, 0
}

// ParseEdit parses a model file to edit: as text (f) and as a tree (doc,
// a copy of f's), whose top level is a mapping. Its errors wrap
// ErrInvalidFile.
func ParseEdit(name, content string) (f *yamledit.File, doc *yaml.Node, err error) {
	return parseEditWith(nil, name, content)
}

// ParseFile is ParseEdit of one of the files, parsed by fs.Parse.
func (fs *Files) ParseFile(name string) (*yamledit.File, *yaml.Node, error) {
	if fs.Full {
		return parseEditWith(func(_, content string) (*yamledit.File, error) { return yamledit.ParseFull(content) }, name, fs.Files[name])
	}
	return parseEditWith(fs.Parse, name, fs.Files[name])
}

func parseEditWith(parse func(name, content string) (*yamledit.File, error), name, content string) (f *yamledit.File, doc *yaml.Node, err error) {
	if parse != nil {
		f, err = parse(name, content)
	} else {
		f, err = yamledit.Parse(content)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrInvalidFile, name, err)
	}
	doc = f.Tree()
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%w: %s is not a YAML mapping", ErrInvalidFile, name)
	}
	return f, doc, nil
}

// Edit applies a text edit to one file (f, parsed from it), checked
// against doc (the same edit on the tree): the text edit is kept when it
// reads back as the tree, else the tree is re-encoded. The edits are
// parsed once, at the end (yamledit's Batch).
func (fs *Files) Edit(name string, f *yamledit.File, doc *yaml.Node, edit func(*yamledit.File) error) error {
	if err := f.Batch(edit); err == nil && f.SameTree(doc) {
		fs.Files[name] = f.String()
		if fs.Parsed == nil {
			fs.Parsed = map[string]*yamledit.File{}
		}
		fs.Parsed[name] = f
		return nil
	}
	if !fs.Full {
		// doc may have come from the fast parser, without comments.
		return ErrReparse
	}
	emptyCollectionComments(doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	fs.Files[name] = buf.String()
	return nil
}

// emptyCollectionComments moves the line comment of a key whose value is an
// empty sequence or mapping onto the value. The encoder writes a key's line
// comment before the value, so `decisions: # note` with the last decision
// removed would become `decisions: # note` and `[]` on a line of its own,
// which does not parse; on the value it is written after it:
// `decisions: [] # note`.
func emptyCollectionComments(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.LineComment != "" && (v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) && len(v.Content) == 0 {
				if v.LineComment == "" {
					v.LineComment = k.LineComment
				}
				k.LineComment = ""
			}
		}
	}
	for _, c := range n.Content {
		emptyCollectionComments(c)
	}
}

// Str is a string scalar node.
func Str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// Lookup returns the value of key in a mapping, or nil.
func Lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Set sets key in a mapping, appending it when missing; a nil value
// removes the key.
func Set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if v == nil {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
			} else {
				m.Content[i+1] = v
			}
			return
		}
	}
	if v != nil {
		m.Content = append(m.Content, Str(key), v)
	}
}

// cmpBool orders false before true.
func cmpBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

// hasList says a file has a top-level list under key.
func hasList(content, key string) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	l := Lookup(doc.Content[0], key)
	return l != nil && l.Kind == yaml.SequenceNode
}
