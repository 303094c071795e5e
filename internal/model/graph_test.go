package model

import (
	"slices"
	"testing"
)

func TestReverseAssetIndex(t *testing.T) {
	a, b := &Asset{ID: "a"}, &Asset{ID: "b"}
	c1 := &Component{ID: "c1", Stores: []*Asset{a, b}, Processes: []*Asset{a}}
	c2 := &Component{ID: "c2", Processes: []*Asset{b, b}}
	c3 := &Component{ID: "c3", Stores: []*Asset{b}}
	f := &Flow{ID: "f", From: c1, To: c2, Carries: []*Asset{a, a}}
	m := &Model{Assets: []*Asset{a, b}, Components: []*Component{c1, c2, c3}, Flows: []*Flow{f}}
	m.Index()
	m.Index() // idempotent
	if got := m.StoredBy(b); !slices.Equal(got, []*Component{c1, c3}) {
		t.Errorf("StoredBy(b) = %v", got)
	}
	if got := m.HandledBy(b); !slices.Equal(got, []*Component{c1, c2, c3}) {
		t.Errorf("HandledBy(b) = %v", got)
	}
	if got := m.HandledBy(a); !slices.Equal(got, []*Component{c1}) {
		t.Errorf("HandledBy(a) = %v", got)
	}
	if got := m.CarriedBy(a); !slices.Equal(got, []*Flow{f}) {
		t.Errorf("CarriedBy(a) = %v", got)
	}
	if got := m.CarriedBy(b); len(got) != 0 {
		t.Errorf("CarriedBy(b) = %v", got)
	}
}

// TestComponentAssetsShared checks that Assets is the merged list without
// duplicates, built once by Index and shared between calls, and built afresh
// when Stores or Processes are replaced after Index.
func TestComponentAssetsShared(t *testing.T) {
	a, b, c := &Asset{ID: "a"}, &Asset{ID: "b"}, &Asset{ID: "c"}
	x := &Component{ID: "x", Stores: []*Asset{a, b}, Processes: []*Asset{b, c, a}}
	before := x.Assets() // not indexed yet: merged on the fly
	m := &Model{Assets: []*Asset{a, b, c}, Components: []*Component{x}}
	m.Index()
	got := x.Assets()
	if want := []*Asset{a, b, c}; !slices.Equal(got, want) || !slices.Equal(before, want) {
		t.Fatalf("Assets() = %v (before Index %v), want %v", got, before, want)
	}
	if again := x.Assets(); &again[0] != &got[0] {
		t.Error("Assets() built a new list after Index")
	}
	if cap(got) != len(got) {
		t.Errorf("shared list has spare capacity %d: an append by a caller would write into it", cap(got)-len(got))
	}
	x.Processes = []*Asset{c}
	if got := x.Assets(); !slices.Equal(got, []*Asset{a, b, c}) {
		t.Errorf("after replacing Processes: Assets() = %v", got)
	}
	x.Stores = []*Asset{c}
	if got := x.Assets(); !slices.Equal(got, []*Asset{c}) {
		t.Errorf("after replacing Stores: Assets() = %v", got)
	}
	// Long lists go through a set.
	var many []*Asset
	for range 40 {
		many = append(many, &Asset{})
	}
	y := &Component{Stores: many, Processes: append(slices.Clone(many[:10]), a)}
	if got := y.Assets(); len(got) != 41 || got[40] != a {
		t.Errorf("long lists: %d assets, last %v", len(got), got[len(got)-1])
	}
}
