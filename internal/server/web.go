package server

// The web UI: server-rendered html/template pages over the same operations
// as the JSON API, embedded in the binary with the static files they use
// (one CSS file, vendored htmx 4 and its SSE extension; no CDN, no build
// step). Pages work without JavaScript for reading; htmx improves editing.
//
// # How to add a page
//
//  1. Route. Write a registration function in your own file
//     (web_<area>.go), e.g.
//
//     func (s *Server) reviewPages(wr webRouter) {
//     	wr.page("GET /review", s.pageReviewQueue)
//     	wr.page("POST /review/{id}/approve", s.pageApprove)
//     }
//
//     and add one line calling it to webRoutes below. wr.page needs a
//     signed-in principal (anonymous GETs are redirected to
//     /login?next=..., other anonymous requests answer 401); wr.public is
//     for the few pages anyone may open (sign-in, first run). Web routes
//     are listed by WebRoutes, and the authorization matrix
//     (authz_test.go) must have a row for each.
//
//  2. Template. Add ui/templates/<name>.html defining "content" (the
//     page body inside the layout) and, for htmx, any fragments as
//     {{define "name"}} blocks. Files whose name starts with "_" are
//     partials shared by every page. The layout gives each page the view
//     (type view): .P the principal (nil when signed out), .Flash, .Data
//     (what the handler passed), .Can "write" teamID (asks Allowed, to hide
//     buttons a principal may not use), .HX (an htmx request). No inline
//     scripts, no style attributes, no on* handlers: the CSP refuses them.
//     Put styles in ui/static/ward.css and behaviour in htmx attributes.
//     Link static files with {{static "ward.css"}} (a content-hashed URL,
//     cached for a year).
//
//  3. Handler. A page handler is a handlerFunc: it returns an error and
//     the page adapter renders it as an HTML error page (404, 403, 500 with
//     the id that is also logged). Render with s.render(w, r, "name.html",
//     title, data), or a fragment with s.renderFragment(w, r, "name.html",
//     "block", data). After a successful POST, redirect with s.done(w, r,
//     to, "what happened") (Post/Redirect/Get with a flash message); for an
//     htmx request answer the fragment that changed instead.
//
//  4. Authorization. Decide through Allowed (or s.system(r, access), which
//     answers 404 for other teams' systems), exactly as the JSON handler
//     does: never a role comparison of your own. A button a principal may
//     not use is absent from the page AND its POST is refused.
//
//  5. Operations. Never copy logic from a JSON handler into a page
//     handler. Extract it into an operation function taking
//     (ctx, principal, args) and returning a result (see ops.go), call it
//     from both handlers, and let each handler only decode its input (JSON
//     or a form) and encode its output (JSON or HTML).
//
// Forms post to the same origin; http.CrossOriginProtection (middleware.go)
// refuses cross-origin state-changing requests, so forms need no token.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/store"
)

//go:embed ui/templates/*.html
var templateFS embed.FS

//go:embed ui/static
var staticFS embed.FS

// webRouter registers web pages on the server's mux.
type webRouter struct {
	s   *Server
	mux *http.ServeMux
}

// page registers a page that needs a signed-in principal.
func (wr webRouter) page(pattern string, fn handlerFunc) {
	wr.s.webPatterns = append(wr.s.webPatterns, pattern)
	wr.mux.Handle(pattern, wr.s.adaptPage(wr.s.pageAuthed(fn)))
}

// public registers a page anyone may open.
func (wr webRouter) public(pattern string, fn handlerFunc) {
	wr.s.webPatterns = append(wr.s.webPatterns, pattern)
	wr.mux.Handle(pattern, wr.s.adaptPage(wr.s.pageMaybeAuthed(fn)))
}

// webRoutes registers the web UI. Each area registers its own pages.
func (s *Server) webRoutes(mux *http.ServeMux) {
	wr := webRouter{s: s, mux: mux}
	mux.Handle("GET /static/", s.adaptPage(s.handleStatic))
	s.webPatterns = append(s.webPatterns, "GET /static/")
	s.entryPages(wr)
	s.homePages(wr)
	s.sessionPages(wr)
	s.reviewPages(wr)
	s.systemPages(wr)
	s.livePages(wr)
	s.adminPages(wr)
	s.editorPages(wr)
	s.notifyPages(wr)
	s.trainingPages(wr)
	s.programmePages(wr)
}

// WebRoutes lists the registered web page patterns ("METHOD /path").
func WebRoutes() []string {
	s := New(Config{}, nil, nil)
	return append([]string(nil), s.webPatterns...)
}

// view is what every page template receives.
type view struct {
	Title     string
	P         *Principal
	Flash     *flash
	Path      string
	Nav       []navLink
	Data      any
	RequestID string
	// HX tells an htmx request (render a fragment, not the layout).
	HX bool
	// SSO tells that single sign-on is configured.
	SSO bool
}

// Can reports whether the principal may have access ("read", "write",
// "review", "admin") to team's data, through Allowed. Templates use it to
// leave out what the principal may not do.
func (v *view) Can(access, team string) bool {
	a, ok := accessNames[access]
	return ok && Allowed(v.P, a, team)
}

// Role is the principal's role, or "" when signed out.
func (v *view) Role() string {
	if v.P == nil {
		return ""
	}
	return string(v.P.Role)
}

var accessNames = map[string]Access{"read": Read, "write": Write, "review": Review, "admin": Admin, "coach": Coach}

// navLink is an entry of the top navigation.
type navLink struct {
	Label, Href string
	Current     bool
}

// navEntries is the navigation; show decides, through Allowed, who sees
// an entry.
var navEntries = []struct {
	label, href string
	show        func(p *Principal) bool
}{
	{"Home", "/", func(p *Principal) bool { return true }},
	{"Systems", "/systems", func(p *Principal) bool { return true }},
	{"Findings", "/findings", func(p *Principal) bool { return true }},
	{"Review queue", "/review", func(p *Principal) bool { return Allowed(p, Review, "") }},
	{"Training", "/training", canTrain},
	{"Programme", "/programme", func(p *Principal) bool { return p.TeamID != "" || Allowed(p, Read, "") }},
	{"Administration", "/admin", func(p *Principal) bool { return Allowed(p, Admin, "") }},
}

func nav(p *Principal, current string) []navLink {
	if p == nil || isRunScope(p.TeamID) { // a training run's guest: that run only
		return nil
	}
	var out []navLink
	for _, e := range navEntries {
		if e.show(p) {
			cur := e.href == current || e.href != "/" && strings.HasPrefix(current, e.href+"/")
			out = append(out, navLink{Label: e.label, Href: e.href, Current: cur})
		}
	}
	return out
}

// flash is a one-time message shown on the next page (after a redirect).
type flash struct {
	Kind string // "ok" or "error"
	Msg  string
}

const flashCookie = "ward_flash"

func setFlash(w http.ResponseWriter, r *http.Request, kind, msg string) {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + msg))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// takeFlash reads the flash message and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, msg, ok := strings.Cut(string(b), "\n")
	if !ok || kind != "ok" && kind != "error" {
		return nil
	}
	return &flash{Kind: kind, Msg: msg}
}

// done ends a successful form POST: a flash message and a redirect
// (303) to to, a local path.
func (s *Server) done(w http.ResponseWriter, r *http.Request, to, msg string) error {
	if msg != "" {
		setFlash(w, r, "ok", msg)
	}
	http.Redirect(w, r, localPath(to), http.StatusSeeOther)
	return nil
}

// localPath keeps redirects on this server: anything that is not a plain
// absolute path becomes "/".
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

// templates are parsed once per process from the embedded files.
var templates = sync.OnceValues(parseTemplates)

func parseTemplates() (map[string]*template.Template, error) {
	base := template.New("").Funcs(templateFuncs)
	base, err := base.ParseFS(templateFS, "ui/templates/layout.html", "ui/templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "ui/templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, n); err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

var templateFuncs = template.FuncMap{
	"static": staticURL,
	// flowCarries is what a flow carries in a result (stated or read by
	// Ward), for the question of what it carries.
	"flowCarries": func(r *report.Result, id string) []string {
		for _, f := range r.Flows {
			if f.ID == id {
				return f.Carries
			}
		}
		return nil
	},
	"inList": func(list []string, s string) bool { return slices.Contains(list, s) },
	// oneline joins a multi-line text (a merged card) into one line for a
	// single-line input, which would otherwise drop the line breaks and
	// glue the words together.
	// md renders a one-line Markdown title (element names as `code`).
	"md":      report.InlineHTML,
	"oneline": func(s string) string { return strings.Join(strings.Fields(s), " ") },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
	"query": func(kv ...string) template.URL {
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				q.Set(kv[i], kv[i+1])
			}
		}
		if len(q) == 0 {
			return ""
		}
		return template.URL("?" + q.Encode())
	},
	"lower":  strings.ToLower,
	"orDash": orDash,
	"has":    func(list []string, x string) bool { return slices.Contains(list, x) },
	"prev":   func(n int) int { return n - 1 },
	"mitStatuses": func() []string {
		out := make([]string, 0, len(mitigationStatuses))
		for _, s := range mitigationStatuses {
			out = append(out, string(s))
		}
		return out
	},
	"asmStatuses": func() []string {
		out := make([]string, 0, len(assumptionStatuses))
		for _, s := range assumptionStatuses {
			out = append(out, string(s))
		}
		return out
	},
	"sevs": func() []string { return severities },
	// openHref is the list of a risk row's open findings.
	"openHref": func(href string) string {
		if strings.HasPrefix(href, "/systems/") {
			return href + "?status=open#threats"
		}
		return href
	},
	// sevHref narrows a list link to one severity.
	"sevHref": func(href, sev string) string {
		if strings.HasPrefix(href, "/systems/") {
			return href + "?status=open&severity=" + sev + "#threats"
		}
		sep := "?"
		if strings.Contains(href, "?") {
			sep = "&"
		}
		return href + sep + "severity=" + sev
	},
	"rows": func(rows []findingRow, withSystem bool) map[string]any {
		return map[string]any{"Rows": rows, "WithSystem": withSystem}
	},
	"risk": func(rows []*riskRow, label string) map[string]any {
		return map[string]any{"Rows": rows, "Label": label}
	},
	"tokens": func(ts []tokenRow, from string) map[string]any {
		return map[string]any{"Tokens": ts, "From": from}
	},
	"filters": func(f findingFilter, o filterOptions) map[string]any {
		return map[string]any{"F": f, "O": o}
	},
	"title": func(s string) string {
		s = strings.ReplaceAll(s, "_", " ")
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
}

// viewFor builds the per-request view.
func (s *Server) viewFor(w http.ResponseWriter, r *http.Request, title string, data any) *view {
	p := principal(r.Context())
	return &view{Title: title, P: p, Flash: takeFlash(w, r), Path: r.URL.Path, Nav: nav(p, r.URL.Path), Data: data,
		RequestID: requestID(r.Context()), HX: r.Header.Get("HX-Request") == "true", SSO: s.oidc != nil}
}

// render writes a whole page: the layout around name's "content".
func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, "layout", s.viewFor(w, r, title, data))
}

// renderFragment writes one block of a page's template (an htmx swap).
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, name, block string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, block, s.viewFor(w, r, "", data))
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, block string, v *view) error {
	ts, err := templates()
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	t := ts[name]
	if t == nil {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		return fmt.Errorf("render %s/%s: %w", name, block, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request, Cookie")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	if err != nil {
		return errWritten
	}
	return nil
}

// errWritten says the response was already (partly) written; the
// adapter must not write an error page.
var errWritten = errors.New("response already written")

// adaptPage is adapt for pages: errors become HTML error pages.
func (s *Server) adaptPage(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil && !errors.Is(err, errWritten) {
			s.writePageError(w, r, err)
		}
	})
}

// writePageError renders an error as an HTML page with a fitting status;
// a 500 shows an id that is also in the log. It is writeError for pages.
func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, err error) {
	pe := classify(err)
	e := struct {
		Status  int
		Code    string
		Message string
		ID      string
		Details any
	}{Status: http.StatusInternalServerError}
	if pe != nil {
		e.Status, e.Code, e.Message, e.Details = pe.Status, pe.Code, pe.Msg, pe.Details
		level := slog.LevelInfo
		if e.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "page failed", "request_id", requestID(r.Context()), "status", e.Status, "code", pe.Code, "err", pe.Msg)
	} else {
		e.ID = newID(8)
		e.Code, e.Message = "internal", "Something went wrong on the server."
		s.log.Error("internal error", "error_id", e.ID, "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	title := http.StatusText(e.Status)
	v := s.viewFor(w, r, title, e)
	block := "layout"
	if v.HX {
		block = "error-fragment"
		// htmx swaps error responses into the target like any other.
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
	}
	if rerr := s.renderStatus(w, r, e.Status, "error.html", block, v); rerr != nil && !errors.Is(rerr, errWritten) {
		s.log.Error("render error page", "request_id", requestID(r.Context()), "err", rerr)
		http.Error(w, fmt.Sprintf("%d %s", e.Status, title), e.Status)
	}
}

// pageAuthed wraps a page that needs a principal: an anonymous GET is sent
// to the sign-in page, which comes back here afterwards.
func (s *Server) pageAuthed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if p == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				to := "/login"
				if r.URL.RequestURI() != "/" {
					to += "?next=" + url.QueryEscape(r.URL.RequestURI())
				}
				if r.Header.Get("HX-Request") == "true" {
					w.Header().Set("HX-Redirect", to)
				}
				http.Redirect(w, r, to, http.StatusSeeOther)
				return nil
			}
			return errorf(http.StatusUnauthorized, "unauthenticated", "your session has ended; sign in again")
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	}
}

// pageMaybeAuthed passes the principal on when there is one.
func (s *Server) pageMaybeAuthed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), keyPrincipal, p))
		}
		return h(w, r)
	}
}

// formValue reads a form field, trimmed and bounded.
func formValue(r *http.Request, name string) string {
	v := strings.TrimSpace(r.PostFormValue(name))
	if len(v) > 4000 {
		v = v[:4000]
	}
	return v
}

// parseForm parses a URL-encoded form body (bounded by the body limit).
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errorf(http.StatusBadRequest, "invalid_form", "the form could not be read")
	}
	return nil
}

// static files, addressed by a hash of their contents so they can be
// cached for a year.

type staticFile struct {
	data  []byte
	ctype string
	etag  string
}

var staticFiles = sync.OnceValue(func() map[string]staticFile {
	out := map[string]staticFile{}
	_ = fs.WalkDir(staticFS, "ui/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := "application/octet-stream"
		switch path.Ext(p) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		case ".png":
			ctype = "image/png"
		case ".txt", ".md":
			ctype = "text/plain; charset=utf-8"
		case ".ico":
			ctype = "image/x-icon"
		}
		out[strings.TrimPrefix(p, "ui/static/")] = staticFile{data: data, ctype: ctype, etag: hex.EncodeToString(sum[:8])}
		return nil
	})
	return out
})

// staticURL is the cacheable URL of a static file: /static/<hash>/<name>.
func staticURL(name string) (string, error) {
	f, ok := staticFiles()[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + f.etag + "/" + name, nil
}

// StaticFiles lists the embedded static files (for tests).
func StaticFiles() []string {
	var out []string
	for k := range staticFiles() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	f, found := staticFiles()[name]
	if !ok || !found {
		return errorf(http.StatusNotFound, "not_found", "no such file")
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", `"`+f.etag+`"`)
	if hash == f.etag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old or missing hash: serve the current file, briefly cached.
		h.Set("Cache-Control", "public, max-age=300")
	}
	if match := r.Header.Get("If-None-Match"); match == `"`+f.etag+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, _ = w.Write(f.data)
	return nil
}

// isBrowserPath tells paths that belong to the web UI (HTML errors) from
// the API's (JSON errors).
func isBrowserPath(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics" {
		return false
	}
	return true
}

// notFound answers unknown paths: JSON under /api/, an HTML page elsewhere.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	if isBrowserPath(r) {
		p, _ := s.authenticate(r)
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), keyPrincipal, p))
		}
		s.writePageError(w, r, errorf(http.StatusNotFound, "not_found", "There is no page at %s.", r.URL.Path))
		return nil
	}
	if allow := s.allowed(r.URL.Path); allow != "" {
		w.Header().Set("Allow", allow)
		return errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s; use %s", r.Method, r.URL.Path, allow)
	}
	return errorf(http.StatusNotFound, "not_found", "no such endpoint: %s %s (see /api/v1/openapi.json)", r.Method, r.URL.Path)
}

// roleLabel names a role for people.
func roleLabel(r store.Role) string {
	switch r {
	case store.RoleAdmin:
		return "Administrator"
	case store.RoleSecurity:
		return "Security engineer"
	case store.RoleMember:
		return "Team member"
	case store.RoleViewer:
		return "Viewer"
	}
	return string(r)
}
