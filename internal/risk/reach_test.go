package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestReach: a component reaches what it holds, what its outbound flows
// carry and what the stores it sends to hold, each asset once; a flow what
// it carries and what its receiver reaches; the share is against the
// component that reaches most, and a flow reaching more counts as all.
func TestReach(t *testing.T) {
	// Worth: the larger need (unstated: medium) or the value.
	cards := &model.Asset{ID: "cards", Confidentiality: model.Critical} // 4
	orders := &model.Asset{ID: "orders", Integrity: model.High}         // 3
	profile := &model.Asset{ID: "profile", Confidentiality: model.Low}  // 2 (integrity)
	prices := &model.Asset{ID: "prices", Value: model.Medium}           // 2
	api := &model.Component{ID: "api", Kind: model.KindService, Processes: []*model.Asset{orders, profile}}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Stores: []*model.Asset{cards, orders}}
	cache := &model.Component{ID: "cache", Kind: model.KindService, Stores: []*model.Asset{prices}}
	leaf := &model.Component{ID: "leaf", Kind: model.KindService}
	user := &model.Component{ID: "user", Kind: model.KindClient}
	toDB := &model.Flow{ID: "to-db", From: api, To: db, Carries: []*model.Asset{orders}}
	toCache := &model.Flow{ID: "to-cache", From: api, To: cache}
	in := &model.Flow{ID: "in", From: user, To: api, Carries: []*model.Asset{profile, prices}}
	m := &model.Model{Assets: []*model.Asset{cards, orders, profile, prices},
		Components: []*model.Component{api, db, cache, leaf, user}, Flows: []*model.Flow{toDB, toCache, in}}
	m.Index()
	r := reachOf(m)
	// api: orders, profile (held), orders (carried), cards and orders (the
	// db it writes): 3 + 2 + 4 = 9. The cache is not a store: its prices
	// are not within api's reach. user: what it sends (profile, prices).
	// in: that, and what api reaches.
	for _, tc := range []struct {
		name string
		got  int32
		want int32
	}{{"api", r.at(model.Target{Component: api}), 9}, {"db", r.at(model.Target{Component: db}), 7}, {"cache", r.at(model.Target{Component: cache}), 2}, {"leaf", r.at(model.Target{Component: leaf}), 0},
		{"user", r.at(model.Target{Component: user}), 4}, {"in", r.at(model.Target{Flow: in}), 11}, {"most", r.most, 9}} {
		if tc.got != tc.want {
			t.Errorf("%s reaches %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	share := func(ts ...model.Target) uint8 { return r.share(&model.Finding{Targets: ts}) }
	got := []uint8{share(model.Target{Component: api}), share(model.Target{Component: db}), share(model.Target{Component: leaf}),
		share(model.Target{Flow: in}), share(model.Target{Component: leaf}, model.Target{Component: cache}), share()}
	// db 7/9, the flow 11/9 (all), leaf and cache 2/9 (the larger).
	if want := []uint8{64, 49, 0, 64, 14, 0}; !slices.Equal(got, want) {
		t.Errorf("shares %v, want %v", got, want)
	}
	if r := reachOf(&model.Model{Components: []*model.Component{leaf}}); r.share(&model.Finding{Targets: []model.Target{{Component: leaf}}}) != 0 {
		t.Error("a model without assets reaches something")
	}
}

// TestRankReach: within a band, the data within reach adds up to 1.125
// points to the ranking value: a 15 on the element that reaches all of the
// design's data goes before a 15 that reaches a fifth of it and before a
// 16 that reaches nothing (since rank26), but not before a 16 that
// reaches a fifth, nor a threat of a higher band, and an open threat goes
// first only at equal value.
func TestRankReach(t *testing.T) {
	mk := func(id string, score int, reach uint8, st model.Status) *model.Finding {
		r := model.Risk{Score: int32(score), Severity: Band(score), Likelihood: 3, Impact: model.Impact(score / 3)}
		return &model.Finding{ID: id, Rule: id, Category: model.Tampering, Targets: []model.Target{{Component: &model.Component{ID: id}}},
			Status: st, Inherent: r, Residual: r, Reach: reach}
	}
	fs := []*model.Finding{
		mk("leaf-16", 16, 12, model.StatusUnverified),
		mk("leaf-15", 15, 12, model.StatusUnverified),
		mk("crown-15", 15, 64, model.StatusUnverified),
		mk("crown-11", 11, 64, model.StatusUnverified), // medium: stays below
		mk("crit-20", 20, 0, model.StatusUnverified),
		mk("open-16", 16, 12, model.StatusOpen),
		mk("bare-16", 16, 0, model.StatusUnverified),
	}
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	want := []string{"crit-20", "open-16", "leaf-16", "crown-15", "bare-16", "leaf-15", "crown-11"}
	if !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}

// TestReachChunks: on a model large enough for reachOf's workers, every
// element's reach is what a plain union per element gives (the receiver's
// set reused for its flows, a flow whose receiver is outside the model
// worked out on its own).
func TestReachChunks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 13))
	m := &model.Model{}
	for i := range 40 {
		m.Assets = append(m.Assets, &model.Asset{ID: fmt.Sprint("a", i), Confidentiality: model.Level(rnd.IntN(5)), Value: model.Level(rnd.IntN(5))})
	}
	pick := func() []*model.Asset {
		var as []*model.Asset
		for range rnd.IntN(4) {
			as = append(as, m.Assets[rnd.IntN(len(m.Assets))])
		}
		return as
	}
	kinds := []model.ComponentKind{model.KindService, model.KindDatastore, model.KindClient}
	for i := range 3000 {
		m.Components = append(m.Components, &model.Component{ID: fmt.Sprint("c", i), Kind: kinds[rnd.IntN(3)], Stores: pick(), Processes: pick()})
	}
	outside := &model.Component{ID: "outside", Kind: model.KindDatastore, Stores: pick()}
	for i := range 6000 {
		to := m.Components[rnd.IntN(len(m.Components))]
		if i%500 == 0 {
			to = outside
		}
		m.Flows = append(m.Flows, &model.Flow{ID: fmt.Sprint("f", i), From: m.Components[rnd.IntN(len(m.Components))], To: to, Carries: pick()})
	}
	m.Index()
	outside.Out = []*model.Flow{m.Flows[1]}
	// The plain union.
	sum := func(lists ...[]*model.Asset) int32 {
		seen := map[*model.Asset]bool{}
		var v int32
		for _, l := range lists {
			for _, a := range l {
				if !seen[a] {
					seen[a] = true
					v += assetWorth(a)
				}
			}
		}
		return v
	}
	of := func(c *model.Component) [][]*model.Asset {
		ls := [][]*model.Asset{c.Assets()}
		for _, fl := range c.Out {
			ls = append(ls, fl.Carries)
			if fl.To.IsStore() {
				ls = append(ls, fl.To.Assets())
			}
		}
		return ls
	}
	r := reachOf(m)
	var most int32
	for _, c := range m.Components {
		want := sum(of(c)...)
		most = max(most, want)
		if got := r.at(model.Target{Component: c}); got != want {
			t.Fatalf("%s reaches %d, want %d", c.ID, got, want)
		}
	}
	for _, fl := range m.Flows {
		if got, want := r.at(model.Target{Flow: fl}), sum(append(of(fl.To), fl.Carries)...); got != want {
			t.Fatalf("%s reaches %d, want %d", fl.ID, got, want)
		}
	}
	if r.most != most {
		t.Errorf("most %d, want %d", r.most, most)
	}
}

// TestFocus: the crown jewels are the assets of the design's highest worth
// (high or above); a component that holds one, a flow that carries one or
// leads to a component that holds one, are FocusJewel; a device, and a
// flow to or from one, FocusPhysical for a threat to what it does (not
// disclosure or repudiation). Only the element a threat names first counts, but for the
// team's threats, whose elements are a set.
func TestFocus(t *testing.T) {
	cards := &model.Asset{ID: "cards", Confidentiality: model.Critical} // 4: the jewel
	orders := &model.Asset{ID: "orders", Integrity: model.High}         // 3
	api := &model.Component{ID: "api", Kind: model.KindService, Processes: []*model.Asset{orders}}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Stores: []*model.Asset{cards}}
	pump := &model.Component{ID: "pump", Kind: model.KindDevice}
	user := &model.Component{ID: "user", Kind: model.KindClient}
	toDB := &model.Flow{ID: "to-db", From: api, To: db}
	toPump := &model.Flow{ID: "to-pump", From: api, To: pump, Carries: []*model.Asset{orders}}
	in := &model.Flow{ID: "in", From: user, To: api, Carries: []*model.Asset{cards}}
	m := &model.Model{Assets: []*model.Asset{cards, orders},
		Components: []*model.Component{api, db, pump, user}, Flows: []*model.Flow{toDB, toPump, in}}
	m.Index()
	r := reachOf(m)
	focus := func(ts ...model.Target) model.Focus {
		return r.focus(&model.Finding{Category: model.Tampering, Targets: ts})
	}
	for _, tc := range []struct {
		name string
		got  model.Focus
		want model.Focus
	}{
		{"db", focus(model.Target{Component: db}), model.FocusJewel},
		{"api", focus(model.Target{Component: api}), 0}, // reaches the cards, holds orders only
		{"pump", focus(model.Target{Component: pump}), model.FocusPhysical},
		{"to-db", focus(model.Target{Flow: toDB}), model.FocusJewel},
		{"to-pump", focus(model.Target{Flow: toPump}), model.FocusPhysical},
		{"in", focus(model.Target{Flow: in}), model.FocusJewel},
		{"api then db", focus(model.Target{Component: api}, model.Target{Component: db}), 0},
		{"none", focus(), 0},
		{"pump, disclosure", r.focus(&model.Finding{Category: model.InformationDisclosure, Targets: []model.Target{{Component: pump}}}), 0},
		{"pump, denial of service", r.focus(&model.Finding{Category: model.DenialOfService, Targets: []model.Target{{Component: pump}}}), model.FocusPhysical},
		{"team's, any element", r.focus(&model.Finding{Origin: model.OriginPeople, Targets: []model.Target{{Component: api}, {Component: db}}}), model.FocusJewel},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: focus %b, want %b", tc.name, tc.got, tc.want)
		}
	}
	// Below high, nothing is a crown jewel; a device still is physical.
	low := &model.Asset{ID: "low", Confidentiality: model.Medium}
	db2 := &model.Component{ID: "db2", Kind: model.KindDatastore, Stores: []*model.Asset{low}}
	m2 := &model.Model{Assets: []*model.Asset{low}, Components: []*model.Component{db2, pump}}
	m2.Index()
	r2 := reachOf(m2)
	if fo := r2.focus(&model.Finding{Targets: []model.Target{{Component: db2}}}); fo != 0 {
		t.Errorf("a store of medium data: focus %b, want none", fo)
	}
	if fo := r2.focus(&model.Finding{Category: model.Tampering, Targets: []model.Target{{Component: pump}}}); fo != model.FocusPhysical {
		t.Errorf("a device: focus %b, want physical", fo)
	}
}

// TestRankFocus: a threat on the crown jewels' element (0.75 point) or a
// device (0.5) goes before one scoring the same elsewhere, not before one
// scoring a point more, and never leaves its band.
func TestRankFocus(t *testing.T) {
	mk := func(id string, score int, fo model.Focus) *model.Finding {
		r := model.Risk{Score: int32(score), Severity: Band(score), Likelihood: 3, Impact: model.Impact(score / 3)}
		return &model.Finding{ID: id, Rule: id, Category: model.Tampering, Targets: []model.Target{{Component: &model.Component{ID: id}}},
			Status: model.StatusUnverified, Inherent: r, Residual: r, Focus: fo}
	}
	fs := []*model.Finding{
		mk("a-plain-15", 15, 0),
		mk("b-device-15", 15, model.FocusPhysical),
		mk("c-jewel-15", 15, model.FocusJewel),
		mk("d-plain-16", 16, 0),
		mk("e-jewel-11", 11, model.FocusJewel|model.FocusPhysical), // medium: stays below
	}
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	if want := []string{"d-plain-16", "c-jewel-15", "b-device-15", "a-plain-15", "e-jewel-11"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
