package server_test

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// consoleProblems collects what the page reports: script exceptions and
// refusals by the Content-Security-Policy.
type consoleProblems struct {
	mu   sync.Mutex
	list []string
}

func (c *consoleProblems) listen(b *browser) {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError && strings.HasSuffix(m.URL, "/favicon.ico") {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") {
				c.mu.Lock()
				c.list = append(c.list, string(m.Type)+": "+m.Text+" ("+m.URL+")")
				c.mu.Unlock()
			}
		}
	}()
}

// ignore drops the expected messages that contain sub.
func (c *consoleProblems) ignore(sub string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.list[:0]
	for _, m := range c.list {
		if !strings.Contains(m, sub) {
			kept = append(kept, m)
		}
	}
	c.list = kept
}

func (c *consoleProblems) check(t *testing.T, where string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.list {
		// A refused <style> is X6's own CSS insertion for its plugins,
		// which the editor does not use; anything else is a failure.
		t.Errorf("%s: %s", where, m)
	}
	c.list = nil
}

// wait polls a JavaScript condition until it is true.
func (b *browser) wait(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.fail(errorString("timed out waiting for " + cond))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

type drawSnapshot struct {
	Nodes []struct {
		ID   string `json:"id"`
		X, Y int
	} `json:"nodes"`
	Edges []struct {
		ID     string `json:"id"`
		Source string `json:"source"`
		Target string `json:"target"`
	} `json:"edges"`
}

func (b *browser) drawSnapshot() drawSnapshot {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[drawSnapshot](`window.wardDraw.snapshot()`))
	if err != nil {
		b.fail(err)
	}
	return s
}

// TestBrowserEditor: a member creates a system from a template, edits its
// YAML and sees a problem next to its line, fixes it and sees the findings
// update, saves; then draws a component and a flow in the visual editor,
// saves, finds them in the YAML, and after a reload sees the same drawing.
func TestBrowserEditor(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test (about 10–20 s): run without -short")
	}
	const token = "editor-setup-token"
	b := newBrowser(t, token)
	var problems consoleProblems
	problems.listen(b)

	status, out := b.api("POST", "/api/v1/setup", "", map[string]string{"token": token, "email": "ada@example.com", "password": "correct horse battery"})
	if status != 200 {
		t.Fatalf("setup: %d %v", status, out)
	}
	// The setup answer sets the cookie on the API client, not the browser:
	// sign in through the API to get the administrator's session.
	admin := b.login("ada@example.com", "correct horse battery")
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/teams", map[string]string{"id": "payments", "name": "Payments"}},
		{"/api/v1/users", map[string]string{"email": "mia@example.com", "name": "Mia Member", "role": "member", "team": "payments", "password": "member password 1"}},
	} {
		if status, out := b.api("POST", c.path, admin, c.body); status != 201 {
			t.Fatalf("seed %s: %d %v", c.path, status, out)
		}
	}

	// A new system from a template.
	b.signIn("mia@example.com", "member password 1")
	member := b.sessionCookie()
	b.open("/systems")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/systems/new"]`)), chromedp.WaitVisible(chromedp.ID("from-template")))
	b.screenshot("editor-new-system")
	b.checkAccessible("new system")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/systems/new?from=questions"]`)), chromedp.WaitVisible(chromedp.ID("from-questions")))
	b.screenshot("editor-new-questions")
	b.checkAccessible("new system from questions")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/systems/new?from=template"]`)), chromedp.WaitVisible(chromedp.ID("from-template")))
	b.do(chromedp.SendKeys(chromedp.CSS(`#from-template input[name=id]`), "checkout"),
		chromedp.SendKeys(chromedp.CSS(`#from-template input[name=name]`), "Checkout"),
		chromedp.Click(chromedp.CSS(`#from-template button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("yaml")))
	if got := b.text("#flash"); !strings.Contains(got, "Created checkout") {
		t.Errorf("after creating, the flash says %q", got)
	}
	b.wait(`document.querySelector('#check-result[data-valid="true"]') !== null`)
	before := b.text("#live")
	problems.check(t, "new system and editor page")

	// A flow to a component that does not exist: the problem appears next
	// to its line, with file:line:col in the list.
	b.do(chromedp.Evaluate[chromedp.Void](`(function(){var t=document.getElementById('yaml'); t.focus(); t.setSelectionRange(t.value.length, t.value.length); t.scrollTop = t.scrollHeight;})()`))
	b.do(chromedp.SendKeys(chromedp.ID("yaml"), "  - from: api\n    protocol: http\n    encryption: none\n    carries: [credentials]\n    to: browsr"))
	b.wait(`document.querySelector('#check-result[data-valid="false"]') !== null && document.querySelector('.code .ln.has-error') !== null`)
	diag := b.text("#diagnostics li.diag")
	if !strings.Contains(diag, "ward.yaml:") || !strings.Contains(diag, "browsr") {
		t.Errorf("diagnostic %q", diag)
	}
	if inline := b.text(".code .ln.has-error .msg"); !strings.Contains(inline, "browsr") {
		t.Errorf("inline message %q", inline)
	}
	if !b.exists("#live.stale") {
		t.Error("the findings of the last valid model are not marked as such")
	}
	b.screenshot("editor-yaml-problem")
	b.checkAccessible("YAML editor")

	// Fixed: valid again, and the findings follow the new flow.
	b.do(chromedp.SendKeys(chromedp.ID("yaml"), strings.Repeat(kb.Backspace, len("browsr"))+"browser"))
	b.wait(`document.querySelector('#check-result[data-valid="true"]') !== null && document.querySelector('#live[data-fresh="true"]') !== null && !document.querySelector('.code .ln')`)
	after := b.text("#live")
	if openCount(t, after) <= openCount(t, before) {
		t.Errorf("no new open finding for a flow sending credentials unencrypted:\nbefore: %s\nafter: %s", before, after)
	}
	b.screenshot("editor-yaml-fixed")
	b.do(chromedp.SendKeys(chromedp.CSS(`#yaml-editor input[name=message]`), "the API calls back the browser"),
		chromedp.Click(chromedp.ID("save")))
	b.wait(`location.pathname === '/systems/checkout' && document.querySelector('#flash .flash-ok') !== null`)
	if got := b.text("#flash"); !strings.Contains(got, "Saved version 2") {
		t.Errorf("after saving the flash says %q", got)
	}
	if _, m := b.api("GET", "/api/v1/systems/checkout/versions/latest/model", member, nil); !strings.Contains(m["files"].(map[string]any)["ward.yaml"].(string), "to: browser") {
		t.Error("the saved model lacks the new flow")
	}
	problems.check(t, "YAML editor")

	// The visual editor, from the system page: the drawing is built from
	// the model.
	b.do(chromedp.Click(chromedp.CSS(`a[href="/systems/checkout/draw"]`)), chromedp.WaitVisible(chromedp.ID("canvas")))
	b.wait(`window.wardDraw && window.wardDraw.ready`)
	first := b.drawSnapshot()
	if len(first.Nodes) != 6 || len(first.Edges) != 4 { // 4 components, 2 boundaries; 4 flows
		t.Errorf("drawing of the model: %d nodes, %d edges", len(first.Nodes), len(first.Edges))
	}
	b.screenshot("editor-draw")
	// Draw a component, then a flow from it to the API.
	b.do(chromedp.Click(chromedp.ID("add-component")))
	b.wait(`document.querySelector('g[data-cell-id="c:component-1"]') !== null && !window.wardDraw.state().busy`)
	// Named "Orders database", the stated service is read as a datastore:
	// the Kind box shows the stated kind with Ward's reading as a hint.
	b.do(chromedp.SetValue(chromedp.CSS(`#props input[name=name]`), "Orders database"))
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#props input[name=name]').dispatchEvent(new Event('change'))`))
	b.wait(`!window.wardDraw.state().busy && document.querySelector('#draw-diff').textContent.includes('name: Orders database')`)
	kindBox, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(function(){var s=document.querySelector('#props select[name=kind]'); return s.value + '|' + s.options[s.selectedIndex].textContent;})()`))
	if err != nil {
		b.fail(err)
	}
	if kindBox != "service|service (Ward reads: datastore)" {
		t.Errorf("the Kind box of a guessed kind shows %q, want the stated service with the guess as a hint", kindBox)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`#props select[name=kind]`), "queue"))
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#props select[name=kind]').dispatchEvent(new Event('change'))`))
	b.wait(`!window.wardDraw.state().busy && document.querySelector('#draw-diff').textContent.includes('kind: queue')`)
	b.do(chromedp.Click(chromedp.ID("add-flow")),
		chromedp.Click(chromedp.CSS(`g[data-cell-id="c:component-1"]`)),
		chromedp.Click(chromedp.CSS(`g[data-cell-id="c:api"]`)))
	b.wait(`document.querySelector('g[data-cell-id="f:component-1-to-api"]') !== null && !window.wardDraw.state().busy`)
	b.screenshot("editor-draw-edited")
	b.checkAccessible("visual editor")
	d, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('draw-diff').textContent`))
	if err != nil {
		b.fail(err)
	}
	if !strings.Contains(d, "+  - id: component-1") || !strings.Contains(d, "+  - from: component-1") || strings.Contains(d, "\n-") {
		t.Errorf("the YAML diff is not minimal:\n%s", d)
	}
	// A new asset, carried by the selected flow, from the side panel.
	b.do(chromedp.SendKeys(chromedp.CSS(`#props input[name="new-asset-carries"]`), "order-events"),
		chromedp.Click(chromedp.CSS(`#props input[name="new-asset-carries"] + button`)))
	b.wait(`!window.wardDraw.state().busy && document.querySelector('#draw-diff').textContent.includes('carries: [order-events]')`)
	// Drag the new component into the Production boundary: it moves there
	// in the model too.
	type box struct{ X, Y, W, H float64 }
	rect := func(sel string) box {
		r, err := chromedp.Run(b.ctx, chromedp.Evaluate[box](`(function(){var r=document.querySelector(`+jsString(sel)+`).getBoundingClientRect(); return {X:r.x,Y:r.y,W:r.width,H:r.height};})()`))
		if err != nil {
			b.fail(err)
		}
		return r
	}
	from, to := rect(`g[data-cell-id="c:component-1"]`), rect(`g[data-cell-id="b:production"]`)
	b.do(chromedp.DragAndDropXY(from.X+from.W/2, from.Y+from.H/2, to.X+to.W/2, to.Y+to.H-12, 12))
	b.wait(`!window.wardDraw.state().busy && document.querySelector('#draw-diff').textContent.includes('boundary: production')`)
	time.Sleep(500 * time.Millisecond)
	b.screenshot("editor-draw-moved")
	b.do(chromedp.Click(chromedp.ID("save")))
	b.wait(`document.getElementById('draw-status').textContent.includes('Saved version 3')`)
	drawn := b.drawSnapshot()
	_, m := b.api("GET", "/api/v1/systems/checkout/versions/latest/model", member, nil)
	yaml := m["files"].(map[string]any)["ward.yaml"].(string)
	for _, want := range []string{"  - id: component-1\n    name: Orders database\n    kind: queue\n    boundary: production\n", "  - from: component-1\n    to: api\n    protocol: https\n    carries: [order-events]\n", "  - id: order-events\n    kind: data\n", "\nlayout:\n", "  - {id: component-1, "} {
		if !strings.Contains(yaml, want) {
			t.Errorf("the saved YAML lacks %q:\n%s", want, yaml)
		}
	}
	// Reload: the same drawing.
	b.open("/systems/checkout/draw")
	b.wait(`window.wardDraw && window.wardDraw.ready`)
	if again := b.drawSnapshot(); !reflect.DeepEqual(drawn, again) {
		t.Errorf("after a reload the drawing differs:\nbefore %+v\nafter  %+v", drawn, again)
	}
	b.screenshot("editor-draw-reloaded")

	// Someone else saves a newer version: the drawing's save is refused
	// with the difference shown, and nothing is overwritten.
	_, m = b.api("GET", "/api/v1/systems/checkout/versions/latest/model", member, nil)
	newer := strings.Replace(m["files"].(map[string]any)["ward.yaml"].(string), "name: Checkout", "name: Checkout EU", 1)
	_, sys := b.api("GET", "/api/v1/systems/checkout", member, nil)
	if status, out := b.api("PUT", "/api/v1/systems/checkout/model", member, map[string]any{"base_revision": sys["revision"], "files": map[string]string{"ward.yaml": newer}}); status != 201 {
		t.Fatalf("the other save: %d %v", status, out)
	}
	b.do(chromedp.Click(chromedp.ID("add-component")))
	b.wait(`document.querySelector('g[data-cell-id="c:component-2"]') !== null && !window.wardDraw.state().busy`)
	b.do(chromedp.Click(chromedp.ID("save")))
	b.wait(`document.getElementById('draw-status').textContent.includes('someone saved a newer version')`)
	if d, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('draw-diff').textContent`)); !strings.Contains(d, "-  name: Checkout EU") {
		t.Errorf("the conflict does not show the newer version's change:\n%s", d)
	}
	b.screenshot("editor-draw-conflict")
	problems.ignore("status of 409 (Conflict)") // the refused save, as expected
	if _, m := b.api("GET", "/api/v1/systems/checkout/versions/latest/model", member, nil); strings.Contains(m["files"].(map[string]any)["ward.yaml"].(string), "component-2") {
		t.Error("a stale save from the drawing overwrote the newer version")
	}
	t.Logf("screenshots in %s", b.shot)
	problems.check(t, "visual editor")
}

// adminWithTeam sets the server up with the administrator ada@example.com
// (password "correct horse battery"), makes team t and returns ada's API
// session; the browser itself is not signed in.
func (b *browser) adminWithTeam(token string) string {
	b.t.Helper()
	if status, out := b.api("POST", "/api/v1/setup", "", map[string]string{"token": token, "email": "ada@example.com", "password": "correct horse battery"}); status != 200 {
		b.t.Fatalf("setup: %d %v", status, out)
	}
	admin := b.login("ada@example.com", "correct horse battery")
	if status, out := b.api("POST", "/api/v1/teams", admin, map[string]string{"id": "t", "name": "T"}); status != 201 {
		b.t.Fatalf("team: %d %v", status, out)
	}
	return admin
}

// pushModel saves a version of system (team t) whose files are files.
func (b *browser) pushModel(session, system string, files any) {
	b.t.Helper()
	if status, out := b.api("POST", "/api/v1/systems/"+system+"/versions", session, map[string]any{"team": "t", "files": files}); status != 201 {
		b.t.Fatalf("push %s: %d %v", system, status, out)
	}
}

// login signs in through the API and returns the session cookie.
func (b *browser) login(email, password string) string {
	b.t.Helper()
	body := strings.NewReader(`{"email":` + jsString(email) + `,"password":` + jsString(password) + `}`)
	req, _ := http.NewRequestWithContext(b.t.Context(), "POST", b.srv.URL+"/api/v1/login", body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || cookie(resp) == "" {
		b.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return cookie(resp)
}

// openCount reads "N open of M" from the editor's findings.
func openCount(t *testing.T, s string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) open of \d+`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no open count in %q", s)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
