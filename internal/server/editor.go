package server

// Editing a model in the browser: the operations behind the YAML editor,
// the visual data-flow editor and the "new system" page, shared by their
// JSON routes and their pages.
//
//   - previewModel applies the editor's working files (and structured
//     edits from the visual editor, through modeledit) on top of the
//     latest version and runs the same loader and analysis as a push,
//     without storing anything: diagnostics with file:line:col, the
//     findings, the diagram and the graph the visual editor draws.
//   - saveModel stores the working files as a new version, refusing with
//     409 when the system moved on since the editor opened it.
//   - createSystem starts a system from ward init's questions, from a
//     template or from another tool's file.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/formats"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/modeledit"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/scaffold"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store"
)

// Bounds on the editor's work, tighter than a push's: a preview runs on
// every pause in typing.
const (
	// maxEditorBytes bounds the working files of one preview or save.
	maxEditorBytes = 2 << 20
	// previewTimeout bounds one preview's analysis.
	previewTimeout = 10 * time.Second
	// maxPreviewFindings is how many findings a preview lists.
	maxPreviewFindings = 25
)

// A preview runs on every pause in typing, so previews have their own rate
// limit per account (defaults of Config.PreviewsPerMinute and
// PreviewsBurst), well above what a person typing causes (the editor waits
// 0.4 s after the last key) and far below a script's; they share the
// analysis pool (Config.MaxAnalyses) with pushes.
const (
	previewsPerMinute = 240
	previewsBurst     = 60
)

// previewRequest is the editor's working state.
type previewRequest struct {
	// BaseRevision is the system revision the editor opened (informative:
	// a preview never conflicts).
	BaseRevision int64 `json:"base_revision"`
	// Files replaces files of the latest version (by name).
	Files map[string]string `json:"files"`
	// Edits are structured edits (visual editor) applied after Files.
	Edits []modeledit.Edit `json:"edits"`
	// SVG asks for the diagram.
	SVG bool `json:"svg"`
}

// diagJSON is a diagnostic as the editor shows it.
type diagJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Level   string `json:"level"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Text is "file:line:col: message — hint".
	Text string `json:"text"`
}

// fileDiff is one changed file against the latest version.
type fileDiff struct {
	File    string `json:"file"`
	Unified string `json:"unified"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	// Rows are the unified diff's lines for pages.
	Rows []diffRow `json:"-"`
}

// diffRow is a line of a unified diff with its class (add, del, hunk, ctx).
type diffRow struct{ Class, Text string }

func diffRows(unified string) []diffRow {
	var out []diffRow
	for _, l := range strings.Split(strings.TrimSuffix(unified, "\n"), "\n") {
		c := "ctx"
		switch {
		case strings.HasPrefix(l, "@@"):
			c = "hunk"
		case strings.HasPrefix(l, "+"):
			c = "add"
		case strings.HasPrefix(l, "-"):
			c = "del"
		}
		out = append(out, diffRow{c, l})
	}
	return out
}

// previewFinding is a finding as the editor lists it.
type previewFinding struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	Rule     string `json:"rule"`
}

// editorPreview is what a preview answers.
type editorPreview struct {
	System   string `json:"system"`
	Revision int64  `json:"revision"`
	Main     string `json:"main"`
	// Files are the working files after the edits (every file of the model).
	Files       map[string]string `json:"files"`
	Valid       bool              `json:"valid"`
	Diagnostics []diagJSON        `json:"diagnostics"`
	Summary     *report.Summary   `json:"summary,omitempty"`
	Findings    []previewFinding  `json:"findings"`
	// Graph is the data-flow graph the visual editor draws.
	Graph *editorGraph `json:"graph,omitempty"`
	SVG   string       `json:"svg,omitempty"`
	// Diff lists the files that differ from the latest version.
	Diff []fileDiff `json:"diff"`
}

// latestBundle loads a system the principal may access and its latest files.
func (s *Server) latestBundle(ctx context.Context, p *Principal, systemID string, a Access) (store.System, Bundle, error) {
	x, err := s.systemFor(ctx, p, systemID, a)
	if err != nil {
		return x, Bundle{}, err
	}
	v, err := s.store.GetVersion(ctx, x.ID, 0)
	if err != nil {
		return x, Bundle{}, err
	}
	return x, unarchive(v.YAML), nil
}

// overlay puts the working files over a bundle's, accepting only files the
// model already has, and bounds their size.
func overlay(b Bundle, files map[string]string) (Bundle, error) {
	out := Bundle{Main: b.Main, Files: make(map[string]string, len(b.Files))}
	total := 0
	for n, c := range b.Files {
		out.Files[n] = c
	}
	for n, c := range files {
		if _, ok := b.Files[n]; !ok {
			return out, errorf(http.StatusBadRequest, "invalid", "the model has no file %q (the editor edits the model's existing files)", n)
		}
		out.Files[n] = c
	}
	for _, c := range out.Files {
		total += len(c)
	}
	if total > maxEditorBytes {
		return out, errorf(http.StatusRequestEntityTooLarge, "too_large", "the model is larger than %d bytes: edit it in your repository and push it", maxEditorBytes)
	}
	return out, nil
}

// applyEdits routes each structured edit to the file that holds its item
// (update, delete) or its section (add; else the main file).
func applyEdits(b Bundle, edits []modeledit.Edit) error {
	if len(edits) > modeledit.MaxEdits {
		return errorf(http.StatusBadRequest, "invalid", "at most %d edits at once", modeledit.MaxEdits)
	}
	for i := range edits {
		if err := edits[i].Validate(); err != nil {
			return errorf(http.StatusBadRequest, "invalid", "edit %d: %v", i+1, err)
		}
	}
	names := fileOrder(b)
	for i, e := range edits {
		target := b.Main
		for _, n := range names {
			data := []byte(b.Files[n])
			if e.Op == modeledit.OpAdd && e.Parent == "" && modeledit.HasSection(data, e.Section) ||
				e.Op == modeledit.OpAdd && e.Parent != "" && modeledit.Holds(data, "boundaries", e.Parent) ||
				e.Op != modeledit.OpAdd && modeledit.Holds(data, e.Section, e.ID) {
				target = n
				break
			}
		}
		if e.Section == "layout" && e.Op == modeledit.OpAdd {
			target = b.Main
			if !modeledit.HasSection([]byte(b.Files[b.Main]), "layout") {
				for _, n := range names {
					if modeledit.HasSection([]byte(b.Files[n]), "layout") {
						target = n
						break
					}
				}
			}
		}
		out, err := modeledit.Apply([]byte(b.Files[target]), []modeledit.Edit{e})
		if err != nil {
			return errorf(http.StatusUnprocessableEntity, "invalid_edit", "edit %d: %s: %v", i+1, target, err)
		}
		b.Files[target] = string(out)
	}
	return nil
}

// fileOrder lists a bundle's files, the main file first.
func fileOrder(b Bundle) []string {
	names := []string{b.Main}
	var rest []string
	for n := range b.Files {
		if n != b.Main {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

// previewModel runs the editor's working files through the loader and the
// analysis, storing nothing. An invalid model is an answer (Valid false,
// with diagnostics), not an error.
func (s *Server) previewModel(ctx context.Context, p *Principal, systemID string, req previewRequest) (editorPreview, error) {
	x, latest, err := s.latestBundle(ctx, p, systemID, Write)
	if err != nil {
		return editorPreview{}, err
	}
	b, err := overlay(latest, req.Files)
	if err != nil {
		return editorPreview{}, err
	}
	if err := applyEdits(b, req.Edits); err != nil {
		return editorPreview{}, err
	}
	if _, err := overlay(latest, b.Files); err != nil {
		return editorPreview{}, err
	}
	out := editorPreview{System: x.ID, Revision: x.Revision, Main: b.Main, Files: b.Files, Diagnostics: []diagJSON{}, Findings: []previewFinding{}, Diff: diffBundles(latest, b)}

	key := "user:" + p.OwnerID
	if p.OwnerID == "" {
		key = p.Actor()
	}
	if d := s.previews.take(key); d > 0 {
		return editorPreview{}, &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: d,
			Msg: "too many checks from your account; try again in " + d.Round(time.Second).String()}
	}
	release, err := s.pool.acquire(ctx, bundleSize(b))
	if err != nil {
		return editorPreview{}, err
	}
	defer release()
	ctx, cancel := context.WithTimeout(rule.WithBudget(ctx, s.cfg.Budget), previewTimeout)
	defer cancel()
	a, res, err := s.analyseFiles(ctx, b)
	var diags spec.Diagnostics
	switch {
	case errors.As(err, &diags):
		out.Diagnostics = diagList(diags)
		return out, nil
	case err != nil:
		return editorPreview{}, err
	}
	out.Valid = true
	if res.System.ID != x.ID {
		out.Valid = false
		out.Diagnostics = append(out.Diagnostics, diagJSON{File: b.Main, Line: 1, Col: 1, Level: "error",
			Message: fmt.Sprintf("system.id is %q but this is system %q", res.System.ID, x.ID), Hint: "keep the id: a new id is a new system",
			Text: fmt.Sprintf("%s:1:1: system.id is %q but this is system %q — keep the id: a new id is a new system", b.Main, res.System.ID, x.ID)})
	}
	out.Summary = &res.Summary
	for _, f := range res.Findings {
		if len(out.Findings) == maxPreviewFindings {
			break
		}
		if f.Status == "open" {
			out.Findings = append(out.Findings, previewFinding{ID: f.ID, Title: f.Title, Severity: f.Severity, Status: f.Status, Rule: f.Rule})
		}
	}
	out.Graph = graphOf(a.Model, res, layoutOf(b))
	if req.SVG {
		var buf bytes.Buffer
		if err := report.SVG(ctx, &buf, res, report.DiagramOptions{}); err != nil {
			return editorPreview{}, err
		}
		svg := buf.String()
		if i := strings.Index(svg, "<svg"); i >= 0 {
			svg = svg[i:]
		}
		out.SVG = svg
	}
	return out, nil
}

func diagList(ds spec.Diagnostics) []diagJSON {
	out := make([]diagJSON, 0, len(ds))
	for _, d := range ds {
		level := "error"
		if d.Level == spec.Warning {
			level = "warning"
		}
		out = append(out, diagJSON{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Level: level, Message: d.Msg, Hint: d.Hint, Text: d.String()})
	}
	return out
}

// diffBundles lists the files of b that differ from old.
func diffBundles(old, b Bundle) []fileDiff {
	out := []fileDiff{}
	for _, n := range fileOrder(b) {
		if old.Files[n] == b.Files[n] {
			continue
		}
		d := modeledit.LineDiff(old.Files[n], b.Files[n])
		fd := fileDiff{File: n, Unified: modeledit.Unified(d, 2)}
		fd.Rows = diffRows(fd.Unified)
		for _, l := range d {
			switch l.Op {
			case '+':
				fd.Added++
			case '-':
				fd.Removed++
			}
		}
		out = append(out, fd)
	}
	return out
}

// saveRequest stores the editor's working files.
type saveRequest struct {
	// BaseRevision is the system revision the editor opened; required.
	BaseRevision int64             `json:"base_revision"`
	Files        map[string]string `json:"files"`
	Edits        []modeledit.Edit  `json:"edits"`
	Message      string            `json:"message"`
}

// conflictDetails is what a refused save carries: the newer version's
// files and how the editor's files differ from them.
type conflictDetails struct {
	Revision int64             `json:"revision"`
	Files    map[string]string `json:"files"`
	Diff     []fileDiff        `json:"diff"`
}

// saveModel stores the working files as a new version. A system that
// moved on since base is refused (409) with the newer files and a diff,
// never overwritten.
func (s *Server) saveModel(ctx context.Context, p *Principal, systemID string, req saveRequest) (pushResponse, error) {
	if req.BaseRevision <= 0 {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "say which revision the edit started from (base_revision)")
	}
	if len(req.Message) > 500 {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "the message is longer than 500 characters")
	}
	x, latest, err := s.latestBundle(ctx, p, systemID, Write)
	if err != nil {
		return pushResponse{}, err
	}
	b, err := overlay(latest, req.Files)
	if err != nil {
		return pushResponse{}, err
	}
	if err := applyEdits(b, req.Edits); err != nil {
		return pushResponse{}, err
	}
	if x.Revision != req.BaseRevision {
		return pushResponse{}, &Error{Status: http.StatusConflict, Code: "conflict",
			Msg:     fmt.Sprintf("%s changed since you opened it (revision %d, now %d): compare, then reapply your change to the newer version", x.ID, req.BaseRevision, x.Revision),
			Details: conflictDetails{Revision: x.Revision, Files: latest.Files, Diff: diffBundles(latest, b)}}
	}
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		msg = "edited in the browser by " + p.Actor()
	}
	return s.storeVersion(ctx, p, x.ID, x.TeamID, msg, req.BaseRevision, b)
}

// newSystemRequest starts a system.
type newSystemRequest struct {
	// From is questions (ward init's), template or import.
	From string `json:"from"`
	Team string `json:"team"`
	ID   string `json:"id"`
	Name string `json:"name"`
	// Answers and Kinds, for questions.
	Answers review.Form `json:"answers"`
	Kinds   []string    `json:"kinds"`
	// Template names one of scaffold.Templates, for template.
	Template string `json:"template"`
	// Format (optional: detected), FileName and Content, for import.
	Format   string `json:"format"`
	FileName string `json:"file_name"`
	Content  string `json:"content"`
}

// createSystem writes a new system's first version.
func (s *Server) createSystem(ctx context.Context, p *Principal, req newSystemRequest) (pushResponse, error) {
	req.Team, req.ID, req.Name = strings.TrimSpace(req.Team), strings.TrimSpace(req.ID), strings.TrimSpace(req.Name)
	if req.Team == "" {
		req.Team = p.TeamID
	}
	if req.Team == "" {
		return pushResponse{}, invalid("say which team owns the system (team)")
	}
	if !Allowed(p, Write, req.Team) {
		return pushResponse{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not allow creating systems for team %q", p.Role, req.Team)
	}
	if _, err := s.store.GetTeam(ctx, req.Team); errors.Is(err, store.ErrNotFound) {
		return pushResponse{}, invalid("there is no team %q", req.Team)
	} else if err != nil {
		return pushResponse{}, err
	}
	var data []byte
	switch req.From {
	case "questions":
		ans, err := req.Answers.Answers()
		if err != nil {
			return pushResponse{}, invalid("answers: %v", err)
		}
		if err := checkNewID(req.ID); err != nil {
			return pushResponse{}, err
		}
		sc := scaffold.Scaffold{ID: req.ID, Name: oneLine(req.Name), Team: req.Team, Answers: ans}
		if len(req.Kinds) > 0 {
			if sc.Kinds, err = scaffold.ParseKinds(strings.Join(req.Kinds, ",")); err != nil {
				return pushResponse{}, invalid("kinds: %v", err)
			}
		}
		data = sc.Render()
	case "template":
		if err := checkNewID(req.ID); err != nil {
			return pushResponse{}, err
		}
		var err error
		if data, err = scaffold.FromTemplate(req.Template, req.ID, req.Name, req.Team); err != nil {
			return pushResponse{}, invalid("%v", err)
		}
	case "import":
		var err error
		if data, req.ID, err = importModel(req); err != nil {
			return pushResponse{}, err
		}
	default:
		return pushResponse{}, invalid("from must be questions, template or import")
	}
	if _, err := s.store.GetSystem(ctx, req.ID); err == nil {
		return pushResponse{}, errorf(http.StatusConflict, "exists", "a system %q already exists: choose another id", req.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return pushResponse{}, err
	}
	msg := fmt.Sprintf("created in the browser (%s) by %s", req.From, p.Actor())
	return s.storeVersion(ctx, p, req.ID, req.Team, msg, 0, Bundle{Main: "ward.yaml", Files: map[string]string{"ward.yaml": string(data)}})
}

func checkNewID(id string) error {
	if id == "" || len(id) > 64 || !scaffold.IDPattern.MatchString(id) {
		return invalid("system id %q: use letters, digits, '-', '_' and '.', starting with a letter or digit (at most 64)", id)
	}
	if id == "new" {
		return invalid("system id %q is taken by the page that creates systems: choose another", id)
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// importModel converts another tool's file with the importer the CLI uses,
// and sets the system id (and name) when asked.
func importModel(req newSystemRequest) ([]byte, string, error) {
	if len(req.Content) == 0 {
		return nil, "", invalid("choose the file to import")
	}
	if len(req.Content) > maxEditorBytes {
		return nil, "", errorf(http.StatusRequestEntityTooLarge, "too_large", "the file is larger than %d bytes", maxEditorBytes)
	}
	name := path.Base(strings.ReplaceAll(req.FileName, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "model"
	}
	imp := formats.Find(req.Format, name, []byte(req.Content))
	if imp == nil {
		var names []string
		for _, i := range formats.Importers() {
			names = append(names, i.Name)
		}
		if req.Format != "" {
			return nil, "", invalid("unknown format %q: use one of %s", req.Format, strings.Join(names, ", "))
		}
		return nil, "", invalid("%s: not a format Ward can import (%s)", name, strings.Join(names, ", "))
	}
	// The default limit (interop.MaxInputBytes) holds, under the editor's own.
	res, err := imp.Run(interop.Options{}, name, []byte(req.Content))
	if err != nil {
		var ie *interop.InputError
		if errors.As(err, &ie) {
			return nil, "", invalid("%v", err)
		}
		return nil, "", invalid("%s: %v", name, err)
	}
	if res.Doc.System == nil {
		res.Doc.System = &spec.System{}
	}
	if req.ID != "" {
		if err := checkNewID(req.ID); err != nil {
			return nil, "", err
		}
		res.Doc.System.ID = req.ID
	}
	if req.Name != "" {
		res.Doc.System.Name = oneLine(req.Name)
	}
	if req.Team != "" {
		res.Doc.System.Team = req.Team
	}
	if err := checkNewID(res.Doc.System.ID); err != nil {
		return nil, "", err
	}
	out, err := interop.Encode(res.Doc, res.Notes, imp.Title+" file "+name)
	if err != nil {
		return nil, "", err
	}
	return out, res.Doc.System.ID, nil
}

// The visual editor's graph.

type editorGraph struct {
	Components []graphComponent    `json:"components"`
	Boundaries []graphBoundary     `json:"boundaries"`
	Flows      []graphFlow         `json:"flows"`
	Assets     []string            `json:"assets"`
	Kinds      []string            `json:"kinds"`
	Trusts     []string            `json:"trusts"`
	Enums      map[string][]string `json:"enums"`
}

type graphComponent struct {
	report.Component
	// StatedKind is the kind the model states, what the editor's Kind box
	// shows and writes back; Kind is Ward's reading, a guess from the name
	// when Inferred has "kind" (model.Component.StatedKind). A guess is
	// never written into the model unless the user picks it.
	StatedKind string     `json:"stated_kind"`
	Place      *placement `json:"place,omitempty"`
}

type graphBoundary struct {
	report.Boundary
	Place *placement `json:"place,omitempty"`
}

type graphFlow struct {
	report.Flow
}

type placement struct {
	X int `json:"x" yaml:"x"`
	Y int `json:"y" yaml:"y"`
	W int `json:"w,omitempty" yaml:"w"`
	H int `json:"h,omitempty" yaml:"h"`
}

// layoutOf reads the layout sections of a model's files.
func layoutOf(b Bundle) map[string]placement {
	out := map[string]placement{}
	for _, n := range fileOrder(b) {
		var doc struct {
			Layout []struct {
				ID        string `yaml:"id"`
				placement `yaml:",inline"`
			} `yaml:"layout"`
		}
		if err := yaml.Unmarshal([]byte(b.Files[n]), &doc); err != nil {
			continue
		}
		for _, l := range doc.Layout {
			if _, dup := out[l.ID]; !dup && l.ID != "" {
				out[l.ID] = l.placement
			}
		}
	}
	return out
}

func graphOf(m *model.Model, res *report.Result, layout map[string]placement) *editorGraph {
	g := &editorGraph{Components: []graphComponent{}, Boundaries: []graphBoundary{}, Flows: []graphFlow{}, Assets: []string{},
		Kinds: enumOf(spec.Component{}, "Kind"), Trusts: enumOf(spec.Boundary{}, "Trust"),
		Enums: map[string][]string{"authentication": enumOf(spec.Flow{}, "Authentication"), "encryption": enumOf(spec.Flow{}, "Encryption")}}
	place := func(id string) *placement {
		if p, ok := layout[id]; ok {
			return &p
		}
		return nil
	}
	stated := make(map[string]string, len(m.Components))
	for _, c := range m.Components {
		stated[c.ID] = string(c.StatedKind())
	}
	for _, c := range res.Components {
		k, ok := stated[c.ID]
		if !ok {
			k = c.Kind
		}
		g.Components = append(g.Components, graphComponent{Component: c, StatedKind: k, Place: place(c.ID)})
	}
	for _, b := range res.Boundaries {
		g.Boundaries = append(g.Boundaries, graphBoundary{Boundary: b, Place: place(b.ID)})
	}
	for _, f := range res.Flows {
		g.Flows = append(g.Flows, graphFlow{Flow: f})
	}
	for _, a := range res.Assets {
		g.Assets = append(g.Assets, a.ID)
	}
	return g
}

// enumOf reads the allowed values of a field of the format's types.
func enumOf(v any, field string) []string {
	t := reflect.TypeOf(v)
	if f, ok := t.FieldByName(field); ok {
		if e := f.Tag.Get("enum"); e != "" {
			return strings.Split(e, ",")
		}
	}
	return nil
}

// JSON routes.

func (s *Server) handlePreviewModel(w http.ResponseWriter, r *http.Request) error {
	var req previewRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	out, err := s.previewModel(r.Context(), principal(r.Context()), r.PathValue("system"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleSaveModel(w http.ResponseWriter, r *http.Request) error {
	var req saveRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.saveModel(r.Context(), principal(r.Context()), r.PathValue("system"), req)
	return writePush(w, res, err)
}

func (s *Server) handleCreateSystem(w http.ResponseWriter, r *http.Request) error {
	var req newSystemRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.createSystem(r.Context(), principal(r.Context()), req)
	return writePush(w, res, err)
}
