package server

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec/yamledit"
)

// Server-side edits change only the lines they must (internal/spec/yamledit).
// Each edit is also made on the parsed tree, and the text edit is kept only
// when both read back the same; otherwise (a layout yamledit does not edit
// in place) the file is re-encoded, as before.

// parseEdit parses a model file to edit: as text (f) and as a tree (doc,
// a copy of f's), whose top level is a mapping.
func parseEdit(name, content string) (f *yamledit.File, doc *yaml.Node, err error) {
	f, err = yamledit.Parse(content)
	if err != nil {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "invalid_model", "%s: %v", name, err)
	}
	doc = f.Tree()
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "invalid_model", "%s is not a YAML mapping", name)
	}
	return f, doc, nil
}

// editFile applies a text edit to one file (f, parsed from it), checked
// against doc (the same edit on the tree): the text edit is kept when it
// reads back as the tree, else the tree is re-encoded. The edits are
// parsed once, at the end (yamledit's Batch).
func editFile(b *Bundle, name string, f *yamledit.File, doc *yaml.Node, edit func(*yamledit.File) error) error {
	if err := f.Batch(edit); err == nil && f.SameTree(doc) {
		b.Files[name] = f.String()
		if b.parsed == nil {
			b.parsed = map[string]*yamledit.File{}
		}
		b.parsed[name] = f
		return nil
	}
	want, err := formatFile(doc)
	if err != nil {
		return err
	}
	b.Files[name] = want
	return nil
}

// decisionFields are a decision's fields in the order people write them.
func decisionFields(d decisionRequest) []yamledit.Field {
	fs := []yamledit.Field{{Key: "finding", Value: yamledit.String(d.Finding)}, {Key: "status", Value: yamledit.String(d.Status)}}
	for _, kv := range [][2]string{{"reason", d.Reason}, {"owner", d.Owner}, {"expires", d.Expires}} {
		if kv[1] != "" {
			fs = append(fs, yamledit.Field{Key: kv[0], Value: yamledit.String(kv[1])})
		}
	}
	if len(d.Mitigations) > 0 {
		fs = append(fs, yamledit.Field{Key: "mitigations", Value: yamledit.List(d.Mitigations)})
	}
	if len(d.covers) > 0 {
		fs = append(fs, yamledit.Field{Key: "covers", Value: yamledit.List(d.covers)})
	}
	return fs
}

// applyDecision records d in the bundle: it replaces the decision on the
// same finding in whichever file holds it, or adds one to the main file.
func applyDecision(b *Bundle, d decisionRequest) error {
	entry := &yaml.Node{Kind: yaml.MappingNode}
	fields := decisionFields(d)
	for _, fl := range fields {
		if fl.Value.IsList {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, m := range fl.Value.List {
				seq.Content = append(seq.Content, str(m))
			}
			set(entry, fl.Key, seq)
		} else {
			set(entry, fl.Key, str(fl.Value.S))
		}
	}
	// The files naming the finding are read first: the others are read
	// (parsed) only when none holds a decision on it.
	names := slices.Sorted(maps.Keys(b.Files))
	slices.SortStableFunc(names, func(x, y string) int {
		return cmpBool(strings.Contains(b.Files[y], d.Finding), strings.Contains(b.Files[x], d.Finding))
	})
	for _, name := range names {
		text, doc, err := parseEdit(name, b.Files[name])
		if err != nil {
			continue
		}
		list := lookup(doc.Content[0], "decisions")
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for i, item := range list.Content {
			if f := lookup(item, "finding"); f != nil && f.Value == d.Finding {
				list.Content[i] = entry
				return editFile(b, name, text, doc, func(f *yamledit.File) error {
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
		}
	}
	// A new decision goes with the others: to the main file if it has a
	// decisions list, else to the first included file that has one.
	target := b.Main
	if !hasList(b.Files[b.Main], "decisions") {
		for _, name := range slices.Sorted(maps.Keys(b.Files)) {
			if hasList(b.Files[name], "decisions") {
				target = name
				break
			}
		}
	}
	text, doc, err := parseEdit(target, b.Files[target])
	if err != nil {
		return err
	}
	root := doc.Content[0]
	list := lookup(root, "decisions")
	if list == nil || list.Kind != yaml.SequenceNode {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		set(root, "decisions", list)
	}
	list.Content = append(list.Content, entry)
	return editFile(b, target, text, doc, func(f *yamledit.File) error { return f.AppendItem("decisions", fields) })
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
	doc, err := parseFile("", content)
	if err != nil {
		return false
	}
	l := lookup(doc.Content[0], key)
	return l != nil && l.Kind == yaml.SequenceNode
}

// applyItemFields sets fields of the item with the id in a top-level list
// of any file of the model; empty values are left as they are.
func applyItemFields(b *Bundle, section, id string, fields map[string]string) error {
	keys := []string{"status", "owner", "ticket", "due", "evidence"}
	for name, content := range b.Files {
		text, doc, err := parseEdit(name, content)
		if err != nil {
			continue
		}
		list := lookup(doc.Content[0], section)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range list.Content {
			if v := lookup(item, "id"); v != nil && v.Value == id && item.Kind == yaml.MappingNode {
				for _, k := range keys {
					if v, ok := fields[k]; ok && v != "" {
						set(item, k, str(v))
					}
				}
				return editFile(b, name, text, doc, func(f *yamledit.File) error {
					for _, k := range keys {
						if v, ok := fields[k]; ok && v != "" {
							if err := f.SetField(section, id, k, yamledit.String(v)); err != nil {
								return err
							}
						}
					}
					return nil
				})
			}
		}
	}
	return errorf(http.StatusNotFound, "not_found", "the model has no %s with id %q", section[:len(section)-1], id)
}
