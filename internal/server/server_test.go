package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// env is a server on a fresh SQLite store, with helpers to call it.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	logs  *bytes.Buffer
	admin string // session cookie value
}

const setupToken = "setup-secret-for-tests"

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvAt(t, filepath.Join(t.TempDir(), "ward.db"))
}

// newEnvAt is newEnv on the store at dsn (a SQLite file or a PostgreSQL URL).
// envHandOver sets Config.HandOver on the servers newEnvAt makes (a test
// that sets it must not run in parallel).
var envHandOver bool

// envYieldWrites sets Config.YieldWrites the same way.
var envYieldWrites bool

func newEnvAt(t *testing.T, dsn string) *env {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &bytes.Buffer{}
	s := server.New(server.Config{SetupToken: setupToken, Version: "test", Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20, HandOver: envHandOver, YieldWrites: envYieldWrites},
		st, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, logs: logs}
	resp := e.do("POST", "/api/v1/setup", "", map[string]string{"token": setupToken, "email": "admin@example.com", "name": "Ada", "password": "correct horse battery"})
	e.want(resp, 200)
	e.admin = cookie(resp)
	return e
}

func cookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// do sends a request; auth is a session cookie value or "Bearer ...".
func (e *env) do(method, path, auth string, body any) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		req.Header.Set("Authorization", auth)
	case auth != "":
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) want(resp *http.Response, status int) map[string]any {
	e.t.Helper()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, data)
	}
	return out
}

func bundle(t testing.TB, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPushQueryDecide drives the API as a team would: a token pushes the
// shop example, findings are queried across the organisation, a decision
// is taken through the API and pulled back as YAML.
func TestPushQueryDecide(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	tok := e.want(e.do("POST", "/api/v1/tokens", e.admin, map[string]string{"name": "ci", "team": "storefront"}), 201)
	bearer := "Bearer " + tok["token"].(string)

	files := bundle(t, "../../examples/shop")
	push := map[string]any{"message": "first", "main": "ward.yaml", "files": files}
	out := e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", bearer, push), 201)
	if out["version"].(float64) != 1 || out["created"] != true {
		t.Fatalf("first push: %v", out)
	}
	// Unchanged: a no-op.
	out = e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", bearer, push), 200)
	if out["version"].(float64) != 1 || out["created"] != false {
		t.Fatalf("unchanged push: %v", out)
	}
	// Pushed to the wrong system id: refused.
	e.want(e.do("POST", "/api/v1/systems/other/versions", bearer, push), 400)

	list := e.want(e.do("GET", "/api/v1/findings?severity=high&status=open", e.admin, nil), 200)
	if list["total"].(float64) < 1 {
		t.Fatalf("no open high findings: %v", list)
	}
	// Unverified threats (controls the model leaves unknown) are stored
	// with their own status and queried apart from open ones.
	unv := e.want(e.do("GET", "/api/v1/findings?system=larkspur-shop&status=unverified", e.admin, nil), 200)
	if unv["total"].(float64) < 1 || unv["items"].([]any)[0].(map[string]any)["status"] != "unverified" {
		t.Fatalf("no unverified threats stored: %v", unv["total"])
	}
	first := list["items"].([]any)[0].(map[string]any)
	id := first["id"].(string)
	if !strings.Contains(id, ":") {
		t.Fatalf("expected a generated finding first, got %s", id)
	}
	sys := e.want(e.do("GET", "/api/v1/systems/larkspur-shop", bearer, nil), 200)
	rev := sys["revision"].(float64)
	decision := map[string]any{"finding": id, "status": "accepted", "reason": "compensating control at the edge", "owner": "dana", "expires": "2027-02-01", "base_revision": rev}
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/decisions", bearer, decision), 201)
	// The same stale revision again: 409, nothing overwritten.
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/decisions", bearer, decision), 409)

	model := e.want(e.do("GET", "/api/v1/systems/larkspur-shop/versions/latest/model", bearer, nil), 200)
	// The decision goes with the others (threats.yaml).
	if model["version"].(float64) != 2 || !strings.Contains(model["files"].(map[string]any)["threats.yaml"].(string), "finding: "+id) {
		t.Fatalf("the decision is not in the pulled model: %v", model["version"])
	}
	after := e.want(e.do("GET", "/api/v1/findings?system=larkspur-shop&status=accepted", e.admin, nil), 200)
	found := false
	for _, it := range after["items"].([]any) {
		if it.(map[string]any)["id"] == id {
			found = true
		}
	}
	if !found {
		t.Errorf("finding %s is not accepted after the decision", id)
	}
	d := e.want(e.do("GET", "/api/v1/systems/larkspur-shop/diff", bearer, nil), 200)
	if d["schema"] != "ward.diff/v1" {
		t.Errorf("diff: %v", d["schema"])
	}
	// Model contents never reach the log.
	if strings.Contains(e.logs.String(), "Larkspur") || strings.Contains(e.logs.String(), tok["token"].(string)) {
		t.Error("the log contains model contents or a token")
	}
}

func TestErrorsAndHeaders(t *testing.T) {
	e := newEnv(t)
	resp := e.do("GET", "/api/v1/nope", e.admin, nil)
	body := e.want(resp, 404)
	if body["error"].(map[string]any)["code"] != "not_found" {
		t.Errorf("404 body: %v", body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "X-Request-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	e.want(e.do("GET", "/api/v1/me", "", nil), 401)
	e.want(e.do("GET", "/api/v1/me", "Bearer ward_nope", nil), 401)
	// Cross-site state change refused.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/teams", strings.NewReader(`{"id":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.admin})
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	e.want(r2, 403)
	// Malformed JSON and unknown fields.
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]any{"id": "x", "bogus": 1}), 400)
	// Setup can only happen once.
	e.want(e.do("POST", "/api/v1/setup", "", map[string]string{"token": setupToken, "email": "b@example.com", "password": "another long password"}), 410)
}

func TestLoginThrottling(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.want(e.do("POST", "/api/v1/login", "", map[string]string{"email": "admin@example.com", "password": "wrong password!!"}), 401)
	}
	resp := e.do("POST", "/api/v1/login", "", map[string]string{"email": "admin@example.com", "password": "correct horse battery"})
	e.want(resp, 429)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	doc := e.want(e.do("GET", "/api/v1/openapi.json", "", nil), 200)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v", doc["openapi"])
	}
	var documented []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)
	got := server.Routes()
	slices.Sort(got)
	if !slices.Equal(documented, got) {
		t.Errorf("OpenAPI paths and routes differ:\ndocumented %v\nroutes     %v", documented, got)
	}
}

// TestDecisionInIncludedFile: a decision on a finding already decided in an
// included file replaces that decision rather than adding a second one.
func TestDecisionInIncludedFile(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	files := bundle(t, "../../examples/shop")
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", e.admin, map[string]any{"team": "storefront", "files": files}), 201)
	// threats.yaml decides no-rate-limiting:web-frontend (accepted); take a new decision on it.
	d := map[string]any{"finding": "no-rate-limiting:web-frontend", "status": "false_positive", "reason": "the CDN rate-limits"}
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/decisions", e.admin, d), 201)
	model := e.want(e.do("GET", "/api/v1/systems/larkspur-shop/versions/latest/model", e.admin, nil), 200)
	fs := model["files"].(map[string]any)
	n := strings.Count(fs["ward.yaml"].(string)+fs["threats.yaml"].(string), "finding: no-rate-limiting:web-frontend")
	if n != 1 {
		t.Errorf("the finding is decided %d times across the files, want once", n)
	}
}
