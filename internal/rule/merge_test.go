package rule_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
)

// cleartext is a flow rule with a further STRIDE threat: what the
// catalogue's encryption rules look like.
var cleartext = &rule.Rule{ID: "clear", Title: "t", Doc: "d", Category: model.InformationDisclosure,
	Also: []model.Category{model.Tampering}, On: rule.OnFlow,
	Check: func(x *rule.Ctx) { x.Report(x.Unencrypted(x.Target.Flow), "cleartext on "+x.Target.ID(), nil) }}

// hops returns a model where a, b and c each send to db, and d sends to
// other.
func hops(enc ...model.Encryption) *model.Model {
	db := &model.Component{ID: "db", Kind: model.KindDatastore}
	other := &model.Component{ID: "other", Kind: model.KindDatastore}
	m := &model.Model{System: model.System{ID: "sys"}, Components: []*model.Component{db, other}}
	for i, id := range []string{"a", "b", "c", "d"} {
		c := &model.Component{ID: id, Kind: model.KindService}
		to := db
		if id == "d" {
			to = other
		}
		f := &model.Flow{ID: id + "-" + to.ID, From: c, To: to}
		if i < len(enc) {
			f.Encryption = enc[i]
		}
		m.Components = append(m.Components, c)
		m.Flows = append(m.Flows, f)
	}
	m.Index()
	return m
}

func ids(fs []*model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func find(t *testing.T, fs []*model.Finding, id string) *model.Finding {
	t.Helper()
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no threat %s among %v", id, ids(fs))
	return nil
}

// TestMergeParallelHops: the same unverified weakness on the three flows
// into db is one threat per category, targeting the three flows, with the
// per-flow ids as aliases and the three flows' questions; the single flow
// into other stays per flow.
func TestMergeParallelHops(t *testing.T) {
	res, err := rule.Run(context.Background(), hops(), []*rule.Rule{cleartext})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"clear:d-other", "clear:d-other:tampering", "clear:db", "clear:db:tampering"}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Fatalf("threats %v, want %v", got, want)
	}
	f := find(t, res.Findings, "clear:db")
	var tg []string
	for _, x := range f.Targets {
		tg = append(tg, x.ID())
	}
	if !slices.Equal(tg, []string{"a-db", "b-db", "c-db"}) {
		t.Errorf("targets %v", tg)
	}
	if !slices.Equal(f.Aliases, []string{"clear:a-db", "clear:b-db", "clear:c-db"}) {
		t.Errorf("aliases %v", f.Aliases)
	}
	if want := "cleartext on a-db; also on `b-db`, `c-db` (3 flows into `db`)"; f.Title != want {
		t.Errorf("title %q, want %q", f.Title, want)
	}
	if !slices.Equal(f.Questions, []string{"a-db.encryption", "b-db.encryption", "c-db.encryption"}) {
		t.Errorf("questions %v", f.Questions)
	}
	ft := find(t, res.Findings, "clear:db:tampering")
	if !slices.Contains(ft.Aliases, "clear:a-db:tampering") || !slices.Contains(ft.Aliases, "clear:a-db") {
		t.Errorf("further threat's aliases %v lack the per-flow ids", ft.Aliases)
	}
	for _, q := range res.Questions {
		if q.Target.Flow != nil && q.Target.Flow.To.ID == "db" {
			if len(q.Threats) != 2 || q.Threats[0] != f || q.Threats[1] != ft {
				t.Errorf("question %s settles %v, want the two merged threats", q.ID, ids(q.Threats))
			}
		}
	}
}

// TestMergeNeverHidesStatedGap: when one hop into db states no
// encryption (open), the unknown ones are not merged.
func TestMergeNeverHidesStatedGap(t *testing.T) {
	res, err := rule.Run(context.Background(), hops(model.EncNone), []*rule.Rule{cleartext})
	if err != nil {
		t.Fatal(err)
	}
	if f := find(t, res.Findings, "clear:a-db"); f.Status != model.StatusOpen {
		t.Errorf("clear:a-db is %s, want open", f.Status)
	}
	find(t, res.Findings, "clear:b-db")
	find(t, res.Findings, "clear:c-db")
}

// TestMergeKeepsDecisions: a decision recorded against an old per-flow id
// keeps applying to that hop, which stays out of the merge (accepting one
// hop does not accept the others); the other hops merge. Assessing the
// merged threat against a decision on one of its aliases (the run that
// merged did not see it) applies the decision: risk.Assess honours the
// aliases.
func TestMergeKeepsDecisions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := hops()
	m.Decisions = []*model.Decision{{Finding: "clear:a-db", Status: model.StatusAccepted, Reason: "loopback"}}
	res, err := rule.Run(context.Background(), m, []*rule.Rule{cleartext})
	if err != nil {
		t.Fatal(err)
	}
	risk.Assess(m, res.Findings, risk.Options{Now: now})
	if f := find(t, res.Findings, "clear:a-db"); f.Status != model.StatusAccepted {
		t.Errorf("clear:a-db is %s, want accepted", f.Status)
	}
	f := find(t, res.Findings, "clear:db")
	if !f.Unverified() || !slices.Equal(f.Aliases, []string{"clear:b-db", "clear:c-db"}) {
		t.Errorf("clear:db is %s with aliases %v, want unverified, merging b and c", f.Status, f.Aliases)
	}
	// The decision on an alias: the merged threat carries it.
	m.Decisions = nil
	res, err = rule.Run(context.Background(), m, []*rule.Rule{cleartext})
	if err != nil {
		t.Fatal(err)
	}
	f = find(t, res.Findings, "clear:db")
	m.Decisions = []*model.Decision{{Finding: "clear:b-db", Status: model.StatusAccepted, Reason: "one network"}}
	m.Index()
	if warns := risk.Assess(m, res.Findings, risk.Options{Now: now}); len(warns) > 0 {
		t.Errorf("warnings %v", warns)
	}
	if f.Status != model.StatusAccepted {
		t.Errorf("clear:db is %s, want accepted through its alias clear:b-db", f.Status)
	}
}
