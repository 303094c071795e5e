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
	const token = "needs-setup-token"
	b := newBrowser(t, token)
	var problems consoleProblems
	problems.listen(b)
	admin := b.adminWithTeam(token)
	b.pushModel(admin, "meters", map[string]string{"ward.yaml": needsBrowserModel})
	b.signIn("ada@example.com", "correct horse battery")

	b.open("/systems/meters#questions")
	const row = `tr[id="q-readings.needs"]`
	if !b.exists(row) {
		t.Fatalf("no question readings.needs on the system page:\n%s", b.text("#questions"))
	}
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
	status, out := b.api("GET", "/api/v1/systems/meters/versions/latest/model", admin, nil)
	if status != 200 {
		t.Fatalf("model: %d %v", status, out)
	}
	files, _ := out["files"].(map[string]any)
	if y, _ := files["ward.yaml"].(string); !strings.Contains(y, "classification: internal") {
		t.Errorf("the answered model does not state the classification:\n%s", y)
	}
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
	const token = "carries-setup-token"
	b := newBrowser(t, token)
	var problems consoleProblems
	problems.listen(b)
	admin := b.adminWithTeam(token)
	b.pushModel(admin, "meters", map[string]string{"ward.yaml": carriesBrowserModel})
	b.signIn("ada@example.com", "correct horse battery")

	b.open("/systems/meters#questions")
	const row = `tr[id="q-ingest-db.carries"]`
	if !b.exists(row) {
		t.Fatalf("no question ingest-db.carries on the system page:\n%s", b.text("#questions"))
	}
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
	status, out := b.api("GET", "/api/v1/systems/meters/versions/latest/model", admin, nil)
	if status != 200 {
		t.Fatalf("model: %d %v", status, out)
	}
	files, _ := out["files"].(map[string]any)
	if y, _ := files["ward.yaml"].(string); !strings.Contains(y, "carries: [readings, tariffs]") {
		t.Errorf("the answered model does not state what the flow carries:\n%s", y)
	}
	problems.check(t, "carries question")
}
