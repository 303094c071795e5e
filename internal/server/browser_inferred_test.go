package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// inferredModel is a sparse model: no component states what it
// processes, so Ward reads what the API processes and the database
// stores from their flows; the support console's admin flag is read from
// its name and its users; the database's kind from its name.
const inferredModel = `ward: 1
system: {id: clinic, name: Clinic}
boundaries:
  - {id: corp, name: Corporate, trust: internal}
components:
  - {id: staff, name: Support staff, kind: person, boundary: corp}
  - {id: console, name: Support console, kind: service, boundary: corp}
  - {id: api, name: Records API, kind: service, boundary: corp}
  - {id: db, name: Records database, kind: service, boundary: corp}
assets:
  - {id: records, name: Patient records, data: [phi]}
flows:
  - {id: staff-console, from: staff, to: console, protocol: https, encryption: tls}
  - {id: console-api, from: console, to: api, protocol: https, encryption: tls, carries: [records]}
  - {id: api-db, from: api, to: db, protocol: tls, encryption: tls, carries: [records]}
`

// TestBrowserInferredFacts: what Ward inferred for a sparse model is
// shown marked, never as stated: the selected element's card on the
// system page lists the guesses with "(inferred)", and the visual editor's
// Stores and Processes boxes show what the model states (nothing),
// the assets read from the flows marked beside them, so that ticking a
// box does not write the guess into the model.
func TestBrowserInferredFacts(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const token = "inferred-setup-token"
	b := newBrowser(t, token)
	var problems consoleProblems
	problems.listen(b)
	admin := b.adminWithTeam(token)
	b.pushModel(admin, "clinic", map[string]string{"ward.yaml": inferredModel})
	b.signIn("ada@example.com", "correct horse battery")

	// The system page, the database selected: its guessed kind and what
	// it stores are marked.
	b.open("/systems/clinic?element=db#threats")
	card := b.text("#selected")
	for _, want := range []string{"kind datastore (inferred)", "stores records (inferred)"} {
		if !strings.Contains(card, want) {
			t.Errorf("the selected database's card lacks %q:\n%s", want, card)
		}
	}
	b.scrollTo("#selected")
	b.screenshot("system-selected-inferred")
	b.checkAccessible("system page, element with inferred facts")
	b.open("/systems/clinic?element=console#threats")
	if card := b.text("#selected"); !strings.Contains(card, "admin (inferred)") || !strings.Contains(card, "processes records (inferred)") {
		t.Errorf("the selected console's card lacks its inferred admin flag or processes:\n%s", card)
	}
	b.open("/systems/clinic?element=staff#threats")
	if b.exists("#selected ul.inferred") {
		t.Errorf("a component with nothing inferred lists inferred facts: %s", b.text("#selected"))
	}

	// The visual editor: the API selected, its Processes box for records
	// unticked and marked.
	b.open("/systems/clinic/draw")
	b.wait(`window.wardDraw && window.wardDraw.ready`)
	b.do(chromedp.Click(chromedp.CSS(`g[data-cell-id="c:api"]`)))
	b.wait(`document.querySelector('#props input[name=processes][value=records]') !== null`)
	box, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(function(){var cb=document.querySelector('#props input[name=processes][value=records]'); return cb.checked + '|' + cb.parentNode.textContent;})()`))
	if err != nil {
		b.fail(err)
	}
	if box != "false|records (inferred)" {
		t.Errorf("the API's Processes box for records: %q, want unticked and marked (inferred)", box)
	}
	b.scrollTo(`#props input[name=processes][value=records]`)
	b.screenshot("editor-draw-inferred")
	// Ticking it states it: the model gains processes: [records].
	b.do(chromedp.Click(chromedp.CSS(`#props input[name=processes][value=records]`)))
	b.wait(`!window.wardDraw.state().busy && document.querySelector('#draw-diff').textContent.includes('processes: [records]')`)
	d, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('draw-diff').textContent`))
	if err != nil {
		b.fail(err)
	}
	if strings.Contains(d, "stores:") {
		t.Errorf("stating the API's processes wrote a guessed stores list too:\n%s", d)
	}
	problems.check(t, "inferred facts")
	t.Logf("screenshots in %s", b.shot)
}

// foldModel has an unverified flow threat (the partner feed's flow, its
// authentication unknown) folded into the API's open threat (it states it
// authenticates no caller); with auth set, the flow states its
// authentication.
func foldModel(auth string) string {
	return `ward: 1
system: {id: fold, name: Fold}
boundaries:
  - {id: partner, trust: partner}
  - {id: corp, trust: internal}
components:
  - {id: feed, name: Partner feed, kind: service, boundary: partner, third_party: true}
  - {id: api, name: Orders API, kind: service, boundary: corp, controls: {authenticates: no}}
flows:
  - {id: feed-api, from: feed, to: api, protocol: https, encryption: tls` + auth + `}
`
}

// TestBrowserDiffFoldedStatus: the versions page of a system shows a
// threat folded as unverified into an open one, open on its own in the
// next version, as re-opened, from its own status (unverified), with the
// threat it was folded into.
func TestBrowserDiffFoldedStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const token = "fold-setup-token"
	b := newBrowser(t, token)
	var problems consoleProblems
	problems.listen(b)
	admin := b.adminWithTeam(token)
	for _, auth := range []string{"", ", authentication: none"} {
		b.pushModel(admin, "fold", map[string]string{"ward.yaml": foldModel(auth)})
	}
	b.signIn("ada@example.com", "correct horse battery")
	b.open("/systems/fold/diff")
	row := b.text(`main table tbody tr:first-child`)
	for _, want := range []string{"unauthenticated-inbound-flow:feed-api", "(folded into unauthenticated-entry-point:api on one side)", "reopened", "Unverified", "Open"} {
		if !strings.Contains(row, want) {
			t.Errorf("the diff's first row lacks %q: %q", want, row)
		}
	}
	b.screenshot("diff-folded-reopened")
	b.checkAccessible("versions diff with a folded threat")
	problems.check(t, "diff page")
}
