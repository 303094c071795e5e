package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// liveTab is another person in the same headless Chromium: a separate
// browser context (its own cookies), as a separate laptop would be.
func liveTab(b *browser) *browser {
	b.t.Helper()
	// The harness's context has a 60 s deadline for one person; a session
	// of four people gets its own two minutes.
	ctx, cancel := chromedp.NewContext(context.WithoutCancel(b.ctx), chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	b.t.Cleanup(func() { cancelT(); cancel() })
	nb := &browser{t: b.t, ctx: ctx, srv: b.srv, shot: b.shot}
	nb.do(chromedp.Navigate("about:blank"))
	return nb
}

// liveUntil polls a JavaScript condition until it holds and returns how
// long that took.
func liveUntil(b *browser, cond string, within time.Duration) time.Duration {
	b.t.Helper()
	start := time.Now()
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > within {
			b.fail(fmt.Errorf("timed out after %s waiting for %s (last error %v)", within, cond, err))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func liveEval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.fail(err)
	}
	return v
}

// liveClick clicks the element the selector finds, in one step in the
// page (a refresh of the board cannot swap it out between finding and
// clicking), retrying until it is there.
func liveClick(b *browser, sel string) {
	b.t.Helper()
	liveUntil(b, `(function(){const e = document.querySelector(`+jsString(sel)+`); if (!e || e.disabled) return false; e.click(); return true;})()`, 5*time.Second)
}

// TestBrowserSession runs a whole session in Chromium: three members in
// separate browser contexts join, add cards at once and see each other's
// within a second, reveal, merge two duplicates, vote within their
// budgets, decide and save the top card to the model, and reflect to a
// sign-off; a fourth member who opens the session afterwards sees it all.
func TestBrowserSession(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	const token = "session-setup-token"
	ana := newBrowser(t, token)
	if st, out := ana.api("POST", "/api/v1/setup", "", map[string]string{"token": token, "email": "ada@example.com", "password": "correct horse battery"}); st != 200 {
		t.Fatalf("setup: %d %v", st, out)
	}
	ana.signIn("ada@example.com", "correct horse battery")
	admin := ana.sessionCookie()
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/teams", map[string]string{"id": "storefront", "name": "Storefront"}},
		{"/api/v1/users", map[string]string{"email": "ana@example.com", "name": "Ana", "role": "member", "team": "storefront", "password": "member password a"}},
		{"/api/v1/users", map[string]string{"email": "ben@example.com", "name": "Ben", "role": "member", "team": "storefront", "password": "member password b"}},
		{"/api/v1/users", map[string]string{"email": "cy@example.com", "name": "Cy", "role": "member", "team": "storefront", "password": "member password c"}},
		{"/api/v1/users", map[string]string{"email": "dee@example.com", "name": "Dee", "role": "member", "team": "storefront", "password": "member password d"}},
		{"/api/v1/systems/larkspur-shop/versions", map[string]any{"team": "storefront", "files": bundle(t, "../../examples/shop")}},
	} {
		if st, out := ana.api("POST", c.path, admin, c.body); st != 201 {
			t.Fatalf("seed %s: %d %v", c.path, st, out)
		}
	}
	ana.signOut()
	ana.signIn("ana@example.com", "member password a")
	admin = ana.sessionCookie() // the admin's session ended with the sign-out
	ben, cy := liveTab(ana), liveTab(ana)
	ben.signIn("ben@example.com", "member password b")
	cy.signIn("cy@example.com", "member password c")

	// Ana opens a session on the system.
	ana.open("/systems/larkspur-shop/sessions")
	ana.do(chromedp.SendKeys(chromedp.ID("s-title"), "Checkout threat modeling"), chromedp.Click(chromedp.CSS(`#open-session button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("live-region")))
	loc, err := chromedp.Run(ana.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	people := []*browser{ana, ben, cy}
	for _, p := range []*browser{ben, cy} {
		p.open("/s/" + id)
		liveClick(p, "#join")
		p.do(chromedp.WaitVisible(chromedp.ID("add-card")))
	}
	liveUntil(ana, `document.querySelectorAll('#status .members li').length === 3`, 5*time.Second)

	next := func(phase string) {
		t.Helper()
		liveClick(ana, "#next-phase")
		for _, p := range people {
			liveUntil(p, `(document.querySelector('.phases li.current')||{}).textContent === `+jsString(phase), 5*time.Second)
		}
	}
	next("Brainstorm")

	// Everyone adds a card at once.
	texts := map[*browser]string{ana: "Session id is not rotated at sign-in", ben: "Sign-in session fixation", cy: "Reset links leak in the Referer header"}
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Go(func() {
			p.do(chromedp.SetValue(chromedp.ID("card-target"), "auth-service"), chromedp.SendKeys(chromedp.ID("card-text"), texts[p]),
				chromedp.Click(chromedp.ID("add-card-btn")))
		})
	}
	wg.Wait()
	sent := time.Now()
	var worst time.Duration
	for _, p := range people {
		liveUntil(p, `document.querySelectorAll('#col-el-auth-service .scard').length === 3`, 5*time.Second)
		worst = max(worst, time.Since(sent))
	}
	t.Logf("three cards added at once: the last browser had all three %s after the last click", worst.Round(time.Millisecond))
	// The product target is one second (deliveries are measured by
	// cmd/ward-load-sessions, docs/sessions.md); three headless browsers on
	// a shared two-core CI machine get a looser bound, which still fails
	// when live updates stop flowing.
	if worst > 3*time.Second {
		t.Errorf("cards reached every browser in %s, want within a second (3 s allowed here)", worst)
	}
	// Before the reveal, others' cards are placeholders; the form is empty again.
	if n := liveEval[int](ben, `document.querySelectorAll('#col-el-auth-service .scard.is-hidden').length`); n != 2 {
		t.Errorf("ben sees %d hidden cards before the reveal, want 2 (ana's and cy's)", n)
	}
	if v := liveEval[string](ben, `document.getElementById('card-text').value`); v != "" {
		t.Errorf("the add form keeps %q after adding", v)
	}
	ben.screenshot("session-brainstorm")

	// Ben is typing when the facilitator reveals: the board reloads around
	// him and keeps what he typed.
	ben.do(chromedp.SendKeys(chromedp.ID("card-text"), "half-typed thought"))
	next("Reveal")
	if v := liveEval[string](ben, `document.getElementById('card-text').value`); v != "half-typed thought" {
		t.Errorf("after the reveal ben's half-typed card is %q", v)
	}
	cardOf := func(text string) string {
		t.Helper()
		return liveEval[string](ana, `(function(){for (const c of document.querySelectorAll('.scard')) { const x = c.querySelector('.text'); if (x && x.textContent === `+jsString(text)+`) return c.dataset.card; } return "";})()`)
	}
	liveUntil(ben, `document.body.textContent.includes(`+jsString(texts[cy])+`)`, 5*time.Second)
	aCard, bCard, cCard := cardOf(texts[ana]), cardOf(texts[ben]), cardOf(texts[cy])
	if aCard == "" || bCard == "" || cCard == "" {
		t.Fatalf("cards after the reveal: %q %q %q", aCard, bCard, cCard)
	}

	// Group: Cy merges Ben's duplicate into Ana's card.
	next("Group")
	liveEval[bool](cy, `(function(){const f = document.querySelector('#card-`+aCard+` form.merge'); f.querySelector('select').value = `+jsString(bCard)+`; f.querySelector('button').click(); return true;})()`)
	for _, p := range people {
		liveUntil(p, `document.getElementById('card-`+bCard+`') === null && document.querySelector('#card-`+aCard+` .by').textContent.includes(', ')`, 5*time.Second)
	}
	cy.screenshot("session-group")

	// Vote: budgets of 5, at most 3 on one card, tallies hidden.
	next("Vote")
	vote := func(p *browser, card string, times int) {
		t.Helper()
		for range times {
			before := liveEval[string](p, `document.querySelector('#card-`+card+` .mine').textContent`)
			liveClick(p, `#card-`+card+` .vote-plus`)
			liveUntil(p, `document.querySelector('#card-`+card+` .mine').textContent !== `+jsString(before), 5*time.Second)
		}
	}
	vote(ana, aCard, 3)
	vote(ana, cCard, 2)
	vote(ben, aCard, 3)
	vote(ben, cCard, 1)
	vote(cy, cCard, 3)
	vote(cy, aCard, 2)
	if !liveEval[bool](ana, `document.querySelector('#card-`+aCard+` .vote-plus').disabled`) {
		t.Error("ana may add a fourth vote on one card")
	}
	if got := liveEval[string](ana, `document.getElementById('my-votes').textContent`); !strings.Contains(got, "0 of 5") {
		t.Errorf("ana's budget after five votes: %q", got)
	}
	if liveEval[bool](ben, `document.querySelector('.tally') !== null`) {
		t.Error("tallies are visible while voting")
	}
	cy.screenshot("session-vote")

	// Decide: the top card (8 votes) becomes a threat in the model.
	next("Decide")
	liveUntil(ana, `document.querySelector('.ranked li').id === 'decide-`+aCard+`'`, 5*time.Second)
	form := `#decide-` + aCard + ` form.decision-form `
	ana.do(chromedp.SetValue(chromedp.CSS(form+`select[name=likelihood]`), "likely"), chromedp.SetValue(chromedp.CSS(form+`select[name=impact]`), "major"),
		chromedp.SendKeys(chromedp.CSS(form+`input[name=owner]`), "ana"), chromedp.SendKeys(chromedp.CSS(form+`input[name=mitigation]`), "Rotate the session id at sign-in"),
		chromedp.Click(chromedp.CSS(form+`button`)))
	liveUntil(ana, `document.querySelector('#decide-`+aCard+` .decided') !== null`, 5*time.Second)
	ana.do(chromedp.Click(chromedp.ID("promote")), chromedp.WaitVisible(chromedp.CSS(".decide .flash-ok")))
	if got := ana.text("#flash"); !strings.Contains(got, "version 2") {
		t.Errorf("after saving: %q", got)
	}
	liveUntil(ben, `document.querySelector('#decide-`+aCard+` .decided code') !== null`, 5*time.Second)
	ana.screenshot("session-decide")

	// Reflect: everyone says yes; the facilitator closes it as signed off.
	next("Reflect")
	for _, p := range people {
		liveUntil(p, `(function(){const y = document.getElementById('answer-yes'), b = document.getElementById('reflect-btn'); if (!y || !b) return false; y.click(); b.click(); return true;})()`, 5*time.Second)
	}
	liveUntil(ana, `document.querySelector('#status .counts').textContent.includes('3 answered')`, 5*time.Second)
	liveClick(ana, "#conclude")
	for _, p := range people {
		liveUntil(p, `(document.getElementById('outcome')||{}).textContent?.includes('Signed off')`, 5*time.Second)
	}
	ana.screenshot("session-signed-off")

	// A fourth member opens the session afterwards and sees all of it.
	dee := liveTab(ana)
	dee.signIn("dee@example.com", "member password d")
	dee.open("/s/" + id)
	body := dee.text("#live-region")
	for _, want := range []string{texts[ana], texts[cy], "Ana, Ben", "Signed off", "session-" + id + "-" + aCard, "8 votes"} {
		if !strings.Contains(body, want) {
			t.Errorf("the late joiner does not see %q", want)
		}
	}
	dee.screenshot("session-late-joiner")
	st, model := ana.api("GET", "/api/v1/systems/larkspur-shop/versions/2/model", admin, nil)
	if st != 200 || !strings.Contains(fmt.Sprint(model["files"]), "id: session-"+id+"-"+aCard) {
		t.Errorf("version 2 of the model: %d, threat missing", st)
	}
	// The merged card's two lines become one title with its words apart.
	if files := fmt.Sprint(model["files"]); !strings.Contains(files, texts[ana]+" — "+texts[ben]) {
		t.Errorf("the promoted threat's title glues the merged card's lines: %s", files)
	}
	t.Logf("screenshots in %s", ana.shot)
}
