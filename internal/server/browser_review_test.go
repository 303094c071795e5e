package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardtm/ward/internal/server"
)

// textNow is the text of sel read in the page by script, "" when absent:
// unlike a DOM query it does not fail while the browser swaps documents.
func textNow(b *browser, sel string) string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {innerText: ""}).innerText`))
	return s
}

// waitText waits until the text of sel contains want.
func waitText(t *testing.T, b *browser, sel, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(textNow(b, sel), want); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; it shows %q", sel, want, textNow(b, sel))
		}
	}
	b.do(chromedp.WaitVisible(chromedp.CSS("footer")))
}

// TestBrowserReview drives a design review in headless Chromium: a member
// requests a review from the system page and sees the triage answer;
// security signs in, finds it at the top of the queue, enters hours,
// triages, reviews and approves it; the system's badge shows approved.
func TestBrowserReview(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test (about 10 s); CI runs it")
	}
	const token = "browser-review-token"
	b := newBrowser(t, token)

	// Set up through the API: the administrator, a team, a member, a
	// security engineer, the shop's model and a less sensitive request
	// already in the queue.
	data, _ := json.Marshal(map[string]string{"token": token, "email": "ada@example.com", "name": "Ada", "password": "correct horse battery"})
	resp, err := http.Post(b.srv.URL+"/api/v1/setup", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	admin := ""
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			admin = c.Value
		}
	}
	if admin == "" {
		t.Fatalf("setup: %d, no session", resp.StatusCode)
	}
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/teams", map[string]string{"id": "storefront", "name": "Storefront"}},
		{"/api/v1/teams", map[string]string{"id": "growth", "name": "Growth"}},
		{"/api/v1/users", map[string]string{"email": "mia@example.com", "name": "Mia Member", "role": "member", "team": "storefront", "password": "member password 1"}},
		{"/api/v1/users", map[string]string{"email": "sam@example.com", "name": "Sam Security", "role": "security", "password": "security password 1"}},
		{"/api/v1/systems/larkspur-shop/versions", map[string]any{"team": "storefront", "files": bundle(t, "../../examples/shop")}},
		{"/api/v1/reviews", map[string]any{"system": "referrals", "team": "growth", "title": "Referral links",
			"answers": map[string]any{"paved_path": "no", "internet_facing": "yes", "sensitive_data": []string{"pii"}, "criticality": "medium"}}},
	} {
		if status, out := b.api("POST", c.path, admin, c.body); status != 201 {
			t.Fatalf("seed %s: %d %v", c.path, status, out)
		}
	}

	// The member: from the system page to the request form.
	b.signIn("mia@example.com", "member password 1")
	b.open("/systems/larkspur-shop")
	if got := b.text(".review-badge"); !strings.Contains(got, "no review") {
		t.Errorf("badge before a review: %q", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`.review-badge a[href^="/review/new"]`)), chromedp.WaitVisible(chromedp.ID("paved_path-no")))
	// The form starts from the answers in the model's context: section,
	// already triaged; the member says this design leaves the paved path.
	if got := textNow(b, "#triage-preview"); !strings.Contains(got, "security-led") || !strings.Contains(got, "PCI DSS") {
		t.Errorf("triage of the model's answers: %q", got)
	}
	wanted := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	b.do(chromedp.SendKeys(chromedp.ID("title"), "Checkout v2: saved cards"),
		chromedp.SendKeys(chromedp.ID("design_doc"), "https://docs.example.com/checkout-v2"),
		chromedp.SetValue(chromedp.ID("wanted_by"), wanted),
		chromedp.Click(chromedp.ID("paved_path-no")))
	// The live triage answer (htmx) follows the change before submitting.
	waitText(t, b, "#triage-preview", "paved_path: no")
	if got := textNow(b, "#triage-preview"); !strings.Contains(got, "security-led") || !strings.Contains(got, "PCI DSS") || !strings.Contains(got, "criticality: critical") {
		t.Errorf("live triage: %q", got)
	}
	b.screenshot("review-request")
	b.do(chromedp.Click(chromedp.CSS(`form.review-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#flash .flash-ok")))
	if got := b.text("#flash"); !strings.Contains(got, "Review requested: security-led, priority") {
		t.Errorf("after the request the flash says %q", got)
	}
	if got := b.text(".triage"); !strings.Contains(got, "security-led") || !strings.Contains(got, "payment card data") {
		t.Errorf("the request page's triage: %q", got)
	}
	if b.exists(`input[name=action][value=approve]`) || b.exists(`input[name=action][value=triage]`) {
		t.Error("the member sees security's actions")
	}
	b.screenshot("review-requested")
	b.signOut()

	// Security: the request is at the top of the queue, above an older one.
	b.signIn("sam@example.com", "security password 1")
	if !b.exists(`#rq-h`) || !strings.Contains(textNow(b, `section:has(#rq-h)`), "Checkout v2") {
		t.Error("security's home has no review queue card with the request")
	}
	b.screenshot("review-home")
	b.do(chromedp.Click(chromedp.CSS(`header nav a[href="/review"]`)), chromedp.WaitVisible(chromedp.CSS("table.queue")))
	if got := b.text("table.queue tbody tr:first-child"); !strings.Contains(got, "Checkout v2") {
		t.Fatalf("top of the queue: %q", got)
	}
	if got := b.text("table.queue tbody tr:nth-child(2)"); !strings.Contains(got, "Referral links") {
		t.Errorf("second in the queue: %q", got)
	}
	// Ten hours this week: the top review (8 h) fits, the other waits.
	b.do(chromedp.SetValue(chromedp.CSS(`form[action="/review/capacity"] input[name=hours]`), "10"),
		chromedp.Click(chromedp.CSS(`form[action="/review/capacity"] button`)), chromedp.WaitVisible(chromedp.CSS("#flash .flash-ok")))
	if got := b.text("table.queue tbody tr:first-child"); !strings.Contains(got, "fits") {
		t.Errorf("top review after entering hours: %q", got)
	}
	if got := b.text("table.queue tbody tr:nth-child(2)"); !strings.Contains(got, "waits") {
		t.Errorf("second review after entering hours: %q", got)
	}
	b.screenshot("review-queue")

	// Triage, start, approve.
	b.do(chromedp.Click(chromedp.CSS(`table.queue tbody tr:first-child a[href^="/review/rv-"]`)), chromedp.WaitVisible(chromedp.CSS(`form:has(input[name=action][value=triage]) button`)))
	// Each step waits for its own flash message: the previous page's
	// message is still on screen until the browser navigates.
	step := func(action, note, flash string) {
		t.Helper()
		form := `form:has(input[name=action][value=` + action + `])`
		if note != "" {
			b.do(chromedp.SendKeys(chromedp.CSS(form+` textarea[name=note]`), note))
		}
		b.do(chromedp.Click(chromedp.CSS(form + ` button[type=submit]`)))
		waitText(t, b, "#flash", flash)
	}
	step("triage", "Card data: I take it.", "Triage: the review is now triaged.")
	if got := textNow(b, ".review-state"); !strings.Contains(got, "triaged") || !strings.Contains(got, "sam@example.com") {
		t.Errorf("after triage: %q", got)
	}
	step("start", "", "Start review: the review is now in review.")
	b.screenshot("review-in-review")
	step("approve", "Tokenised cards only; fine.", "Approved: recorded on larkspur-shop.")
	if got := textNow(b, ".review-state"); !strings.Contains(got, "approved") {
		t.Errorf("after approval: %q", got)
	}
	b.screenshot("review-approved")

	// The badge on the system page.
	b.open("/systems/larkspur-shop")
	if got := b.text(".review-badge"); !strings.Contains(got, "Design review: approved") {
		t.Errorf("badge after approval: %q", got)
	}
	b.screenshot("review-badge")
	if _, out := b.api("GET", "/api/v1/systems/larkspur-shop/review", admin, nil); out["status"] != "approved" {
		t.Errorf("API badge: %v", out)
	}
	b.signOut()

	// The administrator's policy page: a problem shows with its position.
	b.signIn("ada@example.com", "correct horse battery")
	b.open("/review/policy")
	b.do(chromedp.SetValue(chromedp.ID("policy"), "ward_policy: 1\nthresholds:\n  security_led: 500\n"),
		chromedp.Click(chromedp.CSS(`form[action="/review/policy"] button.primary`)))
	waitText(t, b, "main", "triage-policy.yaml:3:")
	b.screenshot("review-policy")
	t.Logf("screenshots in %s", b.shot)
}
