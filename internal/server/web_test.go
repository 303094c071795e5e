package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/modeledit"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/server/oidctest"
	"github.com/wardtm/ward/internal/store"
)

// noFollow is a client that reports redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// page fetches a web page as auth (a session cookie value, "" for none)
// without following redirects.
func (e *env) page(method, path, auth string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestWebFramework(t *testing.T) {
	e := newEnv(t)
	// Signed out: pages redirect to sign-in, which comes back.
	resp, _ := e.page("GET", "/?team=x", "", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/?team=x") {
		t.Errorf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := e.page("GET", "/login", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	// Signed in: the home page with the layout.
	resp, body = e.page("GET", "/", e.admin, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Sign out") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Fatalf("home: %d %s", resp.StatusCode, body)
	}
	// Unknown pages are HTML 404s; unknown API paths stay JSON.
	resp, body = e.page("GET", "/no/such/page", e.admin, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "There is no page at /no/such/page") {
		t.Errorf("404 page: %d %s", resp.StatusCode, body)
	}
	resp, body = e.page("GET", "/api/v1/nope", e.admin, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("API 404: %d %s", resp.StatusCode, body)
	}
	// Static files: hashed URLs cached for a year.
	for _, name := range []string{"ward.css", "vendor/htmx.min.js", "vendor/hx-sse.min.js"} {
		_, home := e.page("GET", "/", e.admin, nil)
		i := strings.Index(home, "/static/")
		if i < 0 {
			t.Fatal("the layout links no static file")
		}
		var link string
		for _, f := range strings.Split(home, `"`) {
			if strings.HasPrefix(f, "/static/") && strings.HasSuffix(f, "/"+name) {
				link = f
			}
		}
		if link == "" {
			t.Errorf("the layout does not link %s", name)
			continue
		}
		resp, data := e.page("GET", link, "", nil)
		if resp.StatusCode != 200 || len(data) == 0 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", link, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	// Sign in with the form, land on next.
	resp, _ = e.page("POST", "/login", "", url.Values{"email": {"admin@example.com"}, "password": {"correct horse battery"}, "next": {"/systems"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems" || cookie(resp) == "" {
		t.Errorf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = e.page("POST", "/login", "", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!!"}, "next": {"//evil.example"}})
	if resp.StatusCode != 401 || !strings.Contains(body, "wrong email or password") {
		t.Errorf("bad sign-in: %d %s", resp.StatusCode, body)
	}
}

// preRE matches preformatted text, which shows the CLI's output as is.
var preRE = regexp.MustCompile(`(?s)<pre>.*?</pre>`)

// TestWebSystemPages reads every page over a pushed model and acts on a
// finding through the page's forms, as the JSON API would.
func TestWebSystemPages(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", e.admin, map[string]any{"team": "storefront", "files": bundle(t, "../../examples/shop")}), 201)
	for _, c := range []struct{ path, want string }{
		{"/", "Gap finder"},
		{"/systems", "larkspur-shop"},
		{"/findings?status=open&severity=high", "Findings"},
		{"/gaps/questions", "Unanswered questions"},
		{"/gaps/unmitigated", "Open threats with no mitigation"},
		{"/systems/larkspur-shop", "Threats, ranked"},
		// A threat standing for several STRIDE readings names them all.
		{"/systems/larkspur-shop", "<td>Spoofing, Elevation of privilege</td>"},
		{"/systems/larkspur-shop?element=web-frontend", "clear the selection"},
		{"/systems/larkspur-shop?q=rate&stride=denial_of_service", "Threats, ranked"},
		{"/systems/larkspur-shop/diff?from=0&to=1", "What version 1 means"},
	} {
		resp, body := e.page("GET", c.path, e.admin, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d, want %q in\n%.2000s", c.path, resp.StatusCode, c.want, body)
		}
		if strings.Contains(body, " style=") || strings.Contains(body, "<script>") {
			t.Errorf("GET %s: inline style or script", c.path)
		}
		// Threat titles name elements as Markdown code spans: shown as
		// code, never as raw backticks (the CLI's text in <pre> aside).
		if prose := preRE.ReplaceAllString(body, ""); strings.Contains(prose, "`") {
			i := strings.Index(prose, "`")
			t.Errorf("GET %s: raw backtick in the page: %q", c.path, prose[max(0, i-80):min(len(prose), i+80)])
		}
	}
	for _, f := range append(report.Formats(), "brief", "svg") {
		resp, body := e.page("GET", "/systems/larkspur-shop/download/"+f, e.admin, nil)
		if resp.StatusCode != 200 || len(body) < 100 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s: %d %d bytes", f, resp.StatusCode, len(body))
		}
	}
	// Accept a finding through the page's form: a new version.
	resp, _ := e.page("POST", "/systems/larkspur-shop/decisions", e.admin, url.Values{"finding": {"no-rate-limiting:web-frontend"},
		"status": {"false_positive"}, "reason": {"the CDN rate-limits"}, "base_revision": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/systems/larkspur-shop#f-") {
		t.Fatalf("decision: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	sys := e.want(e.do("GET", "/api/v1/systems/larkspur-shop", e.admin, nil), 200)
	if sys["latest"].(float64) != 2 {
		t.Errorf("after the decision: latest %v, want 2", sys["latest"])
	}
	// A stale form is refused (409), not applied over the newer version.
	resp, body := e.page("POST", "/systems/larkspur-shop/decisions", e.admin, url.Values{"finding": {"no-rate-limiting:web-frontend"},
		"status": {"accepted"}, "base_revision": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "reload") {
		t.Errorf("stale decision: %d %.500s", resp.StatusCode, body)
	}
}

// TestWebCrossOrigin: a cross-origin form post is refused with an HTML page.
func TestWebCrossOrigin(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequestWithContext(t.Context(), "POST", e.srv.URL+"/logout", strings.NewReader(""))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.admin})
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "cross-origin request refused") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("cross-origin form: %d %s %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// The session survived.
	e.want(e.do("GET", "/api/v1/me", e.admin, nil), 200)
}

// TestWebSSO: with single sign-on configured the sign-in page offers it,
// and the callback lands on the UI's home page, signed in.
func TestWebSSO(t *testing.T) {
	s := newSSO(t, nil)
	s.idp.SetUser(oidctest.User{Subject: "u-7", Email: "sam@example.com", EmailVerified: true, Name: "Sam"})
	resp := s.get(s.step, s.ward.URL+"/login")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `href="/api/v1/oidc/login"`) {
		t.Fatalf("sign-in page: %d, no single sign-on button", resp.StatusCode)
	}
	s.signedIn(s.login())
	resp = s.get(s.step, s.ward.URL+"/")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "sam@example.com") || !strings.Contains(string(body), "Gap finder") {
		t.Errorf("home after single sign-on: %d %.500s", resp.StatusCode, body)
	}
}

// TestWebDisable: an administrator disables a member in the page; the
// member's session stops working at once.
func TestWebDisable(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "pay"}), 201)
	u := e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "m@example.com", "role": "member", "team": "pay", "password": "member password 1"}), 201)
	resp, _ := e.page("POST", "/login", "", url.Values{"email": {"m@example.com"}, "password": {"member password 1"}})
	member := cookie(resp)
	if resp, _ := e.page("GET", "/", member, nil); resp.StatusCode != 200 {
		t.Fatalf("member's home: %d", resp.StatusCode)
	}
	resp, _ = e.page("POST", "/admin/users/"+u["id"].(string), e.admin, url.Values{"action": {"disable"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := e.page("GET", "/", member, nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a disabled member's page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The administrator cannot disable themself from the page either.
	me := e.want(e.do("GET", "/api/v1/me", e.admin, nil), 200)
	resp, body := e.page("POST", "/admin/users/"+me["user_id"].(string), e.admin, url.Values{"action": {"disable"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "your own account") {
		t.Errorf("self-disable: %d %.300s", resp.StatusCode, body)
	}
}

// TestWebInternalErrors: a page that fails (an error, a panic) is an HTML
// 500 showing an id that is in the log with the cause, and not the cause.
func TestWebInternalErrors(t *testing.T) {
	e := newTestEnv(t, envOptions{wrap: func(s store.Store) store.Store { return faultyStore{s} }})
	for _, c := range []struct{ path, inLog string }{
		{"/admin", "hunter2"}, // ListTeams fails
		{"/", "kaboom"},       // ListSystems panics
	} {
		resp, body := e.page("GET", c.path, e.admin, nil)
		id := ""
		if i := strings.Index(body, "Error id <code>"); i >= 0 {
			id, _, _ = strings.Cut(body[i+len("Error id <code>"):], "</code>")
		}
		if resp.StatusCode != 500 || id == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s, want an HTML 500 with an error id\n%.500s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			continue
		}
		if strings.Contains(body, c.inLog) {
			t.Errorf("%s: the page shows the internal error", c.path)
		}
		found := false
		for line := range strings.Lines(e.log.String()) {
			if strings.Contains(line, `"error_id":"`+id+`"`) && strings.Contains(line, c.inLog) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: error id %s with the cause is not in the log", c.path, id)
		}
	}
}

// TestAnswerIsMinimal: answering a question changes one line of the YAML
// and keeps the element's other controls.
func TestAnswerIsMinimal(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront"}), 201)
	files := bundle(t, "../../examples/shop")
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", e.admin, map[string]any{"team": "storefront", "files": files}), 201)
	for _, c := range []struct{ kind, element, key, value string }{
		{"component", "web-frontend", "validates_input", "yes"},     // an existing control changes
		{"component", "web-frontend", "logs_security_events", "no"}, // a new one is added
	} {
		before := e.want(e.do("GET", "/api/v1/systems/larkspur-shop/versions/latest/model", e.admin, nil), 200)["files"].(map[string]any)
		e.want(e.do("PATCH", "/api/v1/systems/larkspur-shop/controls", e.admin, map[string]string{"kind": c.kind, "element": c.element, "key": c.key, "value": c.value}), 201)
		after := e.want(e.do("GET", "/api/v1/systems/larkspur-shop/versions/latest/model", e.admin, nil), 200)["files"].(map[string]any)
		changed := 0
		for name, old := range before {
			for _, l := range modeledit.LineDiff(old.(string), after[name].(string)) {
				if l.Op != ' ' {
					changed++
				}
			}
		}
		if changed == 0 || changed > 2 {
			t.Errorf("%s.%s = %s changed %d lines, want 1 (or 2: one out, one in)", c.element, c.key, c.value, changed)
		}
		if !strings.Contains(after["ward.yaml"].(string), c.key+": "+c.value) {
			t.Errorf("%s: %s: %s is not in the model", c.element, c.key, c.value)
		}
	}
}

// TestAnswerCarries: the question of what a flow carries is answered by a
// list of asset ids, written as the flow's carries list; yes or no, an
// empty list, a malformed id, an asset the model does not have and a
// component are refused, and the question goes away once answered.
func TestAnswerCarries(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "meters"}), 201)
	model := "ward: 1\nsystem: {id: meters, name: Meters}\nassets:\n  - {id: readings}\n  - {id: tariffs, classification: public}\n" +
		"boundaries:\n  - {id: office, trust: partner}\n  - {id: cloud, trust: restricted}\n" +
		"components:\n  - {id: ingest, kind: service, boundary: office}\n  - {id: db, kind: datastore, boundary: cloud, stores: [readings]}\n" +
		"flows:\n  - {id: ingest-db, from: ingest, to: db, protocol: sql}\n"
	e.want(e.do("POST", "/api/v1/systems/meters/versions", e.admin, map[string]any{"team": "meters", "files": map[string]string{"ward.yaml": model}}), 201)
	for _, bad := range []struct {
		kind, value string
		status      int
	}{
		{"flow", "yes", 422},
		{"flow", "", 400},
		{"flow", " , ", 400},
		{"flow", "readings,no such", 400},
		{"component", "readings", 400},
	} {
		resp := e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, map[string]string{"kind": bad.kind, "element": "ingest-db", "key": "carries", "value": bad.value})
		e.want(resp, bad.status)
	}
	e.want(e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, map[string]string{"kind": "flow", "element": "nope", "key": "carries", "value": "readings"}), 404)
	asked := func() bool {
		resp := e.do("GET", "/api/v1/systems/meters/versions/latest", e.admin, nil)
		data, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(data), `"ingest-db.carries"`)
	}
	if !asked() {
		t.Fatal("the question ingest-db.carries is not asked before the answer; the test does not test it")
	}
	e.want(e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, map[string]string{"kind": "flow", "element": "ingest-db", "key": "carries", "value": "readings, tariffs, readings"}), 201)
	if asked() {
		t.Error("the question ingest-db.carries is still asked after the answer")
	}
	out := e.want(e.do("GET", "/api/v1/systems/meters/versions/latest/model", e.admin, nil), 200)
	files, _ := out["files"].(map[string]any)
	if y, _ := files["ward.yaml"].(string); !strings.Contains(y, "carries: [readings, tariffs]") {
		t.Errorf("the answered model does not state what the flow carries:\n%s", y)
	}
}

// TestAnswerNeeds: the question of what an asset needs (kind asset, key
// needs) is answered with the asset's classification, one line of the
// YAML, and the question goes away.
func TestAnswerNeeds(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "meters"}), 201)
	model := "ward: 1\nsystem: {id: meters, name: Meters}\nassets:\n  - id: readings\n    name: Meter readings\n" +
		"components:\n  - {id: ingest, kind: service}\n  - {id: admin, kind: service}\n  - {id: db, kind: datastore, stores: [readings]}\n" +
		"flows:\n  - {from: ingest, to: db}\n  - {from: admin, to: db}\n"
	e.want(e.do("POST", "/api/v1/systems/meters/versions", e.admin, map[string]any{"team": "meters", "files": map[string]string{"ward.yaml": model}}), 201)
	for _, bad := range []map[string]string{
		{"kind": "asset", "element": "readings", "key": "needs", "value": "yes"},
		{"kind": "asset", "element": "readings", "key": "encrypts_at_rest", "value": "internal"},
	} {
		e.want(e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, bad), 400)
	}
	e.want(e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, map[string]string{"kind": "asset", "element": "nope", "key": "needs", "value": "internal"}), 404)
	e.want(e.do("PATCH", "/api/v1/systems/meters/controls", e.admin, map[string]string{"kind": "asset", "element": "readings", "key": "needs", "value": "internal"}), 201)
	after := e.want(e.do("GET", "/api/v1/systems/meters/versions/latest/model", e.admin, nil), 200)["files"].(map[string]any)
	changed := 0
	for _, l := range modeledit.LineDiff(model, after["ward.yaml"].(string)) {
		if l.Op != ' ' {
			changed++
		}
	}
	if changed != 1 || !strings.Contains(after["ward.yaml"].(string), "classification: internal") {
		t.Errorf("answered model changed %d lines, want 1 adding classification: internal:\n%s", changed, after["ward.yaml"])
	}
}
