package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// editorEnv is a server with the shop example pushed by team storefront
// and a member of that team signed in.
func editorEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "m@example.com", "role": "member", "team": "storefront", "password": "a long enough password"}), 201)
	resp := e.do("POST", "/api/v1/login", "", map[string]string{"email": "m@example.com", "password": "a long enough password"})
	e.want(resp, 200)
	member := cookie(resp)
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", member, map[string]any{"main": "ward.yaml", "files": bundle(t, "../../examples/shop")}), 201)
	return e, member
}

func revision(t *testing.T, e *env, auth, system string) float64 {
	t.Helper()
	return e.want(e.do("GET", "/api/v1/systems/"+system, auth, nil), 200)["revision"].(float64)
}

func latestFiles(t *testing.T, e *env, auth, system string) map[string]string {
	t.Helper()
	out := e.want(e.do("GET", "/api/v1/systems/"+system+"/versions/latest/model", auth, nil), 200)
	files := map[string]string{}
	for k, v := range out["files"].(map[string]any) {
		files[k] = v.(string)
	}
	return files
}

// TestEditorYAML: the page, a check that finds a problem at its line, a
// check of the fixed text with findings, a stale save shown as a conflict
// with a diff, and a save that stores a version.
func TestEditorYAML(t *testing.T) {
	e, member := editorEnv(t)
	resp, body := e.page("GET", "/systems/larkspur-shop/edit", member, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="yaml"`) || !strings.Contains(body, "The model is valid") || !strings.Contains(body, "<svg") {
		t.Fatalf("editor page: %d\n%s", resp.StatusCode, truncate([]byte(body)))
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("the editor page has inline styles or scripts")
	}
	rev := revision(t, e, member, "larkspur-shop")
	files := latestFiles(t, e, member, "larkspur-shop")
	orig := files["ward.yaml"]

	// A misspelt kind: the diagnostic carries the file, line and column.
	broken := strings.Replace(orig, "kind: datastore", "kind: databse", 1)
	line := strings.Count(broken[:strings.Index(broken, "kind: databse")], "\n") + 1
	form := url.Values{"file": {"ward.yaml"}, "content": {broken}, "base_revision": {ftoa(rev)}}
	resp, body = e.pageHX("POST", "/systems/larkspur-shop/edit/check", member, form)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-valid="false"`) || !strings.Contains(body, `data-line="`+itoa(line)+`"`) ||
		!strings.Contains(body, "ward.yaml:"+itoa(line)+":") || strings.Contains(body, "<html") {
		t.Fatalf("check of a broken model (want line %d): %d\n%s\n%s", line, resp.StatusCode, body, e.logs)
	}
	// Without htmx, the same check is a whole page with the text kept.
	resp, body = e.page("POST", "/systems/larkspur-shop/edit/check", member, form)
	if resp.StatusCode != 200 || !strings.Contains(body, "<html") || !strings.Contains(body, "kind: databse") {
		t.Fatalf("no-JS check: %d", resp.StatusCode)
	}
	// Fixed, with one more component: valid, findings listed.
	fixed := strings.Replace(orig, "components:\n", "components:\n  - id: audit-log\n    name: Audit log\n    kind: datastore\n", 1)
	form.Set("content", fixed)
	resp, body = e.pageHX("POST", "/systems/larkspur-shop/edit/check", member, form)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-valid="true"`) || !strings.Contains(body, "findings-mini") || !strings.Contains(body, "Unsaved changes") {
		t.Fatalf("check of a valid model: %d\n%s", resp.StatusCode, truncate([]byte(body)))
	}
	// An invalid save is refused with the problems (422), nothing stored.
	form.Set("content", broken)
	resp, body = e.page("POST", "/systems/larkspur-shop/edit", member, form)
	if resp.StatusCode != 422 || !strings.Contains(body, "databse") || revision(t, e, member, "larkspur-shop") != rev {
		t.Fatalf("invalid save: %d", resp.StatusCode)
	}
	// Someone else saves first (a decision through the API).
	other := latestFiles(t, e, member, "larkspur-shop")
	other["ward.yaml"] = strings.Replace(other["ward.yaml"], "name: Larkspur Shop", "name: Larkspur Shop EU", 1)
	e.want(e.do("PUT", "/api/v1/systems/larkspur-shop/model", member, map[string]any{"base_revision": rev, "files": other}), 201)
	// The stale save is shown as a conflict with a diff, not stored.
	form.Set("content", fixed)
	resp, body = e.page("POST", "/systems/larkspur-shop/edit", member, form)
	if resp.StatusCode != 409 || !strings.Contains(body, "Someone saved a newer version") || !strings.Contains(body, `class="del">-  name: Larkspur Shop EU`) ||
		!strings.Contains(body, `class="add">&#43;  - id: audit-log`) {
		t.Fatalf("stale save: %d\n%s", resp.StatusCode, body[strings.Index(body, "<main"):])
	}
	if got := latestFiles(t, e, member, "larkspur-shop")["ward.yaml"]; strings.Contains(got, "audit-log") {
		t.Fatal("a stale save overwrote the newer version")
	}
	// From the newer revision it saves: a new version, back to the system page.
	form.Set("base_revision", ftoa(revision(t, e, member, "larkspur-shop")))
	form.Set("message", "add the audit log")
	resp, _ = e.page("POST", "/systems/larkspur-shop/edit", member, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/larkspur-shop" {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := latestFiles(t, e, member, "larkspur-shop")["ward.yaml"]; got != fixed {
		t.Errorf("saved text differs from what was typed")
	}
	// The included file is editable too; an unknown file is a 404.
	resp, body = e.page("GET", "/systems/larkspur-shop/edit?file=threats.yaml", member, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "credential-stuffing") {
		t.Errorf("editing threats.yaml: %d", resp.StatusCode)
	}
	if resp, _ = e.page("GET", "/systems/larkspur-shop/edit?file=../etc/passwd", member, nil); resp.StatusCode != 404 {
		t.Errorf("unknown file: %d", resp.StatusCode)
	}
}

// TestEditorVisualRoundTrip: structured edits from the visual editor give
// a minimal diff, the graph follows, and a save keeps comments and the
// untouched lines.
func TestEditorVisualRoundTrip(t *testing.T) {
	e, member := editorEnv(t)
	rev := revision(t, e, member, "larkspur-shop")
	orig := latestFiles(t, e, member, "larkspur-shop")
	edits := []map[string]any{
		{"op": "add", "section": "components", "set": map[string]any{"id": "fraud-check", "name": "Fraud check", "kind": "service", "boundary": "prod-vpc"}},
		{"op": "add", "section": "flows", "set": map[string]any{"from": "orders-service", "to": "fraud-check", "protocol": "grpc", "carries": []string{"orders"}}},
		{"op": "add", "section": "layout", "set": map[string]any{"id": "fraud-check", "x": 400, "y": 120}},
	}
	out := e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"edits": edits}), 200)
	if out["valid"] != true {
		t.Fatalf("preview: %v", out["diagnostics"])
	}
	diff := out["diff"].([]any)
	if len(diff) != 1 || diff[0].(map[string]any)["file"] != "ward.yaml" {
		t.Fatalf("diff: %v", diff)
	}
	d := diff[0].(map[string]any)
	if d["removed"].(float64) != 0 || d["added"].(float64) > 16 {
		t.Errorf("not a minimal diff (+%v -%v):\n%s", d["added"], d["removed"], d["unified"])
	}
	g := out["graph"].(map[string]any)
	var found bool
	for _, c := range g["components"].([]any) {
		c := c.(map[string]any)
		if c["id"] == "fraud-check" {
			found = c["place"].(map[string]any)["x"].(float64) == 400 && c["boundary"] == "prod-vpc"
		}
	}
	if !found {
		t.Error("the graph does not have the new component at its place")
	}
	files := map[string]string{}
	for k, v := range out["files"].(map[string]any) {
		files[k] = v.(string)
	}
	// Saved from the opened revision: stored; the YAML keeps its comments.
	e.want(e.do("PUT", "/api/v1/systems/larkspur-shop/model", member, map[string]any{"base_revision": rev, "files": files}), 201)
	got := latestFiles(t, e, member, "larkspur-shop")
	if !strings.Contains(got["ward.yaml"], "# Threat model for Larkspur Shop") || !strings.Contains(got["ward.yaml"], "- {id: fraud-check, x: 400, y: 120}") {
		t.Errorf("saved model lost its comments or layout:\n%s", got["ward.yaml"])
	}
	if got["threats.yaml"] != orig["threats.yaml"] {
		t.Error("an untouched file changed")
	}
	// The same save again is stale.
	resp := e.do("PUT", "/api/v1/systems/larkspur-shop/model", member, map[string]any{"base_revision": rev, "files": files})
	body := e.want(resp, 409)
	if det, _ := body["error"].(map[string]any)["details"].(map[string]any); det == nil || det["revision"] == nil {
		t.Errorf("conflict without details: %v", body)
	}
	// Bad edits are refused with a reason, nothing stored.
	for _, bad := range []map[string]any{
		{"op": "delete", "section": "components", "id": "no-such"},
		{"op": "add", "section": "components", "set": map[string]any{"id": "api-gateway", "kind": "service"}},
	} {
		e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"edits": []any{bad}}), 422)
	}
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"edits": []any{map[string]any{"op": "paint"}}}), 400)
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"files": map[string]string{"new.yaml": "x: 1"}}), 400)
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"files": map[string]string{"ward.yaml": strings.Repeat("#", 3<<20)}}), 413)
	// The draw page loads its script and styles from this server only.
	r, page := e.page("GET", "/systems/larkspur-shop/draw", member, nil)
	if r.StatusCode != 200 || !strings.Contains(page, "vendor/x6.min.js") || !strings.Contains(page, "editor-draw.js") || strings.Contains(page, "style=") {
		t.Errorf("draw page: %d", r.StatusCode)
	}
}

// TestNewSystem creates systems from a template, from init's questions and
// from another tool's file, and refuses what is wrong.
func TestNewSystem(t *testing.T) {
	e, member := editorEnv(t)
	resp, body := e.page("GET", "/systems/new", member, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Event pipeline") || !strings.Contains(body, `value="storefront"`) {
		t.Fatalf("new system page: %d", resp.StatusCode)
	}
	resp, body = e.page("GET", "/systems/new?from=questions", member, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Is any part of the system reachable from the internet?") {
		t.Fatalf("questions page: %d", resp.StatusCode)
	}
	// From a template.
	resp, _ = e.page("POST", "/systems/new", member, url.Values{"from": {"template"}, "team": {"storefront"}, "id": {"chat-helper"}, "name": {"Chat: helper #1"}, "template": {"llm-feature"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/chat-helper/edit" {
		t.Fatalf("from template: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if m := latestFiles(t, e, member, "chat-helper")["ward.yaml"]; !strings.Contains(m, `name: "Chat: helper #1"`) || !strings.Contains(m, "kind: llm") {
		t.Errorf("template model:\n%s", m)
	}
	// The same id again: refused, the form comes back.
	resp, body = e.page("POST", "/systems/new", member, url.Values{"from": {"template"}, "team": {"storefront"}, "id": {"chat-helper"}, "template": {"web-app"}})
	if resp.StatusCode != 409 || !strings.Contains(body, "already exists") {
		t.Errorf("duplicate id: %d", resp.StatusCode)
	}
	// From the questions.
	resp, _ = e.page("POST", "/systems/new", member, url.Values{"from": {"questions"}, "team": {"storefront"}, "id": {"ledger"},
		"internet_facing": {"yes"}, "paved_path": {"no"}, "auth_changes": {"unknown"}, "sensitive_data": {"financial", "pii"},
		"new_third_parties": {"Stripe"}, "criticality": {"high"}, "kinds": {"client", "service", "datastore", "queue"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("from questions: %d", resp.StatusCode)
	}
	m := latestFiles(t, e, member, "ledger")["ward.yaml"]
	for _, want := range []string{"internet_facing: yes", "sensitive_data: [financial, pii]", "kind: queue", "Stripe", "criticality: high", "team: storefront"} {
		if !strings.Contains(m, want) {
			t.Errorf("questions model lacks %q:\n%s", want, m)
		}
	}
	// "None of these" answers none; nothing checked leaves it unknown.
	for id, form := range map[string]url.Values{"none-data": {"sensitive_none": {"yes"}}, "unknown-data": {}} {
		form.Set("from", "questions")
		form.Set("team", "storefront")
		form.Set("id", id)
		if resp, _ := e.page("POST", "/systems/new", member, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", id, resp.StatusCode)
		}
	}
	if m := latestFiles(t, e, member, "none-data")["ward.yaml"]; !strings.Contains(m, "  sensitive_data: []") {
		t.Errorf("none of these: %s", m)
	}
	if m := latestFiles(t, e, member, "unknown-data")["ward.yaml"]; !strings.Contains(m, "  # sensitive_data: [pii]") {
		t.Errorf("nothing checked: %s", m)
	}
	// A bad id and a team the member is not in are refused.
	if resp, _ = e.page("POST", "/systems/new", member, url.Values{"from": {"template"}, "team": {"storefront"}, "id": {"no spaces"}, "template": {"web-app"}}); resp.StatusCode != 400 {
		t.Errorf("bad id: %d", resp.StatusCode)
	}
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "other"}), 201)
	if resp, _ = e.page("POST", "/systems/new", member, url.Values{"from": {"template"}, "team": {"other"}, "id": {"sneaky"}, "template": {"web-app"}}); resp.StatusCode != 403 {
		t.Errorf("other team: %d", resp.StatusCode)
	}
	// Imported from another tool's file (multipart upload), format detected.
	data, err := os.ReadFile("../../internal/interop/threatdragon/testdata/corpus/demo-threat-model.json")
	if err != nil {
		t.Skip("no Threat Dragon fixture:", err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"from": "import", "team": "storefront", "id": "dragon-demo"} {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "demo-threat-model.json")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", e.srv.URL+"/systems/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: member})
	r, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", r.StatusCode, truncate(out))
	}
	if m := latestFiles(t, e, member, "dragon-demo")["ward.yaml"]; !strings.Contains(m, "components:") {
		t.Errorf("imported model:\n%s", m)
	}
	// The same through the JSON API.
	out2 := e.want(e.do("POST", "/api/v1/systems", member, map[string]any{"from": "template", "team": "storefront", "id": "pipe", "template": "event-pipeline"}), 201)
	if out2["system"] != "pipe" || out2["version"].(float64) != 1 {
		t.Errorf("API create: %v", out2)
	}
	raw, _ := json.Marshal(out2)
	if !bytes.Contains(raw, []byte(`"summary"`)) {
		t.Error("API create without a summary")
	}
}

// pageHX is page as htmx (or the editor's script) sends it.
func (e *env) pageHX(method, path, auth string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	resp, err := noFollow.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func ftoa(f float64) string { return strconv.Itoa(int(f)) }

func itoa(i int) string { return strconv.Itoa(i) }

// BenchmarkEditorPreview measures what one pause in typing costs: a check
// of the shop example with a visual edit (loader, rules, risk, graph, diff)
// over HTTP on SQLite, with and without the diagram.
func BenchmarkEditorPreview(b *testing.B) {
	st, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// Without the rate limits: this measures the work, not the limits.
	s := server.New(server.Config{SetupToken: setupToken, Version: "bench", PreviewsPerMinute: 1 << 30, PreviewsBurst: 1 << 30,
		AnalysesPerMinute: 1 << 30, AnalysesBurst: 1 << 30}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s)
	defer srv.Close()
	call := func(method, path, auth string, body any) (int, []byte) {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(b.Context(), method, srv.URL+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		for _, c := range resp.Cookies() {
			if c.Name == server.SessionCookie {
				return resp.StatusCode, []byte(c.Value)
			}
		}
		return resp.StatusCode, out
	}
	_, admin := call("POST", "/api/v1/setup", "", map[string]string{"token": setupToken, "email": "admin@example.com", "password": "correct horse battery"})
	call("POST", "/api/v1/teams", string(admin), map[string]string{"id": "storefront"})
	files := map[string]string{}
	for _, n := range []string{"ward.yaml", "threats.yaml"} {
		data, err := os.ReadFile("../../examples/shop/" + n)
		if err != nil {
			b.Fatal(err)
		}
		files[n] = string(data)
	}
	call("POST", "/api/v1/systems/larkspur-shop/versions", string(admin), map[string]any{"team": "storefront", "files": files})
	edits := []map[string]any{
		{"op": "add", "section": "components", "set": map[string]any{"id": "fraud-check", "kind": "service", "boundary": "prod-vpc"}},
		{"op": "add", "section": "flows", "set": map[string]any{"from": "orders-service", "to": "fraud-check", "protocol": "grpc"}},
	}
	for _, svg := range []bool{false, true} {
		b.Run(map[bool]string{false: "graph", true: "graph+svg"}[svg], func(b *testing.B) {
			for b.Loop() {
				call("POST", "/api/v1/systems/larkspur-shop/preview", string(admin), map[string]any{"edits": edits, "svg": svg})
			}
		})
	}
	// The editor page itself: the latest version checked, with its diagram.
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), "GET", srv.URL+"/systems/larkspur-shop/edit", nil)
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: string(admin)})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("editor page: %d", resp.StatusCode)
			}
		}
	})
}

// TestEditorEditsFollowIncludes: in a model split across files, an edit
// goes to the file that holds its item (or its section), and layout to the
// main file.
func TestEditorEditsFollowIncludes(t *testing.T) {
	e, member := editorEnv(t)
	files := map[string]string{
		"ward.yaml":  "ward: 1\ninclude: [parts.yaml]\nsystem:\n  id: split\n  name: Split\n  team: storefront\n",
		"parts.yaml": "ward: 1\n# The parts.\ncomponents:\n  - id: api\n    kind: service\n  - id: db\n    kind: datastore\nflows:\n  - from: api\n    to: db\n",
	}
	e.want(e.do("POST", "/api/v1/systems/split/versions", member, map[string]any{"team": "storefront", "files": files}), 201)
	edits := []map[string]any{
		{"op": "update", "section": "components", "id": "db", "set": map[string]any{"tech": "PostgreSQL"}},
		{"op": "add", "section": "components", "set": map[string]any{"id": "cache", "kind": "datastore"}},
		{"op": "add", "section": "layout", "set": map[string]any{"id": "cache", "x": 10, "y": 20}},
		{"op": "delete", "section": "flows", "id": "api-to-db"},
	}
	out := e.want(e.do("POST", "/api/v1/systems/split/preview", member, map[string]any{"edits": edits}), 200)
	if out["valid"] != true {
		t.Fatalf("preview: %v", out["diagnostics"])
	}
	got := out["files"].(map[string]any)
	wantParts := "ward: 1\n# The parts.\ncomponents:\n  - id: api\n    kind: service\n  - id: db\n    kind: datastore\n    tech: PostgreSQL\n  - id: cache\n    kind: datastore\nflows: []\n"
	if got["parts.yaml"] != wantParts {
		t.Errorf("parts.yaml:\n%s\nwant:\n%s", got["parts.yaml"], wantParts)
	}
	if m := got["ward.yaml"].(string); !strings.HasSuffix(m, "\nlayout:\n  - {id: cache, x: 10, y: 20}\n") || !strings.HasPrefix(m, files["ward.yaml"]) {
		t.Errorf("ward.yaml:\n%s", m)
	}
}

// TestEditorPreviewRate: checks as you type are not held to the rate of
// pushes (burst 10): a burst of 20 passes, then the preview limit answers
// 429 with Retry-After long before a script could swamp the server.
func TestEditorPreviewRate(t *testing.T) {
	e, member := editorEnv(t)
	e.want(e.do("POST", "/api/v1/systems", member, map[string]any{"from": "template", "template": "event-pipeline", "team": "storefront", "id": "tiny"}), 201)
	for i := range 20 {
		if resp := e.do("POST", "/api/v1/systems/tiny/preview", member, map[string]any{}); resp.StatusCode != 200 {
			t.Fatalf("preview %d: %d", i+1, resp.StatusCode)
		}
	}
	var limited *http.Response
	for range 100 {
		if resp := e.do("POST", "/api/v1/systems/tiny/preview", member, map[string]any{}); resp.StatusCode == http.StatusTooManyRequests {
			limited = resp
			break
		}
	}
	if limited == nil || limited.Header.Get("Retry-After") == "" {
		t.Fatal("previews are not rate-limited")
	}
}

// TestEditorStatedKind: for a component whose kind Ward guessed from its
// name, the editor's data carries the kind the model states (what the Kind
// box shows and writes) beside Ward's reading; an edit that does not touch
// the kind never writes the guess, and picking the guess states it.
func TestEditorStatedKind(t *testing.T) {
	e, member := editorEnv(t)
	add := map[string]any{"op": "add", "section": "components", "set": map[string]any{"id": "orders-archive", "name": "Orders database", "kind": "service", "boundary": "prod-vpc"}}
	preview := func(edits ...map[string]any) (map[string]any, string) {
		t.Helper()
		out := e.want(e.do("POST", "/api/v1/systems/larkspur-shop/preview", member, map[string]any{"edits": edits}), 200)
		if out["valid"] != true {
			t.Fatalf("preview: %v", out["diagnostics"])
		}
		for _, c := range out["graph"].(map[string]any)["components"].([]any) {
			if c := c.(map[string]any); c["id"] == "orders-archive" {
				return c, out["files"].(map[string]any)["ward.yaml"].(string)
			}
		}
		t.Fatal("no orders-archive in the graph")
		return nil, ""
	}
	c, _ := preview(add)
	if c["stated_kind"] != "service" || c["kind"] != "datastore" || !strings.Contains(jsonOf(c["inferred"]), `"kind"`) {
		t.Errorf("guessed kind: stated_kind %v, kind %v, inferred %v; want service, datastore, [kind]", c["stated_kind"], c["kind"], c["inferred"])
	}
	block := func(y string) string {
		i := strings.Index(y, "- id: orders-archive")
		if i < 0 {
			t.Fatalf("no orders-archive in ward.yaml:\n%s", y)
		}
		j := strings.Index(y[i+1:], "- ")
		if j < 0 {
			return y[i:]
		}
		return y[i : i+1+j]
	}
	// Another field edited: the model still states service.
	_, y := preview(add, map[string]any{"op": "update", "section": "components", "id": "orders-archive", "set": map[string]any{"tech": "postgres"}})
	if b := block(y); !strings.Contains(b, "kind: service") || strings.Contains(b, "datastore") {
		t.Errorf("an edit that did not touch the kind wrote the guess:\n%s", b)
	}
	// The guess picked in the box: stated, no longer inferred.
	c, y = preview(add, map[string]any{"op": "update", "section": "components", "id": "orders-archive", "set": map[string]any{"kind": "datastore"}})
	if b := block(y); !strings.Contains(b, "kind: datastore") || c["stated_kind"] != "datastore" || c["inferred"] != nil {
		t.Errorf("picked kind: stated_kind %v, inferred %v\n%s", c["stated_kind"], c["inferred"], b)
	}
	// A stated kind is its own reading.
	c, _ = preview(add, map[string]any{"op": "update", "section": "components", "id": "orders-archive", "set": map[string]any{"kind": "queue"}})
	if c["stated_kind"] != "queue" || c["kind"] != "queue" {
		t.Errorf("stated queue: stated_kind %v, kind %v", c["stated_kind"], c["kind"])
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
