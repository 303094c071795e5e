package server

import (
	"errors"
	"net/http"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/decide"
	"github.com/wardtm/ward/internal/spec/yamledit"
)

// Server-side edits change only the lines they must (internal/spec/yamledit).
// Each edit is also made on the parsed tree, and the text edit is kept only
// when both read back the same; otherwise (a layout yamledit does not edit
// in place) the file is re-encoded, as before. Decisions are written by
// internal/decide, the code ward decide runs too.

// parseEdit parses a model file of the bundle to edit: as text (f) and as
// a tree (doc, a copy of f's), whose top level is a mapping.
func (b *Bundle) parseEdit(name string, full bool) (f *yamledit.File, doc *yaml.Node, err error) {
	fs, _ := b.files()
	fs.Full = full
	f, doc, err = fs.ParseFile(name)
	if err != nil {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "invalid_model", "%s", strings.TrimPrefix(err.Error(), decide.ErrInvalidFile.Error()+": "))
	}
	return f, doc, nil
}

// files returns the bundle's files for an edit by internal/decide; done
// keeps what the edit parsed.
func (b *Bundle) files() (fs *decide.Files, done func()) {
	fs = &decide.Files{Main: b.Main, Files: b.Files, Parsed: b.parsed}
	if b.memo != nil {
		fs.Parse = b.memo.Parse
	}
	return fs, func() { b.parsed = fs.Parsed }
}

// editFile applies a text edit to one file (decide.Files.Edit).
func editFile(b *Bundle, name string, f *yamledit.File, doc *yaml.Node, full bool, edit func(*yamledit.File) error) error {
	fs, done := b.files()
	defer done()
	fs.Full = full
	return fs.Edit(name, f, doc, edit)
}

// decision is the decision the request records.
func (d decisionRequest) decision() decide.Decision {
	return decide.Decision{Finding: d.Finding, Status: d.Status, Reason: d.Reason, Owner: d.Owner, Expires: d.Expires, Mitigations: d.Mitigations, Covers: d.covers}
}

// applyDecision records d in the bundle: it replaces the decision on the
// same finding in whichever file holds it, or adds one to the main file
// (decide.Apply).
func applyDecision(b *Bundle, d decisionRequest) error {
	fs, done := b.files()
	defer done()
	_, err := decide.Apply(fs, d.decision())
	if errors.Is(err, decide.ErrInvalidFile) {
		return errorf(http.StatusUnprocessableEntity, "invalid_model", "%s", strings.TrimPrefix(err.Error(), decide.ErrInvalidFile.Error()+": "))
	}
	return err
}

// applyItemFields sets fields of the item with the id in a top-level list
// of any file of the model; empty values are left as they are.
func applyItemFields(b *Bundle, section, id string, fields map[string]string) error {
	err := applyItemFieldsParsed(b, section, id, fields, false)
	if errors.Is(err, decide.ErrReparse) {
		err = applyItemFieldsParsed(b, section, id, fields, true)
	}
	return err
}

// applyItemFieldsParsed is applyItemFields, with the files parsed with
// their comments when full (decide.ErrReparse).
func applyItemFieldsParsed(b *Bundle, section, id string, fields map[string]string, full bool) error {
	keys := []string{"status", "owner", "ticket", "due", "evidence"}
	for name := range b.Files {
		text, doc, err := b.parseEdit(name, full)
		if err != nil {
			continue
		}
		list := decide.Lookup(doc.Content[0], section)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range list.Content {
			if v := decide.Lookup(item, "id"); v != nil && v.Value == id && item.Kind == yaml.MappingNode {
				for _, k := range keys {
					if v, ok := fields[k]; ok && v != "" {
						decide.Set(item, k, decide.Str(v))
					}
				}
				return editFile(b, name, text, doc, full, func(f *yamledit.File) error {
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
