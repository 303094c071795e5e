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
