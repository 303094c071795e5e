package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// inferredDiagramModel is a sparse model: "Orders database" and "Stock
// database" are stated as services, so the loader infers datastore from
// their names; "Catalogue API" is a service that stays one. Stock states
// its technology.
const inferredDiagramModel = `ward: 1
system:
  id: shop
  name: Shop
components:
  - id: api
    name: Catalogue API
    kind: service
  - id: orders
    name: Orders database
    kind: service
  - id: stock
    name: Stock database
    kind: service
    tech: PostgreSQL
flows:
  - id: f1
    from: api
    to: orders
  - id: f2
    from: api
    to: stock
`

// TestDiagramMarksInferredKind: every diagram format marks a kind the
// loader inferred, "<kind> (inferred)" in the label (under the technology
// when there is one) and "(<kind>, inferred)" in the SVG tooltip, and
// leaves a stated kind unmarked.
func TestDiagramMarksInferredKind(t *testing.T) {
	_, r := analyseYAML(t, "shop.yaml", inferredDiagramModel)
	for _, c := range r.Components {
		if want := c.ID != "api"; c.kindInferred() != want || (want && c.Kind != "datastore") {
			t.Fatalf("component %s: kind %s, inferred %v; the test needs orders and stock inferred datastores", c.ID, c.Kind, c.Inferred)
		}
	}
	var mmd, dot, svg bytes.Buffer
	if err := Mermaid(&mmd, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := DOT(&dot, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := SVG(context.Background(), &svg, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format, out string
		want, not   []string
	}{
		{"mermaid", mmd.String(),
			[]string{`c_orders[("Orders database<br/>datastore (inferred)")]`, `c_stock[("Stock database<br/>PostgreSQL<br/>datastore (inferred)")]`, `c_api["Catalogue API<br/>service"]`},
			[]string{"service (inferred)"}},
		{"dot", dot.String(),
			[]string{`c_orders [label="Orders database\ndatastore (inferred)", shape=cylinder`, `c_stock [label="Stock database\nPostgreSQL\ndatastore (inferred)", shape=cylinder`, `c_api [label="Catalogue API\nservice", shape=box`},
			[]string{"service (inferred)"}},
		{"svg", svg.String(),
			[]string{`>datastore (inferred)</text>`, `xlink:title="Orders database (datastore, inferred)`, `xlink:title="Stock database (datastore, inferred)`, `xlink:title="Catalogue API (service)`, `>Catalogue API</text>`},
			[]string{"service (inferred)", "service, inferred"}},
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s: missing %q in\n%s", tc.format, w, tc.out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(tc.out, n) {
				t.Errorf("%s: %q marks a stated kind", tc.format, n)
			}
		}
	}
	if n := strings.Count(svg.String(), ">datastore (inferred)</text>"); n != 2 {
		t.Errorf("svg: %d labels mark the inferred kind, want 2", n)
	}
}

// heldDiagramModel states processes on no component: db holds readings by
// Ward's reading of its flows; vault states what it stores.
const heldDiagramModel = `ward: 1
system: {id: m, name: M}
assets:
  - {id: readings, name: Meter readings, classification: internal}
components:
  - {id: ingest, kind: service}
  - {id: db, kind: datastore}
  - {id: vault, kind: datastore, stores: [readings]}
flows:
  - {from: ingest, to: db, carries: [readings]}
  - {from: ingest, to: vault, carries: [readings]}
`

// TestDiagramAssetMarksInferredHolding: the view of one asset (--asset)
// marks a component that holds it only by Ward's reading of its flows,
// "stores <asset> (inferred)", in every diagram format, and not one whose
// holding is stated.
func TestDiagramAssetMarksInferredHolding(t *testing.T) {
	_, r := analyseYAML(t, "m.yaml", heldDiagramModel)
	const mark = "stores Meter readings (inferred)"
	for name, draw := range map[string]func(*bytes.Buffer, DiagramOptions) error{
		"mermaid": func(b *bytes.Buffer, o DiagramOptions) error { return Mermaid(b, r, o) },
		"dot":     func(b *bytes.Buffer, o DiagramOptions) error { return DOT(b, r, o) },
		"svg":     func(b *bytes.Buffer, o DiagramOptions) error { return SVG(context.Background(), b, r, o) },
	} {
		var b bytes.Buffer
		if err := draw(&b, DiagramOptions{Asset: "readings"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := strings.Count(b.String(), mark); n != 1 {
			t.Errorf("%s --asset readings: %q %d times, want once (db's, not vault's):\n%s", name, mark, n, b.String())
		}
		b.Reset()
		if err := draw(&b, DiagramOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(b.String(), mark) {
			t.Errorf("%s: the whole diagram marks a holding; only the view of one asset does", name)
		}
	}
}
