package rule_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// familyRule reports, as one of family fam, the flows whose name is name:
// the way the catalogue's transport rules split flows between them.
func familyRule(id, name, fam string) *rule.Rule {
	return &rule.Rule{ID: id, Title: "t", Doc: "d", Category: model.InformationDisclosure,
		Also: []model.Category{model.Tampering}, On: rule.OnFlow, Family: fam,
		Check: func(x *rule.Ctx) {
			if f := x.Target.Flow; f.Name == name {
				x.Report(x.Unencrypted(f), "cleartext on "+f.ID, nil)
			}
		}}
}

// zoned returns a model with services s1, s2 and store db inside boundary
// dc, a partner p outside it and a service x in no boundary: hops s1→db
// ("a"), s2→db ("b"), s1→s2 ("b"), s2→s1 ("a", stated unencrypted), the
// crossing p→s1 ("a"), and p→x ("a") and s1→x ("b") into x.
func zoned() *model.Model {
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	out := &model.Boundary{ID: "partners", Trust: model.TrustPartner}
	s1 := &model.Component{ID: "s1", Kind: model.KindService, Boundary: dc}
	s2 := &model.Component{ID: "s2", Kind: model.KindService, Boundary: dc}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Boundary: dc}
	p := &model.Component{ID: "p", Kind: model.KindExternal, Boundary: out}
	x := &model.Component{ID: "x", Kind: model.KindService}
	m := &model.Model{System: model.System{ID: "sys"}, Boundaries: []*model.Boundary{dc, out},
		Components: []*model.Component{s1, s2, db, p, x}}
	m.Flows = []*model.Flow{
		{ID: "s1-db", Name: "a", From: s1, To: db},
		{ID: "s2-db", Name: "b", From: s2, To: db},
		{ID: "s1-s2", Name: "b", From: s1, To: s2},
		{ID: "s2-s1", Name: "a", From: s2, To: s1, Encryption: model.EncNone},
		{ID: "p-s1", Name: "a", From: p, To: s1},
		{ID: "p-x", Name: "a", From: p, To: x},
		{ID: "s1-x", Name: "b", From: s1, To: x},
	}
	m.Index()
	return m
}

func TestFamilyMergesInsideZone(t *testing.T) {
	m := zoned()
	rs := []*rule.Rule{familyRule("fam-b", "b", "fam"), familyRule("fam-a", "a", "fam")}
	res, err := rule.Run(context.Background(), m, rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"fam-a:dc", "fam-a:dc:tampering", // the hops into dc, whichever rule owns each
		"fam-a:s2-s1", "fam-a:s2-s1:tampering", // open: a stated gap stays apart from the unknowns
		"fam-a:x", "fam-a:x:tampering", // a receiver in no boundary: its hops
	}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	z := find(t, res.Findings, "fam-a:dc")
	var tg []string
	for _, x := range z.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"p-s1", "s1-db", "s1-s2", "s2-db"}) {
		t.Errorf("targets %v", tg)
	}
	if !slices.Equal(z.Aliases, []string{"fam-a:p-s1", "fam-a:s1-db", "fam-b:s1-s2", "fam-b:s2-db"}) {
		t.Errorf("aliases %v", z.Aliases)
	}
	if z.Status != model.StatusUnverified || z.Rule != "fam-a" || z.Pos != m.Boundaries[0].Pos {
		t.Errorf("merged threat %+v", z)
	}
	zt := find(t, res.Findings, "fam-a:dc:tampering")
	if !slices.Contains(zt.Aliases, "fam-b:s2-db:tampering") || zt.Category != model.Tampering {
		t.Errorf("tampering threat %+v", zt)
	}
	if x := find(t, res.Findings, "fam-a:x"); len(x.Targets) != 2 || !slices.Contains(x.Aliases, "fam-b:s1-x") {
		t.Errorf("receiver's threat %+v", x)
	}
	// Every hop's question settles the merged threats, each listed once.
	for _, q := range res.Questions {
		if q.Target.Flow == nil || q.Target.Flow.Encryption != model.EncUnknown {
			continue
		}
		if len(q.Threats) != 2 || len(q.Threats[0].Aliases) < 2 {
			t.Errorf("question %s settles %v", q.ID, ids(q.Threats))
		}
	}
	// Without a family the rules keep their threats per hop.
	rs = []*rule.Rule{familyRule("fam-b", "b", ""), familyRule("fam-a", "a", "")}
	if res, err = rule.Run(context.Background(), zoned(), rs); err != nil {
		t.Fatal(err)
	}
	if got := len(res.Findings); got != 14 {
		t.Errorf("without a family: %d threats %v, want 14", got, ids(res.Findings))
	}
}

// A hop a decision names keeps its own threat, so the decision applies to
// it alone.
func TestFamilyLeavesNamedHops(t *testing.T) {
	m := zoned()
	m.Decisions = []*model.Decision{{Finding: "fam-b:s2-db"}}
	rs := []*rule.Rule{familyRule("fam-b", "b", "fam"), familyRule("fam-a", "a", "fam")}
	res, err := rule.Run(context.Background(), m, rs)
	if err != nil {
		t.Fatal(err)
	}
	find(t, res.Findings, "fam-b:s2-db")
	z := find(t, res.Findings, "fam-a:dc")
	if slices.Contains(z.Aliases, "fam-b:s2-db") || len(z.Targets) != 3 {
		t.Errorf("merged threat %v targets %d", z.Aliases, len(z.Targets))
	}
}

// Stated gaps on several hops of a zone are one threat too, kept apart from
// the unknown ones; two merged threats never share an id.
func TestFamilyOpenHops(t *testing.T) {
	m := zoned()
	s1, s2, db := m.Components[0], m.Components[1], m.Components[2]
	m.Flows = []*model.Flow{
		{ID: "s1-s2", Name: "b", From: s1, To: s2, Encryption: model.EncNone},
		{ID: "s2-db", Name: "b", From: s2, To: db, Encryption: model.EncNone},
		{ID: "s2-s1", Name: "a", From: s2, To: s1},
		{ID: "s1-db", Name: "a", From: s1, To: db},
	}
	m.Index()
	rs := []*rule.Rule{familyRule("fam-b", "b", "fam"), familyRule("fam-a", "a", "fam")}
	res, err := rule.Run(context.Background(), m, rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"fam-a:dc", "fam-a:dc:tampering", "fam-b:dc", "fam-b:dc:tampering"}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	if f := find(t, res.Findings, "fam-b:dc"); f.Status != model.StatusOpen || len(f.Targets) != 2 {
		t.Errorf("open hops: %+v", f)
	}
	// Both groups led by the same rule: the second keeps its threats per hop.
	for _, f := range m.Flows[:2] {
		f.Name = "a"
	}
	if res, err = rule.Run(context.Background(), m, rs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if seen[f.ID] {
			t.Errorf("id %s twice in %v", f.ID, ids(res.Findings))
		}
		seen[f.ID] = true
	}
	if len(res.Findings) != 6 {
		t.Errorf("threats %v, want one merged pair and four per hop", ids(res.Findings))
	}
}
