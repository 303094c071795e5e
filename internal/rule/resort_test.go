package rule

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestResort checks that resort gives the order a full sort by id gives,
// from sorted lists with renamed threats anywhere and from unsorted ones.
func TestResort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	byID := func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) }
	for trial := range 300 {
		n := rng.IntN(40)
		fs := make([]*model.Finding, n)
		for i := range fs {
			fs[i] = &model.Finding{ID: "r:" + strconv.Itoa(rng.IntN(1000)) + "." + strconv.Itoa(i)}
		}
		if trial%5 != 0 {
			slices.SortFunc(fs, byID)
		}
		renamed := map[*model.Finding]bool{}
		for _, f := range fs {
			if rng.IntN(4) == 0 {
				f.ID = "r:" + strconv.Itoa(rng.IntN(1000)) + "z" + f.ID
				renamed[f] = true
			}
		}
		want := slices.Clone(fs)
		slices.SortFunc(want, byID)
		out := &results{findings: fs}
		out.resort(renamed)
		if !slices.Equal(out.findings, want) {
			t.Fatalf("trial %d: resort gave another order than a sort", trial)
		}
	}
}
