package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTraining runs a training exercise in Chromium: a security
// engineer opens a run of the food-delivery exercise for three groups,
// three members in separate browser contexts join one group each, write
// threats and assumptions in the find phase, rank a top three, and the
// instructor completes the run and shows the overlap matrix.
func TestBrowserTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	const token = "training-setup-token"
	sec := newBrowser(t, token)
	if st, out := sec.api("POST", "/api/v1/setup", "", map[string]string{"token": token, "email": "ada@example.com", "password": "correct horse battery"}); st != 200 {
		t.Fatalf("setup: %d %v", st, out)
	}
	sec.signIn("ada@example.com", "correct horse battery")
	admin := sec.sessionCookie()
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/teams", map[string]string{"id": "payments", "name": "Payments"}},
		{"/api/v1/teams", map[string]string{"id": "growth", "name": "Growth"}},
		{"/api/v1/users", map[string]string{"email": "sam@example.com", "name": "Sam", "role": "security", "password": "security password s"}},
		{"/api/v1/users", map[string]string{"email": "ana@example.com", "name": "Ana", "role": "member", "team": "payments", "password": "member password a"}},
		{"/api/v1/users", map[string]string{"email": "ben@example.com", "name": "Ben", "role": "member", "team": "payments", "password": "member password b"}},
		{"/api/v1/users", map[string]string{"email": "cy@example.com", "name": "Cy", "role": "member", "team": "growth", "password": "member password c"}},
		{"/api/v1/users", map[string]string{"email": "dee@example.com", "name": "Dee", "role": "member", "team": "payments", "password": "member password d"}},
	} {
		if st, out := sec.api("POST", c.path, admin, c.body); st != 201 {
			t.Fatalf("seed %s: %d %v", c.path, st, out)
		}
	}
	sec.signOut()
	sec.signIn("sam@example.com", "security password s")
	ana, ben, cy, dee := liveTab(sec), liveTab(sec), liveTab(sec), liveTab(sec)
	ana.signIn("ana@example.com", "member password a")
	ben.signIn("ben@example.com", "member password b")
	cy.signIn("cy@example.com", "member password c")
	dee.signIn("dee@example.com", "member password d")

	// The instructor opens a run from the training page.
	sec.open("/training")
	sec.checkAccessible("/training")
	sec.screenshot("training-list")

	// An instructor's own exercise: problems at their line and column,
	// then saved.
	sec.do(chromedp.Click(chromedp.CSS(`#write-exercise summary`)),
		chromedp.SetValue(chromedp.ID("x-source"), strings.Replace(tinyExercise("tiny-shop"), "target: db,", "target: dbb,", 1)),
		chromedp.Click(chromedp.ID("save-exercise")), chromedp.WaitVisible(chromedp.CSS(".problems")))
	sec.waitText(".problems", `exercise.yaml:20:`)
	sec.checkAccessible("/training (exercise problems)")
	sec.do(chromedp.ScrollIntoView(chromedp.ID("write-exercise")))
	sec.screenshot("training-exercise-problems")
	sec.do(chromedp.SetValue(chromedp.ID("x-source"), tinyExercise("tiny-shop")), chromedp.Click(chromedp.ID("save-exercise")),
		chromedp.WaitVisible(chromedp.ID("design-h")))
	sec.waitText("#flash", "Exercise saved")
	sec.open("/training")
	sec.do(chromedp.SetValue(chromedp.ID("r-exercise"), "food-delivery"), chromedp.SendKeys(chromedp.ID("r-title"), "November cohort"),
		chromedp.Clear(chromedp.ID("r-groups")), chromedp.SendKeys(chromedp.ID("r-groups"), "Red\nBlue\nGreen"),
		chromedp.Click(chromedp.ID("open-run-btn")), chromedp.WaitVisible(chromedp.CSS(".instruct")))
	loc, err := chromedp.Run(sec.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	run := loc[strings.LastIndex(loc, "/")+1:]
	sec.waitText("#flash", "Run opened for 3 groups")

	// Each member joins a group and reads the design.
	people := []*browser{ana, ben, cy}
	for i, p := range people {
		p.open("/training/runs/" + run)
		p.do(chromedp.Click(chromedp.ID([]string{"join-g1", "join-g2", "join-g3"}[i])), chromedp.WaitVisible(chromedp.ID("add-note")))
	}
	ana.do(chromedp.SetValue(chromedp.ID("n-kind"), "question"), chromedp.SendKeys(chromedp.ID("n-text"), "Is the payment provider's signature checked?"),
		chromedp.Click(chromedp.ID("add-note-btn")), chromedp.WaitVisible(chromedp.ID("add-note")))
	ana.waitText(".notes", "signature checked")
	ana.checkAccessible("/training/runs/{run} (read)")
	dee.open("/training/runs/" + run)
	dee.do(chromedp.Click(chromedp.ID("join-g1")), chromedp.WaitVisible(chromedp.ID("add-note")))
	dee.waitText(".notes", "signature checked")

	// A one-off participant: the instructor makes a guest link (shown
	// once); a stranger opens it, gives a name and joins Blue, where they
	// write an assumption; nothing else of the organisation opens.
	sec.open("/training/runs/" + run)
	sec.do(chromedp.Click(chromedp.ID("make-guest-link")), chromedp.WaitVisible(chromedp.ID("new-guest-link")))
	link := sec.text("#new-guest-link")
	sec.checkAccessible("/training/runs/{run} (guest link)")
	sec.screenshot("training-guest-link")
	guest := liveTab(sec)
	guest.open(link)
	guest.checkAccessible("/training/runs/{run}/guest/{secret}")
	guest.do(chromedp.SendKeys(chromedp.ID("g-name"), "Gil"), chromedp.SetValue(chromedp.ID("g-group"), "g2"),
		chromedp.Click(chromedp.ID("guest-join")), chromedp.WaitVisible(chromedp.ID("add-note")))
	guest.waitText("#flash", "Welcome, Gil")
	guest.waitText("main", "you are a guest of this run")
	guest.do(chromedp.SetValue(chromedp.ID("n-kind"), "assumption"), chromedp.SendKeys(chromedp.ID("n-text"), "Couriers use company phones"),
		chromedp.Click(chromedp.ID("add-note-btn")), chromedp.WaitVisible(chromedp.ID("add-note")))
	guest.waitText(".notes", "company phones")
	guest.checkAccessible("/training/runs/{run} (guest)")
	guest.screenshot("training-guest-board")
	guest.open("/training")
	guest.waitText("main", "Sign in to Ward")

	// The instructor starts the find phase; Dee's open page reloads itself
	// (its live regions poll every 5 s) and offers the threat form.
	sec.open("/training/runs/" + run)
	sec.do(chromedp.Click(chromedp.ID("next-phase")), chromedp.WaitVisible(chromedp.CSS(".instruct")))
	sec.waitText("#flash", "find phase")
	took := liveUntil(dee, `!!document.getElementById('add-threat')`, 15*time.Second)
	t.Logf("a participant's page followed the phase change in %s", took.Round(100*time.Millisecond))

	add := func(p *browser, target, letter, text string) {
		t.Helper()
		p.open("/training/runs/" + run)
		p.do(chromedp.WaitVisible(chromedp.ID("add-threat")), chromedp.SetValue(chromedp.ID("t-target"), target),
			chromedp.Click(chromedp.CSS(`#add-threat input[name=stride][value=`+letter+`]`)), chromedp.SendKeys(chromedp.ID("t-text"), text),
			chromedp.Click(chromedp.ID("add-threat-btn")), chromedp.WaitVisible(chromedp.ID("add-threat")))
		p.waitText(".board", text)
	}
	add(ana, "provider-webhook", "S", "Anyone can post paid to the webhook")
	add(ana, "tracking-page", "I", "Tracking numbers count up: addresses for everyone")
	add(ana, "orders-db", "I", "Snapshots copied to analytics")
	// Dee, in the same group, sees Ana's cards appear without reloading.
	took = liveUntil(dee, `document.querySelectorAll('#board-live .tcard').length === 3`, 15*time.Second)
	t.Logf("a teammate's card reached the open board in %s", took.Round(100*time.Millisecond))
	add(ben, "courier-api", "S", "Courier id in the body: post as another courier")
	add(ben, "provider-webhook", "T", "Forged payment confirmation")
	add(ben, "payout-service", "S", "Stolen phone changes the payout account")
	add(cy, "auth-service", "D", "Bots request SMS codes to premium numbers")
	add(cy, "support-console", "E", "Agents refund friends without approval")
	add(cy, "tracking-page", "I", "The link shows the home address")
	ana.checkAccessible("/training/runs/{run} (find)")
	ana.do(chromedp.ScrollIntoView(chromedp.ID("threats-h")))
	ana.screenshot("training-group-board")

	// Groups do not see each other's boards before the run is done.
	if ben.exists(`#card-g1-c1`) {
		t.Error("Ben sees Red's card")
	}

	sec.open("/training/runs/" + run)
	sec.do(chromedp.Click(chromedp.ID("next-phase")), chromedp.WaitVisible(chromedp.CSS(".instruct")))
	sec.waitText("#flash", "prioritise phase")
	rank := func(p *browser, ids ...string) {
		t.Helper()
		p.open("/training/runs/" + run)
		p.do(chromedp.WaitVisible(chromedp.ID("top-three")))
		for i, id := range ids {
			p.do(chromedp.SetValue(chromedp.ID([]string{"top1", "top2", "top3"}[i]), id))
		}
		p.do(chromedp.Click(chromedp.ID("save-top")), chromedp.WaitVisible(chromedp.ID("submit-group")))
		p.waitText("#flash", "Top three saved")
		p.do(chromedp.Click(chromedp.ID("submit-group")), chromedp.WaitVisible(chromedp.CSS("main")))
		p.waitText("#flash", "submitted")
	}
	rank(ana, "g1-c1", "g1-c2")
	rank(ben, "g2-c1", "g2-c2", "g2-c3")
	rank(cy, "g3-c3", "g3-c2", "g3-c1")

	// The instructor compares the groups before completing, adds Red's
	// outside find to the reference, then completes the run.
	sec.open("/training/runs/" + run)
	sec.screenshot("training-instructor")
	sec.open("/training/runs/" + run + "/results")
	sec.do(chromedp.Click(chromedp.CSS(`#result-g1 details summary`)), chromedp.SetValue(chromedp.CSS(`#result-g1 form.accept select`), "low"),
		chromedp.Click(chromedp.CSS(`#result-g1 form.accept button`)), chromedp.WaitVisible(chromedp.ID("overlap")))
	sec.waitText("#flash", "Added to this run's reference")
	sec.open("/training/runs/" + run)
	sec.do(chromedp.Click(chromedp.ID("next-phase")), chromedp.WaitVisible(chromedp.ID("overlap")))
	sec.waitText("#flash", "training evidence recorded")
	sec.checkAccessible("/training/runs/{run}/results")

	// The overlap matrix: Red and Blue share the forged webhook, Red and
	// Green the tracking page; Blue and Green nothing.
	cells, err := chromedp.Run(sec.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#overlap tbody td')].map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cells, " "), "3 1 1 1 3 0 1 0 3"; got != want {
		t.Errorf("overlap matrix %q, want %q", got, want)
	}
	sec.waitText("#result-g2", "Only this group found")
	sec.waitText("#together", "The groups together found 7 of 13")
	sec.screenshot("training-results")

	// The guest link ended with the run.
	guest.open("/training/runs/" + run)
	guest.waitText("main", "410")
	// Participants see the results once the run is done.
	cy.open("/training/runs/" + run + "/results")
	cy.waitText("#overlap", "Green")
	if st, out := cy.api("GET", "/api/v1/teams/growth/training", cy.sessionCookie(), nil); st != 200 || len(out["items"].([]any)) != 1 {
		t.Errorf("growth's training evidence: %d %v", st, out)
	}
}
