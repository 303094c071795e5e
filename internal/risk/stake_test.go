package risk

import (
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestImpactMemoSame checks that remembering the impact of a long shared
// list of assets gives what scanning it gives, per property, for threats
// sharing the list, a prefix of it and a list of their own.
func TestImpactMemoSame(t *testing.T) {
	m := &model.Model{System: model.System{Criticality: model.High}}
	var shared []*model.Asset
	for i := range 30 {
		a := &model.Asset{ID: string(rune('a' + i%26)), Classification: model.Classification(i % 4)}
		if i == 17 {
			a.Availability = model.Critical
		}
		if i == 23 {
			a.Value = model.Critical
		}
		shared = append(shared, a)
	}
	own := append([]*model.Asset(nil), shared[:12]...)
	memo := map[stakeKey]stake{}
	for _, cat := range model.Categories {
		for _, as := range [][]*model.Asset{shared, shared[:12], own, shared, shared[:3]} {
			f := &model.Finding{Category: cat, Assets: as}
			i1, w1, p1 := impactMemo(m, f, nil, false)
			i2, w2, p2 := impactMemo(m, f, memo, false)
			if i1 != i2 || w1 != w2 || p1 != p2 {
				t.Errorf("%s, %d assets: memo gives %v %q %v, scan gives %v %q %v", cat, len(as), i2, w2, p2, i1, w1, p1)
			}
		}
	}
	if len(memo) == 0 {
		t.Error("nothing was remembered")
	}
}

// TestStakeValueOnce: an asset named twice in a threat's list counts once,
// in short lists and in long ones (kept in a set).
func TestStakeValueOnce(t *testing.T) {
	cards := &model.Asset{ID: "cards", Confidentiality: model.Critical} // 4
	logs := &model.Asset{ID: "logs", Confidentiality: model.Low}        // 2 (integrity medium)
	if got := stakeValue(&model.Finding{Assets: []*model.Asset{cards, logs, cards}}); got != 6 {
		t.Errorf("cards, logs, cards: stake %d, want 6", got)
	}
	var long []*model.Asset
	for range 40 {
		long = append(long, cards, logs)
	}
	if got := stakeValue(&model.Finding{Assets: long}); got != 6 {
		t.Errorf("40 × (cards, logs): stake %d, want 6", got)
	}
}

// BenchmarkStakeValueLong: a zone-wide threat naming 200 assets, as a
// large model's are; the set marking them comes from a pool, so a run
// allocates nothing per threat (a set per threat was mem18's 8 → 26
// collections at 100,000 components).
func BenchmarkStakeValueLong(b *testing.B) {
	var as []*model.Asset
	for i := range 200 {
		as = append(as, &model.Asset{ID: string(rune('a' + i%26)), Confidentiality: model.Low})
	}
	f := &model.Finding{Assets: as}
	b.ReportAllocs()
	for b.Loop() {
		stakeValue(f)
	}
}

// TestStakeValuesSame: remembering the stake of long lists gives what
// counting each gives, for threats sharing a list, a prefix of it, a list
// of their own with the same assets, and short lists.
func TestStakeValuesSame(t *testing.T) {
	var shared []*model.Asset
	for i := range 90 {
		shared = append(shared, &model.Asset{ID: string(rune('a' + i%26)), Classification: model.Classification(i % 4), Value: model.Level(i % 5)})
	}
	own := append([]*model.Asset(nil), shared[:12]...)
	memo := stakeValues{}
	for _, as := range [][]*model.Asset{shared, shared[:12], own, shared, shared[:3], shared[:70], append(own, own...)} {
		f := &model.Finding{Assets: as}
		if got, want := memo.of(f), stakeValue(f); got != want {
			t.Errorf("%d assets: remembered %d, counted %d", len(as), got, want)
		}
	}
	if len(memo) == 0 {
		t.Error("nothing was remembered")
	}
}
