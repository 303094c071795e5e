package spec

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestLoadInfersFlags checks model.InferFlags through the loader: the admin
// and paid flags a sparse model leaves out are read from a component's name
// and the flows into it, quiet where the evidence is missing, and a stated
// flag (even false) always wins.
func TestLoadInfersFlags(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(`ward: 1
system: {id: s, name: S}
boundaries:
  - {id: corp, trust: internal}
  - {id: net, trust: internet}
  - {id: vendors, trust: partner}
components:
  - {id: support-agent, name: Support agent, kind: person, boundary: corp}
  - {id: caseworker, name: Caseworker, kind: person, boundary: corp}
  - {id: ops-lead, name: Ops lead, kind: person}
  - {id: shopper, name: Shopper, kind: person, boundary: net}
  - {id: browser, name: Staff browser, kind: client, boundary: corp}
  - {id: support-console, name: Support console, kind: service, boundary: corp}
  - {id: case-console, name: Case console, kind: service, boundary: corp}
  - {id: back-office, name: Back office, kind: service, boundary: corp}
  - {id: shop-admin, name: Shop admin, kind: service, boundary: corp}
  - {id: client-console, name: Ops console, kind: service, boundary: corp}
  - {id: stated-console, name: Support console, kind: service, boundary: corp, admin: false}
  - {id: auth, name: Auth service, kind: service, boundary: corp}
  - {id: reminders, name: Reminder worker, kind: service, boundary: corp}
  - {id: sms, name: SMS provider, kind: external, boundary: vendors}
  - {id: sms-reminders, name: SMS gateway, kind: external, boundary: vendors}
  - {id: sms-stated, name: SMS provider, kind: external, boundary: vendors, paid: false}
  - {id: sms-ours, name: SMS sender, kind: service, boundary: corp}
flows:
  - {from: support-agent, to: support-console}
  - {from: caseworker, to: case-console}
  - {from: ops-lead, to: back-office}
  - {from: shopper, to: shop-admin}
  - {from: support-agent, to: shop-admin}
  - {from: browser, to: client-console}
  - {from: support-agent, to: stated-console}
  - {from: auth, to: sms}
  - {from: reminders, to: sms-reminders}
  - {from: auth, to: sms-stated}
  - {from: auth, to: sms-ours}
`))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	for id, want := range map[string]bool{
		"support-console": true,  // staff-only, a support console
		"back-office":     true,  // its user is in no boundary and named for ops
		"case-console":    false, // a caseworker's work tool, not run-the-system staff
		"shop-admin":      false, // an internet user reaches it
		"client-console":  false, // reached through a client, not by people directly
		"stated-console":  false, // admin: false is stated
		"auth":            false,
	} {
		c := m.Component(id)
		if c.Admin != want || (c.Inferred&model.InferredAdmin != 0) != want || slices.Contains(c.InferredFacts(), "admin") != want {
			t.Errorf("%s: admin %v inferred %b, want %v", id, c.Admin, c.Inferred, want)
		}
		if c.StatedAdmin() {
			t.Errorf("%s: StatedAdmin true for an unstated flag", id)
		}
	}
	for id, want := range map[string]bool{
		"sms":           true,  // one-time codes from a sign-in service
		"sms-reminders": false, // reminders: often stated unpaid
		"sms-stated":    false, // paid: false is stated
		"sms-ours":      false, // the team's own service
	} {
		c := m.Component(id)
		if c.Paid != want || (c.Inferred&model.InferredPaid != 0) != want || slices.Contains(c.InferredFacts(), "paid") != want {
			t.Errorf("%s: paid %v inferred %b, want %v", id, c.Paid, c.Inferred, want)
		}
		if c.StatedPaid() {
			t.Errorf("%s: StatedPaid true for an unstated flag", id)
		}
	}
}

// TestLoadKeepsStatedFlags: a stated true flag is not marked inferred.
func TestLoadKeepsStatedFlags(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(`ward: 1
system: {id: s, name: S}
boundaries:
  - {id: corp, trust: internal}
components:
  - {id: staff, name: Support staff, kind: person, boundary: corp}
  - {id: console, name: Support console, kind: service, boundary: corp, admin: true}
  - {id: sms, name: SMS provider, kind: external, paid: true}
  - {id: auth, name: Auth service, kind: service, boundary: corp}
flows:
  - {from: staff, to: console}
  - {from: auth, to: sms}
`))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	for _, id := range []string{"console", "sms"} {
		c := m.Component(id)
		if c.Inferred != 0 || c.InferredFacts() != nil {
			t.Errorf("%s: stated flag marked inferred (%b)", id, c.Inferred)
		}
	}
	if !m.Component("console").StatedAdmin() || !m.Component("sms").StatedPaid() {
		t.Error("stated flags not reported as stated")
	}
}

// TestLoadInfersMetered checks model.InferMetered through the loader: in a
// model that states neither paid nor third_party on any component, a called
// external whose name says it is an API billed per use is read as paid;
// email, an uncalled external and the team's own service are not, and one
// stated paid or third_party key anywhere closes the reading.
func TestLoadInfersMetered(t *testing.T) {
	const base = `ward: 1
system: {id: s, name: S}
components:
  - {id: app, name: App, kind: service}
  - {id: maps-api, name: Maps API, kind: external}
  - {id: translator, kind: external}
  - {id: email-provider, name: Email provider, kind: external}
  - {id: weather-api, name: Weather API, kind: external}
  - {id: ocr, name: OCR worker, kind: service}
flows:
  - {from: app, to: maps-api}
  - {from: app, to: translator}
  - {from: app, to: email-provider}
  - {from: app, to: ocr}
`
	for _, tc := range []struct {
		name, extra string
		want        map[string]bool
	}{
		{"sparse", "", map[string]bool{
			"maps-api":       true,  // called, a maps API
			"translator":     true,  // the id names it
			"email-provider": false, // email: mostly stated unpaid
			"weather-api":    false, // nothing calls it
			"ocr":            false, // the team's own service
		}},
		{"third_party stated", "  - {id: bank, kind: external, third_party: true}\n", map[string]bool{"maps-api": false, "translator": false}},
		{"paid stated", "  - {id: bank, kind: external, paid: false}\n", map[string]bool{"maps-api": false, "translator": false}},
	} {
		src := strings.Replace(base, "flows:\n", tc.extra+"flows:\n", 1)
		m, ds, err := Parse("ward.yaml", []byte(src))
		if err != nil || len(ds) > 0 {
			t.Fatal(tc.name, err, ds)
		}
		for id, want := range tc.want {
			c := m.Component(id)
			if c.Paid != want || (c.Inferred&model.InferredPaid != 0) != want || c.StatedPaid() {
				t.Errorf("%s: %s: paid %v inferred %b, want %v", tc.name, id, c.Paid, c.Inferred, want)
			}
		}
	}
}
