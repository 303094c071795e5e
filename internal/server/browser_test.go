package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// screenshots, when set, is where the browser tests also write their
// screenshots (docs/ui): go test ./internal/server -run Browser -args -screenshots=$PWD/docs/ui
var screenshots = flag.String("screenshots", "", "also write the browser tests' screenshots to this directory")

const chromium = "/usr/bin/chromium"

// browser is a headless Chromium on a Ward server with a real SQLite store.
type browser struct {
	t    *testing.T
	ctx  context.Context
	srv  *httptest.Server
	s    *server.Server
	shot string // where screenshots go
}

func newBrowser(t *testing.T, token string) *browser {
	t.Helper()
	return newBrowserConfig(t, server.Config{SetupToken: token, Version: "test", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}, nil)
}

// newBrowserWith is newBrowser on a server load has filled (demo data).
func newBrowserWith(t *testing.T, token string, load func(*server.Server)) *browser {
	t.Helper()
	return newBrowserConfig(t, server.Config{SetupToken: token, Version: "test", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}, load)
}

// browserBudget is how long one test's browser may live.
const browserBudget = 4 * time.Minute

// newBrowserConfig is newBrowser on a server configured by cfg and filled
// by load (when not nil).
func newBrowserConfig(t *testing.T, cfg server.Config, load func(*server.Server)) *browser {
	t.Helper()
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: CI must run the browser tests (apt-get install -y chromium)", chromium)
		}
		t.Skipf("%s is missing (apt-get install -y chromium)", chromium)
	}
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := server.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if load != nil {
		load(s)
	}
	srv := httptest.NewServer(s) // 127.0.0.1:0
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	// The budget bounds a hung browser, not a slow machine: a long test
	// (training: four browsers, dozens of pages) on two loaded cores took
	// 130 s, and with 60 s its first browser ran out mid-test.
	ctx, cancelT := context.WithTimeout(ctx, browserBudget)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, ctx: ctx, srv: srv, s: s, shot: t.TempDir()}
	b.do(chromedp.Navigate("about:blank")) // start the browser
	return b
}

// do runs steps, failing the test with where the browser was.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail(err)
	}
}

func (b *browser) fail(err error) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
	b.t.Fatalf("browser: %v\nat %s\n%.1500s", err, loc, body)
}

// open loads a path and waits for the page's main element.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

// text is the rendered text of the first element sel selects. It reads
// through JavaScript (not DOM node ids), so a page that has just been
// replaced reads as itself.
func (b *browser) text(sel string) string {
	b.t.Helper()
	js := `(() => { const e = document.querySelector(` + jsString(sel) + `); return e ? e.innerText : null })()`
	var err error
	for range 50 {
		var s *string
		if s, err = chromedp.Run(b.ctx, chromedp.Evaluate[*string](js)); err == nil && s != nil {
			return *s
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		err = fmt.Errorf("no element %s", sel)
	}
	b.fail(err)
	return ""
}

func (b *browser) exists(sel string) bool {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		b.fail(err)
	}
	return n > 0
}

func jsString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// screenshot saves the viewport as name.png (and in -screenshots).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot()) // the viewport, PNG
	if err != nil {
		b.fail(err)
	}
	dirs := []string{b.shot}
	if *screenshots != "" {
		dirs = append(dirs, *screenshots)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// waitText waits until the element's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	js := `(document.querySelector(` + jsString(sel) + `) || {textContent: ''}).textContent.includes(` + jsString(want) + `)`
	var err error
	for range 100 { // errors while the page navigates are expected
		var ok bool
		if ok, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		err = fmt.Errorf("%s never said %q", sel, want)
	}
	b.fail(err)
}

// checkAccessible fails the test when the page has a form control without
// a label, a button without a name, or no h1.
func (b *browser) checkAccessible(page string) {
	b.t.Helper()
	bad, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
		.filter(e => e.tagName === 'BUTTON' ? !(e.textContent.trim() || e.getAttribute('aria-label'))
			: !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')))
		.map(e => e.outerHTML.slice(0, 120))
		.concat(document.querySelector('main h1') ? [] : ['no h1 in main'])`))
	if err != nil {
		b.fail(err)
	}
	for _, e := range bad {
		b.t.Errorf("%s: not accessible: %s", page, e)
	}
}

// signIn signs in through the sign-in page.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.srv.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("header nav")))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
}

// sessionCookie is the browser's Ward session.
func (b *browser) sessionCookie() string {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.srv.URL}})
	if err != nil {
		b.fail(err)
	}
	for _, c := range res.Cookies {
		if c.Name == server.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// api calls the JSON API with a session cookie.
func (b *browser) api(method, path, session string, body any) (int, map[string]any) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequestWithContext(b.t.Context(), method, b.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestBrowser drives Ward in headless Chromium as people would: the first
// run creates the administrator; a member signs in, selects an element on
// the diagram, decides on a finding and answers a question, and sees the
// findings update; a viewer sees no buttons and has a POST refused.
func TestBrowser(t *testing.T) {
	const token = "browser-setup-token"
	b := newBrowser(t, token)

	// First run: the root sends a stranger to sign in, which sends them to setup.
	b.open("/")
	b.screenshot("setup")
	b.checkAccessible("setup")
	if !b.exists(`form[action="/setup"]`) {
		t.Fatal("a fresh server does not show the first-run page")
	}
	b.do(chromedp.SendKeys(chromedp.ID("token"), token), chromedp.SendKeys(chromedp.ID("name"), "Ada Admin"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"), chromedp.SendKeys(chromedp.ID("password"), "correct horse battery"),
		chromedp.SendKeys(chromedp.ID("password2"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form[action="/setup"] button`)), chromedp.WaitVisible(chromedp.CSS("header nav")))
	if got := b.text("#flash"); !strings.Contains(got, "Welcome to Ward") {
		t.Errorf("after setup the flash says %q", got)
	}
	admin := b.sessionCookie()
	if admin == "" {
		t.Fatal("no session cookie after setup: the browser refused it")
	}

	// Administration in the browser: a team and two invited accounts, whose
	// first passwords are shown once.
	if !b.exists(`form[action="/admin/teams"]`) {
		t.Fatal("after setup the administrator is not on the administration page")
	}
	b.do(chromedp.SendKeys(chromedp.CSS(`form[action="/admin/teams"] input[name=id]`), "storefront"),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/teams"] input[name=name]`), "Storefront"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/teams"] button`)))
	b.waitText("#flash", "Team storefront created")
	invite := func(email, role, team string) string {
		b.t.Helper()
		b.open("/admin")
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.CSS(`form[action="/admin/users"] input[name=email]`), email),
			chromedp.SetValue(chromedp.CSS(`form[action="/admin/users"] select[name=role]`), role),
		}
		if team != "" {
			steps = append(steps, chromedp.SetValue(chromedp.CSS(`form[action="/admin/users"] select[name=team]`), team))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`form[action="/admin/users"] button`)), chromedp.WaitVisible(chromedp.CSS(".secret code")))
		b.do(steps...)
		return b.text(".secret code")
	}
	memberPW := invite("mia@example.com", "member", "storefront")
	b.screenshot("admin")
	b.checkAccessible("admin")
	viewerPW := invite("vic@example.com", "viewer", "")
	if memberPW == "" || viewerPW == "" || memberPW == viewerPW {
		t.Fatalf("first passwords %q and %q", memberPW, viewerPW)
	}

	// The shop example, pushed through the API.
	if status, out := b.api("POST", "/api/v1/systems/larkspur-shop/versions", admin,
		map[string]any{"team": "storefront", "files": bundle(t, "../../examples/shop")}); status != 201 {
		t.Fatalf("push: %d %v", status, out)
	}
	b.open("/")
	b.screenshot("home-admin")
	b.checkAccessible("home-admin")
	b.signOut()

	// A member signs in and lands on their team's home.
	b.signIn("mia@example.com", memberPW)
	if h := b.text("main h1"); !strings.Contains(h, "storefront") {
		t.Errorf("member's home heading %q", h)
	}
	b.screenshot("home-member")
	b.checkAccessible("home-member")

	// The system page; selecting an element on the diagram narrows the threats.
	b.open("/systems/larkspur-shop")
	b.screenshot("system")
	b.checkAccessible("system")
	b.do(chromedp.Click(chromedp.CSS(`.diagram svg a[*|href*="element=web-frontend"]`)), chromedp.WaitVisible(chromedp.ID("selected")))
	if got := b.text("#selected h2"); !strings.Contains(got, "web-frontend") {
		t.Errorf("selected element panel: %q", got)
	}
	if !b.exists(`.diagram g.selected`) {
		t.Error("the selected element is not marked on the diagram")
	}
	b.screenshot("system-selected")

	// With JavaScript, changing a filter narrows the list in place (htmx).
	b.open("/systems/larkspur-shop")
	all := b.text("#threat-list p.muted")
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#threats select[name=severity]');
		s.value = 'high'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)); err != nil {
		b.fail(err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('#threat-list p.muted').textContent !== `+jsString(all))); err != nil {
		b.fail(err)
	}
	if n := b.text("#threat-list p.muted"); !strings.HasSuffix(n, "shown") || n == all {
		t.Errorf("after filtering by severity the list says %q (before: %q)", n, all)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "severity=high") {
		t.Errorf("the filtered list's address is %q", loc)
	}

	// Decide: a finding becomes a false positive, as a new version.
	const finding = "no-rate-limiting:web-frontend"
	row := `tr[id="f-` + finding + `"]`
	b.open("/systems/larkspur-shop?element=web-frontend")
	before := b.text(row + " td:nth-child(5)")
	b.do(chromedp.Click(chromedp.CSS(row+` details.act:nth-of-type(2) summary`)),
		chromedp.SetValue(chromedp.CSS(row+` select[name=status]`), "false_positive"),
		chromedp.SendKeys(chromedp.CSS(row+` input[name=reason]`), "the CDN rate-limits every route"))
	b.screenshot("decide")
	b.do(chromedp.Click(chromedp.CSS(row + ` form button[type=submit]`)))
	b.waitText("#flash", "saved as version")
	if got := b.text("#flash"); !strings.Contains(got, "saved as version 2") {
		t.Errorf("after deciding the flash says %q", got)
	}
	after := b.text(row + " td:nth-child(5)")
	if before == after || !strings.Contains(after, "False positive") {
		t.Errorf("the finding's status went from %q to %q, want False positive", before, after)
	}

	// Answer a question by setting a control: the question goes away.
	b.open("/systems/larkspur-shop")
	attr, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(`#questions tbody tr`), "id"))
	if err != nil {
		b.fail(err)
	}
	qid := attr.Value
	b.do(chromedp.Click(chromedp.CSS(`tr[id="` + qid + `"] button[value=yes]`)))
	b.waitText("#flash", "Answered")
	if got := b.text("#flash"); !strings.Contains(got, "saved as version 3") {
		t.Errorf("after answering the flash says %q", got)
	}
	if b.exists(`tr[id="` + qid + `"]`) {
		t.Errorf("question %s is still open after it was answered", qid)
	}
	// Someone else saves a version: the open page says so (SSE, htmx).
	member := b.sessionCookie()
	b.open("/systems/larkspur-shop")
	time.Sleep(300 * time.Millisecond) // the stream connects after load
	if status, out := b.api("POST", "/api/v1/systems/larkspur-shop/decisions", member,
		map[string]any{"finding": finding, "status": "accepted", "owner": "mia", "reason": "live", "expires": "2027-06-30"}); status != 201 {
		t.Fatalf("decision through the API: %d %v", status, out)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS("#live .flash-ok")))
	if got := b.text("#live"); !strings.Contains(got, "Version 4 was just saved") {
		t.Errorf("live region says %q", got)
	}
	b.open("/findings?status=open")
	b.screenshot("findings")
	b.checkAccessible("findings")

	// The member makes an API token for CI: shown once.
	b.open("/account")
	b.do(chromedp.SendKeys(chromedp.CSS(`form[action="/account/tokens"] input[name=name]`), "ci"),
		chromedp.Click(chromedp.CSS(`form[action="/account/tokens"] button`)), chromedp.WaitVisible(chromedp.CSS(".secret code")))
	if tok := b.text(".secret code"); !strings.HasPrefix(tok, "ward_") {
		t.Errorf("the new token is %q", tok)
	}
	b.screenshot("account")
	b.checkAccessible("account")
	b.open("/account")
	if b.exists(".secret") {
		t.Error("the token is shown again")
	}
	b.signOut()

	// A viewer reads everything and changes nothing.
	b.signIn("vic@example.com", viewerPW)
	b.open("/systems/larkspur-shop")
	for _, sel := range []string{`form[action$="/decisions"]`, `form[action*="/mitigations/"]`, `form[action*="/assumptions/"]`, `form[action$="/controls"]`} {
		if b.exists(sel) {
			t.Errorf("a viewer sees %s", sel)
		}
	}
	viewer := b.sessionCookie()
	form := url.Values{"finding": {finding}, "status": {"accepted"}, "reason": {"viewer"}}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", b.srv.URL+"/systems/larkspur-shop/decisions", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: viewer})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer's decision POST: %d, want 403", resp.StatusCode)
	}
	if status, sys := b.api("GET", "/api/v1/systems/larkspur-shop", viewer, nil); status != 200 || sys["latest"].(float64) != 4 {
		t.Errorf("after the viewer's POST the system is at %v, want 4", sys["latest"])
	}
	b.open("/systems/larkspur-shop#threats")
	b.screenshot("system-viewer")
	b.checkAccessible("system-viewer")
	t.Logf("screenshots in %s", b.shot)
}
