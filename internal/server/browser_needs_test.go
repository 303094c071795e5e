package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// needsBrowserModel states no asset's sensitivity, and its store has two
// writers: Ward raises the shared store's tampering unverified and asks
// what the readings need (question readings.needs).
const needsBrowserModel = `ward: 1
system: {id: meters, name: Meters}
assets:
  - {id: readings, name: Meter readings}
components:
  - {id: ingest, kind: service}
  - {id: admin, kind: service}
  - {id: db, kind: datastore, stores: [readings]}
flows:
  - {from: ingest, to: db}
  - {from: admin, to: db}
`

// TestBrowserAnswerNeeds: the question of what an asset needs offers a
// classification (Public, Internal, Confidential, Restricted), not Yes /
// No; answering it saves a version whose model states the classification,
// and the question goes away.
func TestBrowserAnswerNeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const row = `tr[id="q-readings.needs"]`
	b, admin, problems := questionPage(t, needsBrowserModel, row)
	if b.exists(row+` button[value=yes]`) || !b.exists(row+` button[value=restricted]`) {
		t.Errorf("the needs question does not offer the four classifications:\n%s", b.text(row))
	}
	b.scrollTo(row)
	b.screenshot("system-needs-question")
	b.checkAccessible("system page, needs question")
	b.do(chromedp.Click(chromedp.CSS(row + ` button[value=internal]`)))
	b.waitText("#flash", "Answered")
	if got := b.text("#flash"); !strings.Contains(got, "saved as version 2") {
		t.Errorf("after answering the flash says %q", got)
	}
	if b.exists(row) {
		t.Errorf("question readings.needs is still open after it was answered")
	}
	b.modelStates(admin, "classification: internal")
	problems.check(t, "needs question")
}

// carriesBrowserModel states what its database stores but not what the
// link into it carries: Ward reads the link as carrying the readings
// (inferred), raises its cleartext threat unverified and asks what the
// flow carries (question ingest-db.carries).
const carriesBrowserModel = `ward: 1
system: {id: meters, name: Meters}
assets:
  - {id: readings, name: Meter readings}
  - {id: tariffs, name: Tariff tables, classification: public}
boundaries:
  - {id: office, trust: partner}
  - {id: cloud, trust: restricted}
components:
  - {id: ingest, kind: service, boundary: office}
  - {id: db, kind: datastore, boundary: cloud, stores: [readings]}
flows:
  - {id: ingest-db, from: ingest, to: db, protocol: sql}
`

// TestBrowserAnswerCarries: the question of what a flow carries offers one
// checkbox per asset with Ward's reading ticked; saving writes the ticked
// assets as the flow's carries list, and the question goes away.
func TestBrowserAnswerCarries(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const row = `tr[id="q-ingest-db.carries"]`
	b, admin, problems := questionPage(t, carriesBrowserModel, row)
	if !b.exists(row+` input[type=checkbox][value=readings]:checked`) || b.exists(row+` input[value=tariffs]:checked`) {
		t.Errorf("the carries question does not tick Ward's reading (readings) alone:\n%s", b.text(row))
	}
	if b.exists(row + ` button[value=yes]`) {
		t.Errorf("the carries question offers Yes / No")
	}
	b.scrollTo(row)
	b.screenshot("system-carries-question")
	b.checkAccessible("system page, carries question")
	b.do(chromedp.Click(chromedp.CSS(row + ` input[value=tariffs]`)))
	b.do(chromedp.Click(chromedp.CSS(row + ` button[type=submit]`)))
	b.waitText("#flash", "Answered")
	if b.exists(row) {
		t.Errorf("question ingest-db.carries is still open after it was answered")
	}
	b.modelStates(admin, "carries: [readings, tariffs]")
	problems.check(t, "carries question")
}

// questionPage pushes model as system meters of a new team, signs its
// administrator in and opens the system's questions, where row must be.
func questionPage(t *testing.T, model, row string) (*browser, string, *consoleProblems) {
	t.Helper()
	const token = "question-setup-token"
	b := newBrowser(t, token)
	problems := &consoleProblems{}
	problems.listen(b)
	admin := b.adminWithTeam(token)
	b.pushModel(admin, "meters", map[string]string{"ward.yaml": model})
	b.signIn("ada@example.com", "correct horse battery")
	b.open("/systems/meters#questions")
	if !b.exists(row) {
		t.Fatalf("no question %s on the system page:\n%s", row, b.text("#questions"))
	}
	return b, admin, problems
}

// modelStates checks that the latest version of system meters holds want.
func (b *browser) modelStates(session, want string) {
	b.t.Helper()
	status, out := b.api("GET", "/api/v1/systems/meters/versions/latest/model", session, nil)
	if status != 200 {
		b.t.Fatalf("model: %d %v", status, out)
	}
	files, _ := out["files"].(map[string]any)
	if y, _ := files["ward.yaml"].(string); !strings.Contains(y, want) {
		b.t.Errorf("the answered model does not state %q:\n%s", want, y)
	}
}
