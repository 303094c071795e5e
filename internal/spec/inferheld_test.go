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
