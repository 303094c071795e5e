package rule_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// backups is a zone-wide component rule with a further STRIDE threat.
var backups = &rule.Rule{ID: "backups", Title: "t", Doc: "d", Category: model.DenialOfService,
	Also: []model.Category{model.Tampering}, On: rule.OnComponent, ZoneWide: true,
	Check: func(x *rule.Ctx) {
		c := x.Target.Component
		if c.Kind == model.KindDatastore {
			x.Report(x.Lacks(c, model.CtlBackups), "no backups of "+c.ID, nil)
		}
	}}

// stores returns a model with stores a, b and c in zone dc (c nested in a
// boundary of dc's trust), d in a restricted boundary inside dc, and e in
// no boundary; backups on each store as given (unknown by default).
func stores(bk ...model.Tri) *model.Model {
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	sub := &model.Boundary{ID: "sub", Trust: model.TrustInternal, Parent: dc}
	vault := &model.Boundary{ID: "vault", Trust: model.TrustRestricted, Parent: dc}
	dc.Children = []*model.Boundary{sub, vault}
	m := &model.Model{System: model.System{ID: "sys"}, Boundaries: []*model.Boundary{dc, sub, vault}}
	in := map[string]*model.Boundary{"a": dc, "b": dc, "c": sub, "d": vault}
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		c := &model.Component{ID: id, Kind: model.KindDatastore, Boundary: in[id]}
		if i < len(bk) {
			c.Controls[model.CtlBackups] = bk[i]
		}
		if c.Boundary != nil {
			c.Boundary.Components = append(c.Boundary.Components, c)
		}
		m.Components = append(m.Components, c)
	}
	m.Index()
	return m
}

// TestMergeZoneWide: the unknowns on a, b and c (one zone: c's boundary
// has dc's trust) are one threat per category, backups:dc, targeting the
// three stores, with their ids as aliases and their questions; d (a
// restricted zone of its own) and e (no boundary) stay per component.
func TestMergeZoneWide(t *testing.T) {
	res, err := rule.Run(context.Background(), stores(), []*rule.Rule{backups})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"backups:d", "backups:d:tampering", "backups:dc", "backups:dc:tampering", "backups:e", "backups:e:tampering"}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	f := find(t, res.Findings, "backups:dc")
	var tg []string
	for _, x := range f.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"a", "b", "c"}) {
		t.Errorf("targets %v", tg)
	}
	if !slices.Equal(f.Aliases, []string{"backups:a", "backups:b", "backups:c"}) {
		t.Errorf("aliases %v", f.Aliases)
	}
	if want := "no backups of a; also on `b`, `c` (3 components inside `dc`)"; f.Title != want {
		t.Errorf("title %q, want %q", f.Title, want)
	}
	if !slices.Equal(f.Questions, []string{"a.backups", "b.backups", "c.backups"}) {
		t.Errorf("questions %v", f.Questions)
	}
	// Without ZoneWide nothing merges.
	plain := *backups
	plain.ZoneWide = false
	res, err = rule.Run(context.Background(), stores(), []*rule.Rule{&plain})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Findings); n != 10 {
		t.Errorf("%d threats without ZoneWide, want 10: %v", n, ids(res.Findings))
	}
}

// TestMergeZoneWideKeepsGapsAndDecisions: a stated gap (a: no backups)
// stays its own open threat and a store a decision names (b) stays out;
// with one unknown left in the zone (c) nothing is merged.
func TestMergeZoneWideKeepsGapsAndDecisions(t *testing.T) {
	m := stores(model.No)
	m.Decisions = []*model.Decision{{Finding: "backups:b", Status: model.StatusAccepted, Reason: "rebuilt from events"}}
	res, err := rule.Run(context.Background(), m, []*rule.Rule{backups})
	if err != nil {
		t.Fatal(err)
	}
	if f := find(t, res.Findings, "backups:a"); f.Status != model.StatusOpen {
		t.Errorf("backups:a is %s, want open", f.Status)
	}
	find(t, res.Findings, "backups:b")
	find(t, res.Findings, "backups:b:tampering") // the decision covers its further threat
	find(t, res.Findings, "backups:c")
	if slices.Contains(ids(res.Findings), "backups:dc") {
		t.Errorf("merged with one unknown left: %v", ids(res.Findings))
	}
}

// TestMergeZoneWideFlows: a zone-wide flow rule is a family of its own:
// its unknowns on the flows into two receivers of one zone are one
// threat, rule:zone.
func TestMergeZoneWideFlows(t *testing.T) {
	keys := &rule.Rule{ID: "keys", Title: "t", Doc: "d", Category: model.Spoofing, On: rule.OnFlow, ZoneWide: true,
		Check: func(x *rule.Ctx) { x.Report(x.Unencrypted(x.Target.Flow), "static key on "+x.Target.ID(), nil) }}
	m := stores()
	src := &model.Component{ID: "app", Kind: model.KindService}
	m.Components = append(m.Components, src)
	for _, to := range m.Components[:2] { // a and b, both in dc
		m.Flows = append(m.Flows, &model.Flow{ID: "app-" + to.ID, From: src, To: to})
	}
	m.Index()
	res, err := rule.Run(context.Background(), m, []*rule.Rule{keys})
	if err != nil {
		t.Fatal(err)
	}
	f := find(t, res.Findings, "keys:dc")
	if !slices.Equal(f.Aliases, []string{"keys:app-a", "keys:app-b"}) {
		t.Errorf("aliases %v", f.Aliases)
	}
}
