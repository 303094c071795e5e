package spec

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// heldModel is a sparse model: assets named only, where data goes stated on
// the flows, one store with a stated stores list and one queue.
const heldModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: backups}
  - {id: orders}
  - {id: events}
components:
  - {id: worker, kind: function}
  - {id: test-db, kind: datastore}
  - {id: orders-db, kind: datastore, stores: [orders]}
  - {id: topic, kind: queue}
  - {id: engineer, kind: person}
flows:
  - {from: worker, to: test-db, carries: [backups]}
  - {from: worker, to: orders-db, carries: [backups], returns: [orders]}
  - {from: worker, to: topic, carries: [events]}
  - {from: engineer, to: worker, carries: [orders]}
`

func ids(as []*model.Asset) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestInferHeldFires: in a model that states no processes, a store that
// states no stores keeps what its flows carry, and a process processes what
// its flows carry and return; both are marked inferred.
func TestInferHeldFires(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(heldModel))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	db := m.Component("test-db")
	if got := ids(db.Stores); !slices.Equal(got, []string{"backups"}) || db.Inferred&model.InferredStores == 0 {
		t.Errorf("test-db stores %v inferred %b", got, db.Inferred)
	}
	if db.StatedStores() != nil || !slices.Equal(db.InferredFacts(), []string{"stores"}) {
		t.Errorf("test-db stated %v facts %v", ids(db.StatedStores()), db.InferredFacts())
	}
	w := m.Component("worker")
	if got := ids(w.Processes); !slices.Equal(got, []string{"backups", "orders", "events"}) || w.Inferred&model.InferredProcesses == 0 {
		t.Errorf("worker processes %v inferred %b", got, w.Inferred)
	}
	if got := ids(w.Assets()); !slices.Equal(got, []string{"backups", "orders", "events"}) {
		t.Errorf("worker assets %v", got)
	}
}

// TestInferHeldStatedWins: a stated stores list is kept as stated, and a
// queue or a person is given nothing.
func TestInferHeldStatedWins(t *testing.T) {
	m, _, err := Parse("ward.yaml", []byte(heldModel))
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Component("orders-db"); !slices.Equal(ids(c.Stores), []string{"orders"}) || c.Inferred != 0 {
		t.Errorf("orders-db stores %v inferred %b", ids(c.Stores), c.Inferred)
	}
	for _, id := range []string{"topic", "engineer"} {
		if c := m.Component(id); len(c.Assets()) > 0 || c.Inferred != 0 {
			t.Errorf("%s holds %v inferred %b", id, ids(c.Assets()), c.Inferred)
		}
	}
}

// TestInferHeldQuiet: a model that states processes on any component lists
// what its components hold, and nothing is read from its flows.
func TestInferHeldQuiet(t *testing.T) {
	src := strings.Replace(heldModel, "{id: worker, kind: function}", "{id: worker, kind: function, processes: [orders]}", 1)
	m, ds, err := Parse("ward.yaml", []byte(src))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	if c := m.Component("test-db"); len(c.Stores) > 0 || c.Inferred != 0 {
		t.Errorf("test-db stores %v inferred %b", ids(c.Stores), c.Inferred)
	}
	if c := m.Component("worker"); !slices.Equal(ids(c.Processes), []string{"orders"}) || c.Inferred != 0 {
		t.Errorf("worker processes %v inferred %b", ids(c.Processes), c.Inferred)
	}
}

// deviceModel is a sparse model with a device, an installed app, a web app
// and a browser client: what their flows bring to them, and what they only
// send.
const deviceModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: access-list}
  - {id: entry-events}
  - {id: visit-notes}
  - {id: card-numbers, must_not_store: true}
  - {id: reports}
components:
  - {id: hub, name: Club hub, kind: device}
  - {id: phone-app, name: Caregiver app, kind: client, tech: React Native}
  - {id: web-app, name: Family web app, kind: client}
  - {id: browser, name: Admin console, kind: client}
  - {id: api, kind: service}
flows:
  - {from: api, to: hub, carries: [access-list]}
  - {from: hub, to: api, carries: [entry-events]}
  - {from: phone-app, to: api, carries: [card-numbers], returns: [visit-notes]}
  - {from: web-app, to: api, returns: [reports]}
  - {from: browser, to: api, returns: [reports]}
`

// TestInferHeldDeviceFires: a device or an installed app of ours that
// states no stores keeps what its flows bring to it (carried to it,
// returned to it), marked inferred.
func TestInferHeldDeviceFires(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(deviceModel))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	for id, want := range map[string][]string{"hub": {"access-list"}, "phone-app": {"visit-notes"}} {
		c := m.Component(id)
		if got := ids(c.Stores); !slices.Equal(got, want) || c.Inferred&model.InferredStores == 0 {
			t.Errorf("%s stores %v inferred %b, want %v", id, got, c.Inferred, want)
		}
	}
}

// TestInferHeldDeviceQuiet: what a device or app only sends, data that must
// not be stored, and whatever a browser client or web app receives are not
// read as kept; nor is anything where the model states processes.
func TestInferHeldDeviceQuiet(t *testing.T) {
	m, _, err := Parse("ward.yaml", []byte(deviceModel))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(m.Component("hub").Stores); slices.Contains(got, "entry-events") {
		t.Errorf("hub stores what it sends: %v", got)
	}
	if got := ids(m.Component("phone-app").Stores); slices.Contains(got, "card-numbers") {
		t.Errorf("phone-app stores must-not-store data: %v", got)
	}
	for _, id := range []string{"web-app", "browser"} {
		if c := m.Component(id); len(c.Stores) > 0 || c.Inferred&model.InferredStores != 0 {
			t.Errorf("%s stores %v inferred %b", id, ids(c.Stores), c.Inferred)
		}
	}
	src := strings.Replace(deviceModel, "{id: api, kind: service}", "{id: api, kind: service, processes: [reports]}", 1)
	m, _, err = Parse("ward.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Component("hub"); len(c.Stores) > 0 {
		t.Errorf("processes stated: hub stores %v", ids(c.Stores))
	}
}
