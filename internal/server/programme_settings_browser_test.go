package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardtm/ward/internal/server"
)

// TestProgrammeSettingsBrowser: an administrator opens the programme
// settings, saves a bad share and a figure without its source and sees each
// problem next to its field (nothing saved), fixes them and saves; the API
// answers the new values. Then, as a member of a team in Observation would,
// the administrator opens a session: "invite security to observe" is ticked
// and the session page says security was invited.
func TestProgrammeSettingsBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	const pw = "browser demo password"
	b := newBrowserWith(t, "", func(s *server.Server) {
		loadProgrammeDemo(t, s)
		if _, err := s.LoadDemoAccounts(t.Context(), pw); err != nil {
			t.Fatal(err)
		}
	})
	b.signIn("admin@demo.example", pw)
	_, before := b.api("GET", "/api/v1/programme/settings", b.sessionCookie(), nil)
	b.open("/admin")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/programme/settings"]`)), chromedp.WaitVisible(chromedp.ID("programme-settings")))
	b.checkAccessible("programme settings")
	if got := liveEval[string](b, `document.getElementById('f-costs.production_multiplier.source').value`); !strings.Contains(got, "10") {
		t.Errorf("the production multiplier's source is %q, want the default's", got)
	}
	set := func(id, value string) {
		b.t.Helper()
		liveEval[bool](b, `(function(){const e = document.getElementById(`+jsString(id)+`); e.value = `+jsString(value)+`; return true})()`)
	}
	set("f-rules.sample_share", "1.5")
	set("f-costs.engineer_rate.source", "")
	set("f-rules.review_models", "0")
	b.do(chromedp.Click(chromedp.CSS(`#programme-settings button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".field-error")))
	// Each problem is next to its field: inside the field's own block, and
	// the field points at it (aria-describedby).
	for id, want := range map[string]string{
		"rules.sample_share":         "sample_share must be a share between 0 and 1",
		"rules.review_models":        "review_models must be between 1 and 100",
		"costs.engineer_rate.source": "every figure needs its source",
	} {
		got := liveEval[string](b, `(function(){const f = document.getElementById('f-`+id+`'); const e = document.getElementById(f.getAttribute('aria-describedby') || 'none');
			return e && (f.closest('.setting, fieldset') === e.closest('.setting, fieldset')) ? e.textContent : 'no error next to the field'})()`)
		if !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q next to it", id, got, want)
		}
	}
	if v := liveEval[string](b, `document.getElementById('f-rules.sample_share').value`); v != "1.5" {
		t.Errorf("the refused form lost what was typed: %q", v)
	}
	b.screenshot("programme-settings-errors")
	// Nothing was saved.
	_, cur := b.api("GET", "/api/v1/programme/settings", b.sessionCookie(), nil)
	if rules, _ := cur["rules"].(map[string]any); rules["sample_share"] != 0.25 {
		t.Errorf("a refused form changed sample_share: %v", rules["sample_share"])
	}

	set("f-rules.sample_share", "0.4")
	set("f-rules.review_models", "4")
	set("f-costs.engineer_rate.source", "Our finance team, 2026 loaded rate")
	b.do(chromedp.Click(chromedp.CSS(`#programme-settings button[type=submit]`)))
	b.waitText("body", "Programme settings saved.")
	b.screenshot("programme-settings")
	_, cur = b.api("GET", "/api/v1/programme/settings", b.sessionCookie(), nil)
	rules, _ := cur["rules"].(map[string]any)
	costs, _ := cur["costs"].(map[string]any)
	er, _ := costs["engineer_rate"].(map[string]any)
	if rules["sample_share"] != 0.4 || rules["review_models"] != 4.0 || er["source"] != "Our finance team, 2026 loaded rate" {
		t.Errorf("saved settings: sample_share %v, review_models %v, engineer_rate %v", rules["sample_share"], rules["review_models"], er)
	}
	if got, want := fmt.Sprint(costs["bounty"]), fmt.Sprint(before["costs"].(map[string]any)["bounty"]); got != want {
		t.Errorf("saving the page changed the bounty figures: %s, was %s", got, want)
	}
	// The leadership view shows the new source next to the figure.
	b.open("/programme/leadership")
	b.waitText("main", "Our finance team, 2026 loaded rate")

	// Observation: opening a session invites security by default.
	b.open("/systems/storefront-orders/sessions")
	if !liveEval[bool](b, `document.querySelector('#open-session input[name=invite_security]').checked`) {
		t.Errorf("storefront is in Observation: invite security is not ticked")
	}
	b.checkAccessible("sessions")
	b.screenshot("session-open-observation")
	b.do(chromedp.SendKeys(chromedp.ID("s-title"), "Order pipeline threats"), chromedp.Click(chromedp.CSS(`#open-session button[type=submit]`)))
	b.waitText(".live-head", "security invited to observe")
	// The session's phase classes (phase-review, …) must not pick up the
	// programme's phase badge colours: the title keeps the text colour.
	if h1, body := liveEval[string](b, `getComputedStyle(document.querySelector('h1')).color`), liveEval[string](b, `getComputedStyle(document.body).color`); h1 != body {
		t.Errorf("the session title is coloured %s, the page's text %s: a phase style leaks into the session page", h1, body)
	}
	b.screenshot("session-security-invited")
}
