package server_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wardtm/ward/internal/server"
)

// TestProgrammeBrowser: on the demo data, a security lead sees which team
// is ready to graduate and why — every number next to its rule, with the
// records behind it on the same page — and confirms the move with a note;
// a leader reads the one-page summary, which prints on one page.
func TestProgrammeBrowser(t *testing.T) {
	const pw = "browser demo password"
	b := newBrowserWith(t, "", func(s *server.Server) {
		loadProgrammeDemo(t, s)
		if _, err := s.LoadDemoAccounts(t.Context(), pw); err != nil {
			t.Fatal(err)
		}
	})
	b.signIn("security@demo.example", pw)
	b.open("/programme")
	b.checkAccessible("programme")
	b.screenshot("programme")
	// The teams with a proposal come first, with why.
	first := b.text("table.programme tbody tr")
	if !strings.Contains(first, "Proposal waiting for a coach") {
		t.Errorf("first team row: %q", first)
	}
	row := b.text(`table.programme tbody tr:has(a[href="/programme/teams/payments"])`)
	if !strings.Contains(row, "Review") || !strings.Contains(row, "ready for Security-optional") {
		t.Errorf("payments row: %q", row)
	}

	b.do(chromedp.Click(chromedp.CSS(`a[href="/programme/teams/payments"]`)), chromedp.WaitVisible(chromedp.ID("proposal")))
	b.checkAccessible("programme team")
	b.screenshot("programme-team")
	prop := b.text("#proposal")
	for _, want := range []string{"Ward proposes: move to Security-optional", "critical threats added by security", "share of medium threats added by security", "months of reviewed history"} {
		if !strings.Contains(prop, want) {
			t.Errorf("the proposal does not say %q:\n%s", want, prop)
		}
	}
	// Every reviewed model the numbers count is a record on this page.
	hrefs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#proposal a[href^="#rm-"]')].map(a => a.getAttribute('href'))`))
	if err != nil {
		b.fail(err)
	}
	if len(hrefs) < 5 {
		t.Errorf("the proposal links %d reviewed models, want the 5+ it counts", len(hrefs))
	}
	for _, h := range hrefs {
		if !b.exists(h) {
			t.Errorf("the proposal links %s, which is not on the page", h)
		}
	}
	// The share of mediums: its number matches the reviewed models' table.
	share, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#proposal table.checks tr')].map(r => r.innerText).find(t => t.startsWith('share of medium')) || ''`))
	if err != nil {
		b.fail(err)
	}
	if m := regexp.MustCompile(`(\d+) of (\d+)`).FindStringSubmatch(share); m == nil {
		t.Errorf("medium share without its numbers: %q", share)
	}

	b.do(chromedp.SendKeys(chromedp.CSS(`#proposal textarea[name=note]`), "Agreed at the coaching call: five clean reviews since spring."),
		chromedp.Click(chromedp.CSS(`#proposal button[value=confirm]`)))
	b.waitText("#flash", "Confirmed: payments moves to Security-optional.")
	if h1 := b.text("main h1"); !strings.Contains(h1, "Security-optional") {
		t.Errorf("after confirming, the heading says %q", h1)
	}
	if hist := b.text("section[aria-labelledby=hist-h]"); !strings.Contains(hist, "Agreed at the coaching call") {
		t.Errorf("the history lacks the note:\n%s", hist)
	}
	b.screenshot("programme-confirmed")
	// Import a pen test's finding by pasting it: a bad line is refused
	// with its place, a good one answered at once.
	b.open("/programme/findings")
	b.do(chromedp.Click(chromedp.CSS(`details.act summary`)),
		chromedp.SetValue(chromedp.ID("content"), "source,title,severity,found,system,element,category\npen_test,Order export leaks,severe,2026-11-20,payments-checkout,web,information_disclosure\n"),
		chromedp.Click(chromedp.CSS(`form[action="/programme/findings"] button[type=submit]`)))
	b.waitText("main", "pasted text:2:29: severity \"severe\"")
	b.do(chromedp.SetValue(chromedp.ID("content"), "source,title,severity,found,system,element,category\npen_test,Order export leaks,high,2026-11-20,payments-checkout,web,repudiation\n"),
		chromedp.Click(chromedp.CSS(`form[action="/programme/findings"] button[type=submit]`)))
	b.waitText("main", "Imported 1 findings (1 new)")
	b.open("/programme/findings?catch=escape")
	b.checkAccessible("outside findings")
	b.screenshot("programme-findings")
	b.signOut()

	// A leader (viewer) reads the one-page summary.
	b.signIn("viewer@demo.example", pw)
	b.open("/programme/summary")
	b.checkAccessible("summary")
	b.screenshot("programme-summary")
	sum := b.text("main")
	for _, want := range []string{"executive summary", "teams lead their own threat analysis", "Fixing them in production instead would have cost an estimated USD", "central", "McConnell", "HackerOne", "BSIMM16"} {
		if !strings.Contains(sum, want) {
			t.Errorf("the summary does not say %q", want)
		}
	}
	printBG := true
	pdf, err := chromedp.Call(b.ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &printBG, PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		b.fail(err)
	}
	if n := bytes.Count(pdf.Data, []byte("/Type /Page\n")) + bytes.Count(pdf.Data, []byte("/Type /Page>>")) + bytes.Count(pdf.Data, []byte("/Type /Page ")); n != 1 {
		t.Errorf("the summary prints on %d pages, want one (%d bytes of PDF)", n, len(pdf.Data))
	}
	b.open("/programme/leadership")
	b.checkAccessible("leadership")
	b.screenshot("programme-leadership")
}
