package model

import (
	"slices"
	"testing"
)

// TestNumberByPlace checks CompNum and FlowNum number elements made in
// slabs (as the loader makes them) by their place, and answer as the
// elements' own numbers do when the lists change after Index.
func TestNumberByPlace(t *testing.T) {
	var m Model
	for _, n := range []int{3, 5, 2} { // three files
		slab := make([]Component, n)
		for i := range slab {
			m.Components = append(m.Components, &slab[i])
		}
	}
	flows := make([]Flow, 4)
	for i := range flows {
		flows[i].From, flows[i].To = m.Components[i], m.Components[i+1]
		m.Flows = append(m.Flows, &flows[i])
	}
	m.Index()
	if got := len(m.compAt.runs); got < 1 || got > 3 {
		t.Fatalf("component runs = %d, want 1–3", got)
	}
	check := func(when string) {
		t.Helper()
		for i, c := range m.Components {
			if got := m.CompNum(c); got != int32(i) {
				t.Errorf("%s: CompNum(component %d) = %d", when, i, got)
			}
		}
		for i, f := range m.Flows {
			if got := m.FlowNum(f); got != int32(i) {
				t.Errorf("%s: FlowNum(flow %d) = %d", when, i, got)
			}
		}
		if got := m.CompNum(nil); got != -1 {
			t.Errorf("%s: CompNum(nil) = %d", when, got)
		}
		if got := m.CompNum(&Component{}); got != -1 {
			t.Errorf("%s: CompNum(another) = %d", when, got)
		}
		if got := m.FlowNum(&Flow{}); got != -1 {
			t.Errorf("%s: FlowNum(another) = %d", when, got)
		}
	}
	check("indexed")

	// A list changed since Index: places no longer match the numbers.
	gone := m.Components[1]
	m.Components = slices.Delete(m.Components, 1, 2)
	slices.Reverse(m.Flows)
	m.Number()
	check("changed and numbered")
	if got := m.CompNum(gone); got != -1 {
		t.Errorf("CompNum(removed) = %d", got)
	}
	m.Components = m.Components[:3] // shorter than the runs
	check("shortened")
}

// TestNumberScattered checks a model made element by element, as by hand,
// numbers every element.
func TestNumberScattered(t *testing.T) {
	var m Model
	keep := []*Component{}
	for i := range 200 {
		c := &Component{}
		keep = append(keep, &Component{}) // spaces the components apart
		m.Components = append(m.Components, c)
		if i%2 == 1 {
			m.Flows = append(m.Flows, &Flow{From: m.Components[i-1], To: c})
		}
	}
	m.Index()
	for i, c := range m.Components {
		if got := m.CompNum(c); got != int32(i) {
			t.Errorf("CompNum(component %d) = %d", i, got)
		}
	}
	for i, f := range m.Flows {
		if got := m.FlowNum(f); got != int32(i) {
			t.Errorf("FlowNum(flow %d) = %d", i, got)
		}
	}
	if len(keep) == 0 {
		t.Fatal("unreachable")
	}
}
