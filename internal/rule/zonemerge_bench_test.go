package rule_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// zoneAssets returns a model of n stores in zones of ten, with assets
// assets, and a zone-wide rule whose threat on every third store puts
// all the assets at stake (one list, shared, as a rule's memo shares the
// system's) and on the others two of their own: the shape of
// single-point-of-failure and unpinned-dependencies, whose merged threats
// join lists of thousands at 100,000 components.
func zoneAssets(n, assets int) (*model.Model, *rule.Rule) {
	m := &model.Model{System: model.System{ID: "sys"}}
	for i := range assets {
		m.Assets = append(m.Assets, &model.Asset{ID: fmt.Sprintf("a%d", i)})
	}
	var zone *model.Boundary
	for i := range n {
		if i%10 == 0 {
			zone = &model.Boundary{ID: fmt.Sprintf("z%d", i/10), Trust: model.TrustInternal}
			m.Boundaries = append(m.Boundaries, zone)
		}
		c := &model.Component{ID: fmt.Sprintf("s%d", i), Kind: model.KindDatastore, Boundary: zone}
		zone.Components = append(zone.Components, c)
		m.Components = append(m.Components, c)
	}
	m.Index()
	all := m.Assets
	r := &rule.Rule{ID: "spof", Title: "t", Doc: "d", Category: model.DenialOfService, On: rule.OnComponent, ZoneWide: true,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			at := all
			if k := int(m.CompNum(c)); k%3 != 0 {
				at = []*model.Asset{all[(k*7)%len(all)], all[(k*13)%len(all)]}
			}
			x.Report(x.Lacks(c, model.CtlRedundant), "no redundancy of "+c.ID, at)
		}}
	return m, r
}

// TestZoneAssetsUnion: a merged threat names its first member's assets
// (its list as it is), then what the others add, each once, in the order
// they come.
func TestZoneAssetsUnion(t *testing.T) {
	m, r := zoneAssets(20, 5)
	res, err := rule.Run(context.Background(), m, []*rule.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		var want []*model.Asset
		for i, tg := range f.Targets {
			k := int(m.CompNum(tg.Component))
			at := m.Assets
			if k%3 != 0 {
				at = []*model.Asset{m.Assets[(k*7)%5], m.Assets[(k*13)%5]}
			}
			for _, a := range at {
				if i == 0 || !slices.Contains(want, a) {
					want = append(want, a)
				}
			}
		}
		if !slices.Equal(f.Assets, want) {
			t.Errorf("%s: assets %v, want %v", f.ID, ids2(f.Assets), ids2(want))
		}
	}
}

func ids2(as []*model.Asset) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// BenchmarkZoneMergeAssets runs the zone-wide rule of zoneAssets on 20,000
// stores with 2,000 assets: 2,000 merged threats, each joining the shared
// list of 2,000 with its members' own.
func BenchmarkZoneMergeAssets(b *testing.B) {
	m, r := zoneAssets(20_000, 2_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rule.Run(context.Background(), m, []*rule.Rule{r}); err != nil {
			b.Fatal(err)
		}
	}
}
