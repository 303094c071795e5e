package analysis_test

import (
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// TestCapCountsEveryComponent: a threat on several components (a
// zone-wide rule's, merged) takes a place in each one's list of unverified
// threats and is listed when any of them keeps it: at a cap of one, a
// keeps its riskier own threat and b keeps the merged one, which the cap
// by first target alone would have dropped.
func TestCapCountsEveryComponent(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: ledger, classification: restricted, integrity: critical, availability: low}
boundaries:
  - {id: dc, trust: internal}
components:
  - {id: a, kind: datastore, boundary: dc, stores: [ledger]}
  - {id: b, kind: datastore, boundary: dc}
policy: {max_unverified_per_element: 1}
`
	wide := &rule.Rule{ID: "wide", Title: "t", Doc: "d", Category: model.DenialOfService, On: rule.OnComponent, ZoneWide: true,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			x.Report(x.Lacks(c, model.CtlBackups), "no backups of "+c.ID, nil)
		}}
	own := &rule.Rule{ID: "own", Title: "t", Doc: "d", Category: model.Tampering, On: rule.OnComponent,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.ID == "a" {
				x.Report(x.Lacks(c, model.CtlAuditsWrites), "writes to "+c.ID+" unattributed", c.Stores)
			}
		}}
	a, err := analysis.Run(t.Context(), parse(t, src), []*rule.Rule{own, wide}, analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	w := find(a, "wide:dc")
	if w == nil {
		t.Fatalf("the merged threat is not listed: %v", ids(a))
	}
	if len(w.Targets) != 2 || w.Targets[0].ID() != "a" {
		t.Fatalf("wide:dc targets %v, want a and b", w.Targets)
	}
	// a keeps its riskiest threat, own:a; b keeps wide:dc.
	if find(a, "own:a") == nil {
		t.Errorf("a lost its own threat: %v", ids(a))
	}
}
