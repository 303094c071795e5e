package server

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/interop/formats"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/scaffold"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/triage"
)

// Pages for editing a model in the browser (the operations are in
// editor.go): the YAML editor with validation as you type, the visual
// data-flow editor and the "new system" page.

func (s *Server) editorPages(wr webRouter) {
	wr.page("GET /systems/new", s.pageNewSystem)
	wr.page("POST /systems/new", s.pageNewSystemPost)
	wr.page("GET /systems/{system}/edit", s.pageEditor)
	wr.page("POST /systems/{system}/edit/check", s.pageEditorCheck)
	wr.page("POST /systems/{system}/edit", s.pageEditorSave)
	wr.page("GET /systems/{system}/draw", s.pageDraw)
}

// editorView is the YAML editor page.
type editorView struct {
	System       store.System
	File         string
	Files        []string
	Content      string
	BaseRevision int64
	Message      string
	Check        *editorPreview
	SVG          template.HTML
	// Conflict is set when a save found a newer version.
	Conflict *conflictDetails
}

// editorFile picks the file to edit: ?file= or the main file.
func editorFile(b Bundle, name string) (string, error) {
	if name == "" {
		return b.Main, nil
	}
	if _, ok := b.Files[name]; !ok {
		return "", errorf(http.StatusNotFound, "not_found", "The model has no file %q.", name)
	}
	return name, nil
}

func (s *Server) pageEditor(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r.Context())
	x, b, err := s.latestBundle(ctx, p, r.PathValue("system"), Write)
	if err != nil {
		return err
	}
	file, err := editorFile(b, r.URL.Query().Get("file"))
	if err != nil {
		return err
	}
	pv, err := s.previewModel(ctx, p, x.ID, previewRequest{SVG: true})
	if err != nil {
		return err
	}
	v := editorView{System: x, File: file, Files: fileOrder(b), Content: b.Files[file], BaseRevision: x.Revision, Check: &pv, SVG: template.HTML(pv.SVG)}
	return s.render(w, r, "editor.html", "Edit "+x.Name, v)
}

// editorForm reads the editor's form: the file, its text and the base
// revision.
func editorForm(r *http.Request) (file, content string, base int64, err error) {
	if err := parseForm(r); err != nil {
		return "", "", 0, err
	}
	file = strings.TrimSpace(r.PostFormValue("file"))
	// The model text is taken as typed (no trimming), bounded.
	content = strings.ReplaceAll(r.PostFormValue("content"), "\r\n", "\n")
	if len(content) > maxEditorBytes {
		return "", "", 0, errorf(http.StatusRequestEntityTooLarge, "too_large", "the file is larger than %d bytes", maxEditorBytes)
	}
	base, _ = strconv.ParseInt(r.PostFormValue("base_revision"), 10, 64)
	return file, content, base, nil
}

// pageEditorCheck validates the editor's text: for htmx/fetch the check
// fragment, otherwise the whole editor page.
func (s *Server) pageEditorCheck(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r.Context())
	file, content, base, err := editorForm(r)
	if err != nil {
		return err
	}
	x, b, err := s.latestBundle(ctx, p, r.PathValue("system"), Write)
	if err != nil {
		return err
	}
	if file, err = editorFile(b, file); err != nil {
		return err
	}
	pv, err := s.previewModel(ctx, p, x.ID, previewRequest{Files: map[string]string{file: content}, SVG: true})
	if err != nil {
		return err
	}
	v := editorView{System: x, File: file, Files: fileOrder(b), Content: content, BaseRevision: base, Check: &pv, SVG: template.HTML(pv.SVG)}
	if r.Header.Get("HX-Request") == "true" {
		return s.renderFragment(w, r, "editor.html", "editor-check", v)
	}
	return s.render(w, r, "editor.html", "Edit "+x.Name, v)
}

// pageEditorSave stores the edited file as a new version. A newer version
// is shown with a diff (409), not overwritten; an invalid model comes back
// with its diagnostics (422).
func (s *Server) pageEditorSave(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r.Context())
	file, content, base, err := editorForm(r)
	if err != nil {
		return err
	}
	message := formValue(r, "message")
	x, b, err := s.latestBundle(ctx, p, r.PathValue("system"), Write)
	if err != nil {
		return err
	}
	if file, err = editorFile(b, file); err != nil {
		return err
	}
	res, err := s.saveModel(ctx, p, x.ID, saveRequest{BaseRevision: base, Files: map[string]string{file: content}, Message: message})
	if err == nil {
		msg := fmt.Sprintf("Saved version %d.", res.Version)
		if !res.Created {
			msg = "Nothing changed: the model is the same as the latest version."
		}
		return s.done(w, r, "/systems/"+x.ID, msg)
	}
	v := editorView{System: x, File: file, Files: fileOrder(b), Content: content, BaseRevision: base, Message: message}
	pe := classify(err)
	switch {
	case pe != nil && pe.Status == http.StatusConflict && pe.Details != nil:
		c := pe.Details.(conflictDetails)
		v.Conflict = &c
		return s.renderEditorStatus(w, r, http.StatusConflict, v)
	case pe != nil && pe.Code == "invalid_model":
		pv, perr := s.previewModel(ctx, p, x.ID, previewRequest{Files: map[string]string{file: content}, SVG: true})
		if perr != nil {
			return perr
		}
		v.Check = &pv
		return s.renderEditorStatus(w, r, http.StatusUnprocessableEntity, v)
	}
	return err
}

func (s *Server) renderEditorStatus(w http.ResponseWriter, r *http.Request, status int, v editorView) error {
	if v.Check != nil {
		v.SVG = template.HTML(v.Check.SVG)
	}
	return s.renderStatus(w, r, status, "editor.html", "layout", s.viewFor(w, r, "Edit "+v.System.Name, v))
}

// drawView is the visual editor page.
type drawView struct {
	System store.System
	SVG    template.HTML
}

func (s *Server) pageDraw(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r.Context())
	x, err := s.systemFor(ctx, p, r.PathValue("system"), Write)
	if err != nil {
		return err
	}
	if x.Latest == 0 {
		return errorf(http.StatusNotFound, "not_found", "System %q has no version yet.", x.ID)
	}
	return s.render(w, r, "draw.html", "Draw "+x.Name, drawView{System: x})
}

// newSystemView is the "new system" page.
type newSystemView struct {
	Teams        []store.Team
	Team         string
	From         string
	Templates    []scaffold.Template
	QuestionRows []questionRow
	KindChoices  []kindChoice
	Formats      []string
	// Form echoes what was sent when the page comes back with an error.
	Form  newSystemRequest
	Error string
}

// questionRow is an intake question as the form asks it: Kind is tri
// (yes/no/unknown), data (kinds of sensitive data), names or level.
type questionRow struct {
	Name, Text, Kind string
	DataKinds        []model.DataKind
}

type kindChoice struct {
	Name    string
	Default bool
}

func (s *Server) newSystemView(r *http.Request) (newSystemView, error) {
	p := principal(r.Context())
	v := newSystemView{Templates: scaffold.Templates, From: "template"}
	for _, q := range triage.Questions {
		row := questionRow{Name: string(q.ID), Text: q.Text, Kind: "tri"}
		switch q.ID {
		case triage.QSensitiveData:
			row.Kind, row.DataKinds = "data", model.DataKinds
		case triage.QNewThirdParties:
			row.Kind = "names"
		case triage.QCriticality:
			row.Kind = "level"
		}
		v.QuestionRows = append(v.QuestionRows, row)
	}
	for _, k := range model.ComponentKinds {
		v.KindChoices = append(v.KindChoices, kindChoice{Name: string(k), Default: slices.Contains(scaffold.DefaultKinds, k)})
	}
	for _, i := range formats.Importers() {
		v.Formats = append(v.Formats, i.Name)
	}
	teams, _, err := s.store.ListTeams(r.Context(), store.Page{Limit: 500})
	if err != nil {
		return v, err
	}
	for _, t := range teams {
		if Allowed(p, Write, t.ID) {
			v.Teams = append(v.Teams, t)
		}
	}
	v.Team = p.TeamID
	return v, nil
}

func (s *Server) pageNewSystem(w http.ResponseWriter, r *http.Request) error {
	v, err := s.newSystemView(r)
	if err != nil {
		return err
	}
	if f := r.URL.Query().Get("from"); slices.Contains([]string{"questions", "template", "import"}, f) {
		v.From = f
	}
	if len(v.Teams) == 0 {
		return errorf(http.StatusForbidden, "forbidden", "Your role (%s) does not allow creating systems for any team.", principal(r.Context()).Role)
	}
	return s.render(w, r, "system_new.html", "New system", v)
}

// maxImportBytes bounds an uploaded file (the form's whole body is bounded
// by the server's body limit too).
const maxImportBytes = maxEditorBytes

func (s *Server) pageNewSystemPost(w http.ResponseWriter, r *http.Request) error {
	req, err := newSystemForm(r)
	if err != nil {
		return err
	}
	res, err := s.createSystem(r.Context(), principal(r.Context()), req)
	if err == nil {
		return s.done(w, r, "/systems/"+res.System+"/edit", fmt.Sprintf("Created %s. Describe your design, then save.", res.System))
	}
	pe := classify(err)
	if pe == nil || pe.Status >= 500 {
		return err
	}
	v, verr := s.newSystemView(r)
	if verr != nil {
		return verr
	}
	req.Content = ""
	v.Form, v.From, v.Team, v.Error = req, req.From, req.Team, pe.Msg
	var diags spec.Diagnostics
	if errors.As(err, &diags) {
		v.Error = diags.Error()
	}
	return s.renderStatus(w, r, pe.Status, "system_new.html", "layout", s.viewFor(w, r, "New system", v))
}

// newSystemForm reads the "new system" form (multipart when a file is
// uploaded, URL-encoded otherwise).
func newSystemForm(r *http.Request) (newSystemRequest, error) {
	var req newSystemRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return req, err
			}
			return req, errorf(http.StatusBadRequest, "invalid_form", "the form could not be read")
		}
	} else if err := parseForm(r); err != nil {
		return req, err
	}
	req.From, req.Team, req.ID, req.Name = formValue(r, "from"), formValue(r, "team"), formValue(r, "id"), formValue(r, "name")
	req.Template, req.Format = formValue(r, "template"), formValue(r, "format")
	req.Kinds = r.PostForm["kinds"]
	tri := func(k string) string { return formValue(r, k) }
	req.Answers = review.Form{PavedPath: tri("paved_path"), InternetFacing: tri("internet_facing"), AuthChanges: tri("auth_changes"), Criticality: tri("criticality")}
	// Kinds checked are the answer; "none of these" alone is none; nothing
	// checked is unknown.
	if kinds := r.PostForm["sensitive_data"]; len(kinds) > 0 {
		req.Answers.SensitiveData = append([]string{}, kinds...)
	} else if r.PostFormValue("sensitive_none") == "yes" {
		req.Answers.SensitiveData = []string{}
	}
	if tp := formValue(r, "new_third_parties"); tp != "" {
		req.Answers.NewThirdParties = []string{}
		if !strings.EqualFold(tp, "none") {
			for _, n := range strings.Split(tp, ",") {
				if n = strings.TrimSpace(n); n != "" {
					req.Answers.NewThirdParties = append(req.Answers.NewThirdParties, n)
				}
			}
		}
	}
	if req.From == "import" && r.MultipartForm != nil {
		if fh := r.MultipartForm.File["file"]; len(fh) > 0 {
			f, err := fh[0].Open()
			if err != nil {
				return req, err
			}
			defer f.Close()
			data, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
			if err != nil {
				return req, err
			}
			if len(data) > maxImportBytes {
				return req, errorf(http.StatusRequestEntityTooLarge, "too_large", "the file is larger than %d bytes", maxImportBytes)
			}
			req.FileName, req.Content = fh[0].Filename, string(data)
		}
	}
	return req, nil
}
