package rule

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

func TestByIDSortsAsStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alpha := "ab:-.\x00z"
	var s byID[*model.Finding]
	for round := range 300 {
		n := r.IntN(60)
		fs := make([]*model.Finding, n)
		prefix := []string{"", "rule-x:", "a"}[round%3]
		for i := range fs {
			var b strings.Builder
			b.WriteString(prefix)
			for range r.IntN(22) {
				b.WriteByte(alpha[r.IntN(len(alpha))])
			}
			fs[i] = &model.Finding{ID: b.String()}
		}
		want := slices.Clone(fs)
		slices.SortStableFunc(want, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) })
		s.sort(fs, func(f *model.Finding) string { return f.ID })
		if !slices.Equal(fs, want) {
			t.Fatalf("round %d: order differs", round)
		}
	}
}

func benchIDs(n int) []*model.Finding {
	r := rand.New(rand.NewPCG(3, 4))
	fs := make([]*model.Finding, n)
	for i := range fs {
		fs[i] = &model.Finding{ID: fmt.Sprintf("unencrypted-transport:f-%d", r.IntN(50000))}
		if i%3 == 0 {
			fs[i].ID += ":spoofing"
		}
	}
	return fs
}

func BenchmarkSortIDs(b *testing.B) {
	src := benchIDs(5000)
	fs := slices.Clone(src)
	b.Run("strings", func(b *testing.B) {
		for b.Loop() {
			copy(fs, src)
			slices.SortFunc(fs, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) })
		}
	})
	b.Run("keyed", func(b *testing.B) {
		var s byID[*model.Finding]
		for b.Loop() {
			copy(fs, src)
			s.sort(fs, func(f *model.Finding) string { return f.ID })
		}
	})
}
