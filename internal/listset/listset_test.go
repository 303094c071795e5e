package listset_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/wardtm/ward/internal/listset"
)

// TestAdd: values keep the order they were first added in, repeats are
// skipped on both sides of the switch to a map, and a starting list counts
// as held.
func TestAdd(t *testing.T) {
	s := listset.Set[string]{List: []string{"a", "b"}}
	var want []string
	want = append(want, "a", "b")
	for i := range 40 {
		v := strconv.Itoa(i % 25)
		s.Add(v, "a")
		if i < 25 {
			want = append(want, v)
		}
	}
	if !slices.Equal(s.List, want) {
		t.Fatalf("list %v, want %v", s.List, want)
	}
	s.Add("b", "24", "new")
	if got := s.List[len(s.List)-1]; got != "new" || len(s.List) != len(want)+1 {
		t.Fatalf("after a repeat and a new value: %v", s.List)
	}
}

// BenchmarkAddMany: adding n distinct values stays linear.
func BenchmarkAddMany(b *testing.B) {
	vs := make([]string, 20000)
	for i := range vs {
		vs[i] = strconv.Itoa(i)
	}
	for b.Loop() {
		var s listset.Set[string]
		s.Add(vs...)
	}
}
