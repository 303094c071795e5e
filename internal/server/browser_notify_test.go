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

// TestBrowserNotifications drives the notification pages in headless
// Chromium: a member opens the team's notifications from "My account",
// adds a webhook pointing at a local receiver (the secret is shown once),
// sends a test, sees it delivered and signed; then turns email off on the
// preferences page.
func TestBrowserNotifications(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test; CI runs it")
	}
	const token = "browser-notify-token"
	b := newBrowserConfig(t, server.Config{SetupToken: token, Version: "test",
		Notify: server.NotifyConfig{AllowPrivate: true, Key: "browser-notification-key", BaseURL: "https://ward.example.com"}}, nil)
	hook := newHookReceiver(t, time.Now)

	data, _ := json.Marshal(map[string]string{"token": token, "email": "ada@example.com", "name": "Ada", "password": "correct horse battery"})
	resp, err := http.Post(b.srv.URL+"/api/v1/setup", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	admin := cookie(resp)
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

	b.signIn("mia@example.com", "member password 1")
	b.open("/account")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/teams/payments/notifications"]`)), chromedp.WaitVisible(chromedp.ID("wh-name")))
	b.checkAccessible("team notifications")
	if got := b.text("main"); !strings.Contains(got, "No webhook yet") || !strings.Contains(got, "Nothing sent yet") {
		t.Errorf("empty page: %q", got)
	}
	// Keep two kinds: untick the others.
	b.do(chromedp.SendKeys(chromedp.ID("wh-name"), "Slack #payments"), chromedp.SendKeys(chromedp.ID("wh-url"), hook.URL+"/services/T0/B0/X"))
	for _, k := range []string{"review.assigned", "review.approved", "acceptance.expiring", "escape.imported", "phase.proposed", "review.stale", "assumption.invalidated"} {
		b.do(chromedp.Click(chromedp.CSS(`form[aria-label="Add a webhook"] input[value="` + k + `"]`)))
	}
	b.do(chromedp.Click(chromedp.CSS(`form[aria-label="Add a webhook"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".secret code")))
	secret := b.text(".secret code")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the secret shown is %q", secret)
	}
	hook.mu.Lock()
	hook.secret = secret
	hook.mu.Unlock()
	if got := b.text("table"); !strings.Contains(got, "review.requested, risk.high_pushed") || !strings.Contains(got, "enabled") {
		t.Errorf("webhook row: %q", got)
	}
	b.screenshot("notify-team-secret")

	// Reloading never shows the secret again.
	b.open("/teams/payments/notifications")
	if b.exists(".secret") || strings.Contains(b.text("main"), secret) {
		t.Error("the secret is shown again")
	}
	b.do(chromedp.Click(chromedp.CSS(`form[aria-label="Test webhook Slack #payments"] button`)), chromedp.WaitVisible(chromedp.CSS("#flash .flash-ok")))
	if got := b.text("#flash"); !strings.Contains(got, "Test message queued") {
		t.Errorf("flash after the test: %q", got)
	}
	if n, err := b.s.DeliverNotifications(t.Context()); err != nil || n != 1 {
		t.Fatalf("delivered %d (%v), want 1", n, err)
	}
	if got := hook.got(); len(got) != 1 || got[0] != "ward.test" || hook.bad != 0 {
		t.Fatalf("receiver got %v, %d bad signatures", got, hook.bad)
	}
	b.open("/teams/payments/notifications")
	if got := b.text(`section[aria-labelledby="del-h"]`); !strings.Contains(got, "Test notification from Ward") || !strings.Contains(got, "delivered") {
		t.Errorf("deliveries: %q", got)
	}
	b.screenshot("notify-team")

	// My preferences: email off, one kind less.
	b.open("/account/notifications")
	b.checkAccessible("notification preferences")
	b.do(chromedp.Click(chromedp.ID("email")), chromedp.Click(chromedp.CSS(`input[value="review.approved"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/account/notifications"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#flash .flash-ok")))
	checked, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]bool](`[document.getElementById('email').checked, document.querySelector('input[value="review.approved"]').checked, document.querySelector('input[value="review.requested"]').checked]`))
	if err != nil {
		b.fail(err)
	}
	if checked[0] || checked[1] || !checked[2] {
		t.Errorf("after saving: email %v, review.approved %v, review.requested %v; want false false true", checked[0], checked[1], checked[2])
	}
	b.screenshot("notify-account")
}
