package server

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/diff"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/store"
)

// The system page: diagram, ranked threats with filters, mitigations,
// assumptions, questions, versions and downloads; and acting on findings
// (each action is the same operation as the JSON API's, stored as a new
// version of the model).

func (s *Server) systemPages(wr webRouter) {
	wr.page("GET /systems/{system}", s.pageSystem)
	wr.page("GET /systems/{system}/diff", s.pageDiff)
	wr.page("GET /systems/{system}/download/{format}", s.pageDownload)
	wr.page("POST /systems/{system}/decisions", s.pageDecide)
	wr.page("POST /systems/{system}/mitigations/{id}", s.pageMitigation)
	wr.page("POST /systems/{system}/assumptions/{id}", s.pageAssumption)
	wr.page("POST /systems/{system}/controls", s.pageControl)
}

// element is the selected component or flow, with what concerns it.
type element struct {
	Kind, ID, Name string
	// Inferred are the component's facts Ward read from its name or
	// flows (report.Component.InferredFacts), shown marked.
	Inferred  []inferredFact
	Controls  []control
	Questions []report.Question
	Threats   int
}

type control struct{ Key, Value string }

// inferredFact is an inferred fact as the selected element's card shows
// it: "kind datastore", "admin", "stores records"; Mark is
// report.InferredMark.
type inferredFact struct{ Text, From, Mark string }

type systemView struct {
	System    store.System
	R         *report.Result
	SVG       template.HTML
	SVGError  string
	Filter    findingFilter
	Options   filterOptions
	Threats   []findingRow
	Selected  *element
	Versions  []store.Version
	Formats   []string
	MitIDs    []string
	Decisions []string
	TeamName  string
	// Review is the system's design-review badge (web_review.go).
	Review review.Badge
}

func (s *Server) pageSystem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	if x.Latest == 0 {
		return errorf(http.StatusNotFound, "not_found", "System %q has no version yet.", x.ID)
	}
	res, err := s.versionResult(ctx, x, 0)
	if err != nil {
		return err
	}
	ff := readFindingFilter(r)
	ff.System, ff.Team = x.ID, ""
	rows := []sysResult{{System: x, Result: res}}
	sv := systemView{System: x, R: res, Filter: ff, Options: optionsOf(rows, x.ID), Threats: filterFindings(rows, ff),
		Formats: append(report.Formats(), "brief", "svg")}
	for _, m := range res.Mitigations {
		sv.MitIDs = append(sv.MitIDs, m.ID)
	}
	sv.Decisions = []string{"mitigated", "accepted", "false_positive", "transferred"}
	if ff.Element != "" {
		sv.Selected = selectElement(res, ff.Element, len(sv.Threats))
	}
	svg, err := s.diagram(ctx, x, res, ff.Element)
	if err != nil {
		// A diagram that cannot be drawn must not hide the rest.
		s.log.Warn("diagram", "request_id", requestID(ctx), "system", x.ID, "err", err)
		sv.SVGError = "The diagram could not be drawn."
	}
	sv.SVG = template.HTML(svg)
	vs, _, err := s.store.ListVersions(ctx, x.ID, store.Page{Limit: 20})
	if err != nil {
		return err
	}
	sv.Versions = vs
	if sv.Review, err = s.systemBadge(ctx, x); err != nil {
		return err
	}
	_ = p
	return s.render(w, r, "system.html", x.Name, sv)
}

func selectElement(res *report.Result, id string, threats int) *element {
	el := &element{ID: id, Threats: threats}
	var controls map[string]string
	for _, c := range res.Components {
		if c.ID == id {
			el.Kind, el.Name, controls = "component", c.Name, c.Controls
			for _, f := range c.InferredFacts() {
				text := f.Fact
				switch {
				case f.Fact == "kind":
					text += " " + c.Kind
				case len(f.Assets) > 0:
					text += " " + strings.Join(f.Assets, ", ")
				}
				el.Inferred = append(el.Inferred, inferredFact{text, f.From, strings.TrimSpace(report.InferredMark)})
			}
		}
	}
	for _, f := range res.Flows {
		if f.ID == id {
			el.Kind, el.Name = "flow", f.From+" → "+f.To
			if slices.Contains(f.Inferred, "carries") {
				el.Inferred = append(el.Inferred, inferredFact{"carries " + strings.Join(f.Carries, ", "), "the store it reaches", strings.TrimSpace(report.InferredMark)})
			}
		}
	}
	if el.Kind == "" {
		return nil
	}
	for k, v := range controls {
		el.Controls = append(el.Controls, control{k, v})
	}
	slices.SortFunc(el.Controls, func(a, b control) int { return strings.Compare(a.Key, b.Key) })
	for _, q := range res.Questions {
		if q.Element.ID == id {
			el.Questions = append(el.Questions, q)
		}
	}
	return el
}

// svgLink finds the diagram's links to the HTML report's anchors.
var svgLink = regexp.MustCompile(`xlink:href="#(c|fl)-([^"]+)"`)

// diagram is the inline SVG of x's latest version, with each element
// linking to the page selecting it (no JavaScript needed) and the selected
// one marked.
func (s *Server) diagram(ctx context.Context, x store.System, res *report.Result, selected string) (string, error) {
	key := fmt.Sprintf("%s@%d", x.ID, x.Latest)
	svg, ok := s.webCache.svg(key)
	if !ok {
		var buf bytes.Buffer
		if err := report.SVG(ctx, &buf, res, report.DiagramOptions{}); err != nil {
			return "", err
		}
		svg = buf.String()
		if i := strings.Index(svg, "<svg"); i >= 0 {
			svg = svg[i:]
		}
		svg = regexp.MustCompile(`(?s)<!--.*?-->\n?`).ReplaceAllString(svg, "")
		// Scaled to fit the page, the drawing keeps to the top of its box:
		// no empty band above it when the box is taller than the drawing.
		svg = strings.Replace(svg, "<svg ", `<svg preserveAspectRatio="xMidYMin meet" `, 1)
		svg = svgLink.ReplaceAllStringFunc(svg, func(m string) string {
			sub := svgLink.FindStringSubmatch(m)
			id := html.UnescapeString(sub[2])
			return `xlink:href="/systems/` + url.PathEscape(x.ID) + `?element=` + url.QueryEscape(id) + `#threats"`
		})
		s.webCache.putSVG(key, svg)
	}
	if selected != "" {
		for _, prefix := range []string{"c-", "fl-"} {
			esc := strings.ReplaceAll(html.EscapeString(prefix+selected), "-", "&#45;")
			svg = strings.Replace(svg, `id="`+esc+`" class="`, `id="`+esc+`" class="selected `, 1)
		}
	}
	return svg, nil
}

// formRevision reads the revision the form was rendered at.
func formRevision(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue("base_revision"), 10, 64)
	return n
}

// saved ends an action: back to the system page, at the item, saying
// which version recorded it.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, res pushResponse, anchor, what string) error {
	msg := what + " — saved as version " + strconv.Itoa(res.Version) + "."
	if !res.Created {
		msg = what + " — nothing changed."
	}
	return s.done(w, r, "/systems/"+url.PathEscape(res.System)+"#"+anchor, msg)
}

func (s *Server) pageDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	req := decisionRequest{Finding: formValue(r, "finding"), Status: formValue(r, "status"), Reason: formValue(r, "reason"),
		Owner: formValue(r, "owner"), Expires: formValue(r, "expires"), BaseRevision: formRevision(r)}
	for _, m := range r.PostForm["mitigations"] {
		if m = strings.TrimSpace(m); m != "" {
			req.Mitigations = append(req.Mitigations, m)
		}
	}
	p := principal(r.Context())
	req.Message = fmt.Sprintf("%s: %s in the web UI by %s", req.Finding, req.Status, p.Actor())
	res, err := s.decide(r.Context(), p, r.PathValue("system"), req)
	if err != nil {
		return err
	}
	return s.saved(w, r, res, "f-"+req.Finding, "Decision recorded: "+strings.ReplaceAll(req.Status, "_", " "))
}

func (s *Server) pageMitigation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r.Context())
	id := r.PathValue("id")
	req := mitigationRequest{Status: formValue(r, "status"), Owner: formValue(r, "owner"), Ticket: formValue(r, "ticket"), Due: formValue(r, "due"),
		BaseRevision: formRevision(r), Message: fmt.Sprintf("mitigation %s updated in the web UI by %s", id, p.Actor())}
	res, err := s.setMitigation(r.Context(), p, r.PathValue("system"), id, req)
	if err != nil {
		return err
	}
	return s.saved(w, r, res, "m-"+id, "Mitigation "+id+" updated")
}

func (s *Server) pageAssumption(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r.Context())
	id := r.PathValue("id")
	req := assumptionRequest{Status: formValue(r, "status"), Evidence: formValue(r, "evidence"), BaseRevision: formRevision(r),
		Message: fmt.Sprintf("assumption %s updated in the web UI by %s", id, p.Actor())}
	res, err := s.setAssumption(r.Context(), p, r.PathValue("system"), id, req)
	if err != nil {
		return err
	}
	return s.saved(w, r, res, "a-"+id, "Assumption "+id+" updated")
}

func (s *Server) pageControl(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r.Context())
	req := controlRequest{Kind: formValue(r, "kind"), Element: formValue(r, "element"), Key: formValue(r, "key"), Value: formValue(r, "value"),
		BaseRevision: formRevision(r)}
	if req.Key == report.CarriesKey {
		// One checkbox per asset: the answer is every box ticked.
		req.Value = strings.Join(r.PostForm["value"], ",")
	}
	req.Message = fmt.Sprintf("%s.controls.%s: %s in the web UI by %s", req.Element, req.Key, req.Value, p.Actor())
	switch {
	case req.Key == report.CarriesKey:
		req.Message = fmt.Sprintf("%s.carries: %s in the web UI by %s", req.Element, req.Value, p.Actor())
	case req.Kind == "asset":
		req.Message = fmt.Sprintf("%s.classification: %s in the web UI by %s", req.Element, req.Value, p.Actor())
	}
	res, err := s.setControl(r.Context(), p, r.PathValue("system"), req)
	if err != nil {
		return err
	}
	anchor := "questions"
	if q := formValue(r, "question"); q != "" {
		anchor = "q-" + q
	}
	return s.saved(w, r, res, anchor, "Answered: "+req.Element+" "+req.Key+" = "+req.Value)
}

type diffView struct {
	System   store.System
	From, To int
	D        *diff.Diff
	Text     string
}

// pageDiff shows what a version changed, security-wise (ward diff).
func (s *Server) pageDiff(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	to, from := x.Latest, x.Latest-1
	q := r.URL.Query()
	var perr error
	if v := q.Get("to"); v != "" {
		to, perr = versionNumber(v)
	}
	if v := q.Get("from"); v != "" && perr == nil {
		from, perr = strconv.Atoi(v)
		if perr != nil || from < 0 {
			perr = errorf(http.StatusBadRequest, "invalid", "from must be a version number (0 for none)")
		}
	}
	if perr != nil {
		return perr
	}
	if to == 0 {
		to = x.Latest
	}
	d, err := s.compare(r.Context(), x, from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := diff.Text(&buf, d); err != nil {
		return err
	}
	return s.render(w, r, "diff.html", x.Name+": version "+strconv.Itoa(to), diffView{System: x, From: from, To: to, D: d, Text: buf.String()})
}

// pageDownload serves a report of the latest version (or ?version=N) in
// any format, the pen-test brief ("brief") or the diagram ("svg").
func (s *Server) pageDownload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	n := x.Latest
	if v := r.URL.Query().Get("version"); v != "" {
		if n, err = versionNumber(v); err != nil {
			return err
		}
	}
	format := r.PathValue("format")
	ext := map[string]string{"text": "txt", "markdown": "md", "json": "json", "sarif": "sarif", "csv": "csv", "github-issues": "json",
		"jira": "json", "html": "html", "brief": "md", "svg": "svg"}[format]
	if ext == "" && slices.Contains(report.Formats(), format) {
		ext = "txt" // a format added to the report package later
	}
	if ext == "" {
		return errorf(http.StatusNotFound, "not_found", "There is no report format %q; use one of %s, brief or svg.", format, strings.Join(report.Formats(), ", "))
	}
	var buf bytes.Buffer
	switch format {
	case "brief":
		v, err := s.store.GetVersion(ctx, x.ID, n)
		if err != nil {
			return err
		}
		a, res, err := s.analyseBundle(ctx, unarchive(v.YAML))
		if err != nil {
			return err
		}
		err = report.Brief(&buf, a, res, report.BriefOptions{})
		if err != nil {
			return err
		}
	default:
		res, err := s.versionResult(ctx, x, n)
		if err != nil {
			return err
		}
		if format == "svg" {
			err = report.SVG(ctx, &buf, res, report.DiagramOptions{})
		} else {
			err = report.Render(&buf, format, res, report.Options{})
		}
		if err != nil {
			return err
		}
	}
	ctype := map[string]string{"txt": "text/plain", "md": "text/markdown", "json": "application/json", "sarif": "application/sarif+json",
		"csv": "text/csv", "html": "text/html", "svg": "image/svg+xml"}[ext]
	name := fmt.Sprintf("%s-v%d-%s.%s", x.ID, n, format, ext)
	h := w.Header()
	h.Set("Content-Type", ctype+"; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}
