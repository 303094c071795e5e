package report

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
)

// TestRankGroups checks rankGroups against a stable sort of the Questions
// themselves, ties included.
func TestRankGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		got := make([]Question, n)
		for i := range got {
			got[i] = Question{ID: strconv.Itoa(i), Moves: rng.IntN(8)}
		}
		want := append([]Question(nil), got...)
		sort.SliceStable(want, func(i, j int) bool { return want[i].Moves > want[j].Moves })
		rankGroups(got)
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("n=%d: position %d holds %s, want %s", n, i, got[i].ID, want[i].ID)
			}
		}
	}
}
