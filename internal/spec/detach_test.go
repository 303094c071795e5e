package spec

import (
	"slices"
	"testing"
	"unsafe"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/synth"
)

// TestDetach builds a streamed model of 2,000 components twice, once
// detached from its text: the models' strings are equal, and no string the walk
// visits, nor any id, points into the text any more.
func TestDetach(t *testing.T) {
	data := synth.Generate(2000, synth.DefaultSeed)
	if len(data) < detachMin {
		t.Fatalf("model of %d bytes, want at least %d", len(data), detachMin)
	}
	load := func() (parsed, *Diagnostics) {
		var diags Diagnostics
		doc, text := parseDoc(Source{Name: "ward.yaml", Data: append([]byte(nil), data...), owned: true}, &diags)
		if doc == nil || text == "" {
			t.Fatalf("not decoded from text: %v", diags)
		}
		return parsed{name: "ward.yaml", doc: doc, main: true, text: text}, &diags
	}
	p1, _ := load()
	want, diags := build([]parsed{p1})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p2, _ := load()
	got, _ := build([]parsed{p2})
	detach(got, []parsed{p2})
	values := func(m *model.Model) (out []string) {
		modelStrings(m, func(s *string) { out = append(out, *s) })
		return out
	}
	if g, w := values(got), values(want); !slices.Equal(g, w) {
		t.Fatalf("the detached model's strings differ (%d against %d)", len(g), len(w))
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(p2.text)))
	hi := lo + uintptr(len(p2.text))
	in := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return s != "" && p >= lo && p < hi
	}
	n := 0
	modelStrings(got, func(s *string) {
		if in(*s) {
			n++
		}
	})
	for _, c := range got.Components {
		if got.Component(c.ID) != c {
			t.Fatalf("component %s not found by id", c.ID)
		}
	}
	for _, b := range got.Boundaries {
		if in(b.ID) {
			n++
		}
	}
	for _, x := range got.Threats {
		if in(x.ID) {
			n++
		}
	}
	if n > 0 {
		t.Errorf("%d strings still in the text", n)
	}
}
