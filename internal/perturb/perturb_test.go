package perturb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// full states everything the perturbations drop.
const full = `ward: 1
system: {id: s, name: S, description: A shop}
context:
  internet_facing: yes
assets:
  # the orders
  - id: orders
    description: Customer orders
    kind: data
    classification: confidential
    data: [pii]
    integrity: high
    value: high
boundaries:
  - id: internet
    trust: internet
  - id: vpc
    trust: internal
    description: The VPC
    boundaries:
      - {id: data, trust: restricted}
components:
  - {id: customer, kind: person, boundary: internet}
  - id: api
    kind: service
    boundary: vpc
    tech: Go
    admin: true
    tags: [multi-tenant]
    description: The API
    controls: {authenticates: yes}
    encryption_at_rest: disk
    processes: [orders]
  - {id: db, name: Orders database, kind: datastore, boundary: data, stores: [orders]}
flows:
  - {from: customer, to: api, protocol: https, port: 443, authentication: session, encryption: tls, carries: [orders], controls: {replay_protection: yes}}
  - {from: api, to: db, protocol: sql, carries: [orders], one_way: false}
`

func load(t *testing.T, data []byte) *model.Model {
	t.Helper()
	m, ds, err := spec.Parse("ward.yaml", data)
	if err != nil || len(ds) > 0 {
		t.Fatalf("perturbed model does not load: %v %v\n%s", err, ds, data)
	}
	return m
}

func TestEveryPerturbationLoads(t *testing.T) {
	load(t, []byte(full))
	for _, name := range Names() {
		ps, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Apply([]byte(full), ps)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		load(t, out)
	}
}

func TestMinimalDropsWhatItSays(t *testing.T) {
	ps, _ := Parse(Minimal)
	out, err := Apply([]byte(full), ps)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"classification", "confidential", "data: [pii]", "integrity:", "value:", "trust:", "boundary", "description", "context",
		"controls", "encryption_at_rest", "authentication", "encryption:", "admin", "tags", "tech", "protocol", "port", "one_way", "datastore", "person", "kind: data",
		"stores", "processes"} {
		if strings.Contains(string(out), gone) {
			t.Errorf("minimal output still holds %q:\n%s", gone, out)
		}
	}
	m := load(t, out)
	// Names, ids, references and comments stay.
	if m.Component("db") == nil || m.Component("db").Name != "Orders database" || len(m.Flows) != 2 || !strings.Contains(string(out), "# the orders") {
		t.Errorf("minimal lost what it should keep:\n%s", out)
	}
}

func TestNoHeldDropsStoresAndProcesses(t *testing.T) {
	ps, _ := Parse("no-held")
	out, _ := Apply([]byte(full), ps)
	if strings.Contains(string(out), "stores") || strings.Contains(string(out), "processes") {
		t.Errorf("no-held output still holds stores or processes:\n%s", out)
	}
	m := load(t, out) // the loader may infer what the datastore holds again (model.InferHeld)
	if m.Component("db").Kind != model.KindDatastore || len(m.Flows[0].Carries) != 1 || m.Component("api").Tech != "Go" {
		t.Errorf("no-held dropped more than stores and processes:\n%s", out)
	}
}

func TestWordsOnlyKeepsWordsKindsAndCarries(t *testing.T) {
	ps, err := Parse(WordsOnly)
	if err != nil || len(ps) != len(All)-len(wordsOnlyKeeps) {
		t.Fatalf("Parse(words-only): %d perturbations, %v", len(ps), err)
	}
	out, _ := Apply([]byte(full), ps)
	for _, gone := range []string{"classification", "data: [pii]", "integrity:", "trust:", "boundary", "context", "controls", "encryption_at_rest",
		"authentication", "admin", "tags", "tech", "protocol", "one_way", "kind: data\n", "stores", "processes"} {
		if strings.Contains(string(out), gone) {
			t.Errorf("words-only output still holds %q:\n%s", gone, out)
		}
	}
	m := load(t, out)
	if m.Component("db").Kind != model.KindDatastore || m.Component("customer").Kind != model.KindPerson || m.Component("api").Description != "The API" ||
		m.Asset("orders").Description != "Customer orders" || len(m.Flows) != 2 || len(m.Flows[0].Carries) != 1 {
		t.Errorf("words-only lost what it should keep:\n%s", out)
	}
}

func TestNoTrustKeepsNesting(t *testing.T) {
	ps, _ := Parse("no-trust")
	out, _ := Apply([]byte(full), ps)
	m := load(t, out)
	for _, b := range m.Boundaries {
		if b.Trust != model.TrustInternal {
			t.Errorf("boundary %s trust %v, want internal", b.ID, b.Trust)
		}
	}
	if len(m.Boundaries) != 3 {
		t.Errorf("%d boundaries, want 3", len(m.Boundaries))
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "no-such", "no-needs,bogus"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
	ps, err := Parse("no-tech, no-needs")
	if err != nil || len(ps) != 2 || ps[0].Name != "no-needs" {
		t.Errorf("Parse: %v %v", ps, err)
	}
	if _, err := Apply([]byte("- a list\n"), ps); err == nil {
		t.Error("Apply of a list: no error")
	}
}

func TestSet(t *testing.T) {
	src := t.TempDir()
	c := filepath.Join(src, "case")
	if err := os.MkdirAll(c, 0o755); err != nil {
		t.Fatal(err)
	}
	ref := "cases: x\n"
	for name, data := range map[string]string{"ward.yaml": full, "reference.yaml": ref, "README.md": "# x\n"} {
		if err := os.WriteFile(filepath.Join(c, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "out")
	ps, _ := Parse("no-context")
	n, err := Set(src, dst, ps)
	if err != nil || n != 1 {
		t.Fatalf("Set: %d, %v", n, err)
	}
	got, _ := os.ReadFile(filepath.Join(dst, "case", "reference.yaml"))
	if string(got) != ref {
		t.Errorf("reference changed: %q", got)
	}
	model, _ := os.ReadFile(filepath.Join(dst, "case", "ward.yaml"))
	if strings.Contains(string(model), "context") || !strings.Contains(string(model), "orders") {
		t.Errorf("model not perturbed:\n%s", model)
	}
	if _, err := Set(src, dst, ps); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Set into a full directory: %v", err)
	}
	if _, err := Set(src, filepath.Join(src, "inside"), ps); err == nil || !strings.Contains(err.Error(), "inside") {
		t.Errorf("Set inside the set: %v", err)
	}
	if _, err := Set(filepath.Join(src, "missing"), t.TempDir(), ps); err == nil {
		t.Error("Set of a missing set: no error")
	}
}
