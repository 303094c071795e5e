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
