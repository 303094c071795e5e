package spec

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// carriedModel: flows that state nothing into a store that states what it
// holds, into a store read to hold what another flow writes, out of a
// store, into a queue and between two services; and one that states what
// it carries.
const carriedModel = `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders}
  - {id: invoices}
  - {id: events}
components:
  - {id: api, kind: service}
  - {id: admin, kind: service}
  - {id: report, kind: function}
  - {id: orders-db, kind: datastore, stores: [orders]}
  - {id: invoice-bucket, kind: storage}
  - {id: topic, kind: queue}
  - {id: vendor-db, kind: datastore, third_party: true, stores: [invoices]}
flows:
  - {id: api-db, from: api, to: orders-db}
  - {id: admin-db, from: admin, to: orders-db}
  - {id: report-bucket, from: report, to: invoice-bucket, carries: [invoices]}
  - {id: api-bucket, from: api, to: invoice-bucket}
  - {id: db-report, from: orders-db, to: report}
  - {id: api-topic, from: api, to: topic}
  - {id: api-admin, from: api, to: admin}
  - {id: stated, from: report, to: orders-db, carries: [events]}
  - {id: api-vendor, from: api, to: vendor-db}
`

// TestInferCarriedFires: a flow that states nothing into a store carries
// what the store holds, stated or read from its other flows, and is
// marked inferred; what it carries reaches the caller as inferred
// processing (model.InferHeld).
func TestInferCarriedFires(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(carriedModel))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	for id, want := range map[string][]string{"api-db": {"orders"}, "admin-db": {"orders"}, "api-bucket": {"invoices"}} {
		f := m.Flow(id)
		if got := ids(f.Carries); !slices.Equal(got, want) || f.Inferred&model.InferredCarries == 0 {
			t.Errorf("%s carries %v inferred %b, want %v inferred", id, got, f.Inferred, want)
		}
		if f.StatedCarries() != nil || !slices.Equal(f.InferredFacts(), []string{"carries"}) {
			t.Errorf("%s stated %v facts %v", id, ids(f.StatedCarries()), f.InferredFacts())
		}
	}
	if a := m.Component("admin"); !slices.Contains(ids(a.Processes), "orders") || a.Inferred&model.InferredProcesses == 0 {
		t.Errorf("admin processes %v inferred %b, want orders inferred", ids(a.Processes), a.Inferred)
	}
}

// TestInferCarriedQuiet: a flow that states what it carries keeps it; a
// flow out of a store (an event as often as a read), into a queue, between
// two services or into a third party's store is left carrying nothing.
func TestInferCarriedQuiet(t *testing.T) {
	m, ds, err := Parse("ward.yaml", []byte(carriedModel))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	if f := m.Flow("stated"); !slices.Equal(ids(f.Carries), []string{"events"}) || f.Inferred != 0 || !slices.Equal(ids(f.StatedCarries()), []string{"events"}) {
		t.Errorf("stated carries %v inferred %b", ids(f.Carries), f.Inferred)
	}
	for _, id := range []string{"db-report", "api-topic", "api-admin", "api-vendor"} {
		if f := m.Flow(id); len(f.Carries) > 0 || f.Inferred != 0 || f.InferredFacts() != nil {
			t.Errorf("%s carries %v inferred %b, want nothing", id, ids(f.Carries), f.Inferred)
		}
	}
}

// TestInferCarriedProcessesStated: a model that states what a component
// processes is read as stated: its flows carry what they say.
func TestInferCarriedProcessesStated(t *testing.T) {
	src := strings.Replace(carriedModel, "{id: admin, kind: service}", "{id: admin, kind: service, processes: [orders]}", 1)
	m, ds, err := Parse("ward.yaml", []byte(src))
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	for _, f := range m.Flows {
		if f.Inferred != 0 || (f.ID != "report-bucket" && f.ID != "stated" && len(f.Carries) > 0) {
			t.Errorf("%s carries %v inferred %b, want as stated", f.ID, ids(f.Carries), f.Inferred)
		}
	}
}
