package analysis_test

import (
	"slices"
	"testing"
)

// mentionModel: an API on the internet edge that people reach through a
// browser app and a partner system calls, reading orders from its database.
const mentionModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: confidential, data: [pii]}
boundaries:
  - {id: internet, trust: internet}
  - {id: partners, trust: partner}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: app, kind: client, boundary: internet}
  - {id: partner, kind: external, boundary: partners, third_party: true}
  - {id: api, kind: service, boundary: dc, processes: [orders]}
  - {id: db, kind: datastore, boundary: dc, stores: [orders]}
flows:
  - {from: user, to: app, protocol: https}
  - {from: app, to: api, protocol: https, authentication: token, carries: [orders], returns: [orders]}
  - {from: partner, to: api, protocol: https, authentication: api_key, returns: [orders]}
  - {from: db, to: api, protocol: sql, returns: [orders]}
`

// TestMentionsCallers: missing-object-authorization on the API names the
// callers its title names (the app and the partner) among its targets,
// after the service, once the threats listed are chosen; the person
// behind the app and the store are not named (family22).
func TestMentionsCallers(t *testing.T) {
	a := analyse(t, mentionModel)
	var got []string
	for _, f := range a.Findings {
		if f.ID != "missing-object-authorization:api" {
			continue
		}
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
	}
	if len(got) == 0 || got[0] != "api" {
		t.Fatalf("missing-object-authorization:api targets %v, want api first", got)
	}
	for _, id := range []string{"app", "partner"} {
		if !slices.Contains(got, id) {
			t.Errorf("missing-object-authorization:api targets %v, want %s among them", got, id)
		}
	}
	for _, id := range []string{"user", "db"} {
		if slices.Contains(got, id) {
			t.Errorf("missing-object-authorization:api targets %v, want no %s", got, id)
		}
	}
}

// credsModel: a backup job that signs in to a database with a password it
// holds, calls an outside API with a key, writes to a bucket with its
// workload role and calls a service of ours passing the user's identity.
const credsModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: rows, classification: restricted, data: [pii]}
  - {id: db-login, kind: credential, classification: restricted, data: [credentials]}
boundaries:
  - {id: dc, trust: internal}
  - {id: saas, trust: partner}
components:
  - {id: job, kind: function, boundary: dc, processes: [rows, db-login], controls: {least_privilege: no}}
  - {id: db, kind: datastore, boundary: dc, stores: [rows]}
  - {id: bucket, kind: storage, boundary: dc, stores: [rows]}
  - {id: api, kind: service, boundary: dc}
  - {id: vendor, kind: external, boundary: saas, third_party: true}
flows:
  - {id: dump, from: job, to: db, protocol: sql, authentication: password, carries: [db-login], returns: [rows]}
  - {id: copy, from: job, to: bucket, protocol: https, authentication: iam, carries: [rows]}
  - {id: ask, from: job, to: api, protocol: https, authentication: token, forwards_identity: yes}
  - {id: push, from: job, to: vendor, protocol: https, authentication: api_key}
`

// TestMentionsCredentialFlows: integration-credentials-overreach on the
// job names the calls on which it presents a credential of its own (the
// database login, the vendor's key), not the workload-role write nor the
// call that passes the user's identity on (family23).
func TestMentionsCredentialFlows(t *testing.T) {
	a := analyse(t, credsModel)
	var got []string
	for _, f := range a.Findings {
		if f.ID != "integration-credentials-overreach:job" {
			continue
		}
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
	}
	if len(got) == 0 || got[0] != "job" {
		t.Fatalf("integration-credentials-overreach:job targets %v, want job first", got)
	}
	for _, id := range []string{"dump", "push"} {
		if !slices.Contains(got, id) {
			t.Errorf("integration-credentials-overreach:job targets %v, want %s among them", got, id)
		}
	}
	for _, id := range []string{"copy", "ask"} {
		if slices.Contains(got, id) {
			t.Errorf("integration-credentials-overreach:job targets %v, want no %s", got, id)
		}
	}
}

// foldedModel: an API that two clients send state to and a partner calls.
// Object authorization's tampering reading on the API joins the client-state
// threat on the API (one tampering line per element), listed before it.
const foldedModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: confidential, data: [pii]}
  - {id: sessions, kind: credential, classification: restricted, data: [credentials]}
boundaries:
  - {id: internet, trust: internet}
  - {id: partners, trust: partner}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: app, kind: client, boundary: internet}
  - {id: web, kind: client, boundary: internet}
  - {id: partner, kind: external, boundary: partners, third_party: true}
  - {id: api, kind: service, boundary: dc, processes: [orders, sessions]}
  - {id: db, kind: datastore, boundary: dc, stores: [orders]}
flows:
  - {from: user, to: app, protocol: https}
  - {from: user, to: web, protocol: https}
  - {from: app, to: api, protocol: https, authentication: token, carries: [orders, sessions], returns: [orders]}
  - {from: web, to: api, protocol: https, authentication: token, carries: [orders, sessions], returns: [orders]}
  - {from: partner, to: api, protocol: https, authentication: api_key, returns: [orders]}
  - {from: db, to: api, protocol: sql, returns: [orders]}
`

// TestMentionsFolded: the threat a further threat joined stands for it, so
// it names the callers the folded threat's rule mentions on the same
// component: client-computed-state-trusted:api, into which
// missing-object-authorization:api:tampering folded, names the partner
// that can change another customer's orders through the API (rank25).
func TestMentionsFolded(t *testing.T) {
	a := analyse(t, foldedModel)
	var got, folded []string
	for _, f := range a.Findings {
		if f.ID != "client-computed-state-trusted:api" {
			continue
		}
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		for _, fd := range f.Folded {
			folded = append(folded, fd.ID)
		}
	}
	if !slices.Contains(folded, "missing-object-authorization:api:tampering") {
		t.Fatalf("client-computed-state-trusted:api folded %v, want missing-object-authorization:api:tampering among them", folded)
	}
	if !slices.Contains(got, "partner") {
		t.Errorf("client-computed-state-trusted:api targets %v, want partner among them", got)
	}
	if slices.Contains(got, "db") || slices.Contains(got, "user") {
		t.Errorf("client-computed-state-trusted:api targets %v, want no db or user", got)
	}
}

// keyedModel: a browser tag that calls our collector and a maps service
// with static API keys and signs its user in with a password.
const keyedModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: events, classification: confidential, data: [pii], integrity: high}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: tag, kind: client, boundary: internet, tech: JavaScript tag}
  - {id: maps, kind: external, boundary: internet, third_party: true}
  - {id: auth, kind: service, boundary: dc}
  - {id: collector, kind: service, boundary: dc, processes: [events]}
flows:
  - {from: user, to: tag, protocol: ui}
  - {from: tag, to: auth, protocol: https, encryption: tls, authentication: password}
  - {from: tag, to: collector, protocol: https, encryption: tls, authentication: api_key, carries: [events]}
  - {from: tag, to: maps, protocol: https, encryption: tls, authentication: api_key}
`

// TestMentionsKeyedServices: secrets-in-client on a client names the
// services its static API keys are for (whoever extracts a key calls them
// as the app), not the service it signs in to with its user's password
// (rank25b).
func TestMentionsKeyedServices(t *testing.T) {
	a := analyse(t, keyedModel)
	found := false
	for _, f := range a.Findings {
		if f.Rule != "secrets-in-client" {
			continue
		}
		found = true
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		if len(got) == 0 || got[0] != "tag" || !slices.Contains(got, "collector") || !slices.Contains(got, "maps") || slices.Contains(got, "auth") {
			t.Errorf("%s targets %v, want tag first, collector and maps, not auth", f.ID, got)
		}
	}
	if !found {
		t.Fatal("no secrets-in-client threat on tag")
	}
}
