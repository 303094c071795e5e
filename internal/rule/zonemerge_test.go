package rule_test

import (
	"context"
	"slices"
	"strconv"
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
// has dc's trust) and d (a restricted zone inside dc: the organisation's
// own too, noise24) are one threat per category, backups:dc, targeting the
// four stores, with their ids as aliases and their questions; e (no
// boundary) stays per component.
func TestMergeZoneWide(t *testing.T) {
	res, err := rule.Run(context.Background(), stores(), []*rule.Rule{backups})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"backups:dc", "backups:dc:tampering", "backups:e", "backups:e:tampering"}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	f := find(t, res.Findings, "backups:dc")
	var tg []string
	for _, x := range f.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"a", "b", "c", "d"}) {
		t.Errorf("targets %v", tg)
	}
	if !slices.Equal(f.Aliases, []string{"backups:a", "backups:b", "backups:c", "backups:d"}) {
		t.Errorf("aliases %v", f.Aliases)
	}
	if want := "no backups of a; also on `b`, `c`, `d` (4 components inside `dc` and `vault`)"; f.Title != want {
		t.Errorf("title %q, want %q", f.Title, want)
	}
	if !slices.Equal(f.Questions, []string{"a.backups", "b.backups", "c.backups", "d.backups"}) {
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
// with one unknown left in the organisation's own zones (c; d stated
// backed up) nothing is merged.
func TestMergeZoneWideKeepsGapsAndDecisions(t *testing.T) {
	m := stores(model.No, model.Unknown, model.Unknown, model.Yes)
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

// TestMergeZoneWideOwnZones (noise24): the organisation's own zones
// (internal and restricted, nested or side by side) share one threat; a
// partner's zone is another platform and keeps its own; a zone whose
// merged threat a decision names (backups:vault) keeps its own, so the
// decision keeps the scope it was written for.
func TestMergeZoneWideOwnZones(t *testing.T) {
	build := func(decided bool) *model.Model {
		dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
		vault := &model.Boundary{ID: "vault", Trust: model.TrustRestricted}
		pz := &model.Boundary{ID: "pz", Trust: model.TrustPartner}
		m := &model.Model{System: model.System{ID: "sys"}, Boundaries: []*model.Boundary{dc, vault, pz}}
		for _, x := range []struct {
			id string
			b  *model.Boundary
		}{{"a", dc}, {"b", dc}, {"v1", vault}, {"v2", vault}, {"p1", pz}, {"p2", pz}} {
			c := &model.Component{ID: x.id, Kind: model.KindDatastore, Boundary: x.b}
			x.b.Components = append(x.b.Components, c)
			m.Components = append(m.Components, c)
		}
		if decided {
			m.Decisions = []*model.Decision{{Finding: "backups:vault", Status: model.StatusAccepted, Reason: "vault snapshots"}}
		}
		m.Index()
		return m
	}
	res, err := rule.Run(context.Background(), build(false), []*rule.Rule{backups})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(res.Findings), []string{"backups:dc", "backups:dc:tampering", "backups:pz", "backups:pz:tampering"}; !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	f := find(t, res.Findings, "backups:dc")
	if want := "no backups of a; also on `b`, `v1`, `v2` (4 components inside `dc` and `vault`)"; f.Title != want {
		t.Errorf("title %q, want %q", f.Title, want)
	}
	if len(f.Questions) != 4 {
		t.Errorf("questions %v, want each store's", f.Questions)
	}
	res, err = rule.Run(context.Background(), build(true), []*rule.Rule{backups})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(res.Findings), []string{"backups:dc", "backups:dc:tampering", "backups:pz", "backups:pz:tampering", "backups:vault", "backups:vault:tampering"}; !slices.Equal(got, want) {
		t.Fatalf("with a decision on backups:vault: threats %v, want %v", got, want)
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

// TestMergeZoneWideManyZones: a threat merged across the organisation's
// own zones names at most four of them, then how many more (an estate's
// own zones can number thousands; every component is still a target).
func TestMergeZoneWideManyZones(t *testing.T) {
	for _, n := range []int{4, 7} {
		m := &model.Model{System: model.System{ID: "sys"}}
		for i := range n {
			z := &model.Boundary{ID: "z" + strconv.Itoa(i), Trust: model.TrustInternal}
			c := &model.Component{ID: "s" + strconv.Itoa(i), Kind: model.KindDatastore, Boundary: z}
			z.Components = []*model.Component{c}
			m.Boundaries = append(m.Boundaries, z)
			m.Components = append(m.Components, c)
		}
		m.Index()
		res, err := rule.Run(context.Background(), m, []*rule.Rule{backups})
		if err != nil {
			t.Fatal(err)
		}
		f := find(t, res.Findings, "backups:z0")
		want := map[int]string{
			4: "no backups of s0; also on `s1`, `s2`, `s3` (4 components inside `z0`, `z1`, `z2` and `z3`)",
			7: "no backups of s0; also on `s1`, `s2`, `s3` and 3 more (7 components inside `z0`, `z1`, `z2` and 4 more zones)",
		}[n]
		if f.Title != want {
			t.Errorf("%d zones: title %q, want %q", n, f.Title, want)
		}
		if len(f.Targets) != n {
			t.Errorf("%d zones: %d targets", n, len(f.Targets))
		}
	}
}

// TestMergeZoneWideFurtherTargets (noise27): a zone-wide threat that names
// further elements beside its component (a logging threat naming the
// console that drives its service) merges with the zone's others like a
// threat on its component alone; the merged threat names every member's
// component first, then each further element once, so a line written on
// any of them still finds it.
func TestMergeZoneWideFurtherTargets(t *testing.T) {
	named := *backups
	named.Check = func(x *rule.Ctx) {
		c := x.Target.Component
		if c.Kind != model.KindDatastore {
			return
		}
		if c.ID == "a" || c.ID == "b" {
			// a and b both name e; b names c too (a member: named once).
			x.AlsoTarget(model.Target{Component: x.Model.Component("e")})
			if c.ID == "b" {
				x.AlsoTarget(model.Target{Component: x.Model.Component("c")})
			}
		}
		x.Report(x.Lacks(c, model.CtlBackups), "no backups of "+c.ID, nil)
	}
	res, err := rule.Run(context.Background(), stores(), []*rule.Rule{&named})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"backups:dc", "backups:dc:tampering", "backups:e", "backups:e:tampering"}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	for _, id := range want[:2] {
		var tg []string
		for _, x := range find(t, res.Findings, id).Targets {
			tg = append(tg, x.ID())
		}
		if !slices.Equal(tg, []string{"a", "b", "c", "d", "e"}) {
			t.Errorf("%s targets %v, want a, b, c, d, e", id, tg)
		}
	}
}
