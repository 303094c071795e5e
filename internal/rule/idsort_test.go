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

func TestByIDSortsLongTies(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"x:", "x:service-", "x:service-service-", "x:service-service-\x00", "y:function-"}
	var s byID[*model.Finding]
	for round := range 300 {
		fs := make([]*model.Finding, r.IntN(80))
		for i := range fs {
			id := words[r.IntN(len(words))]
			for range r.IntN(12) {
				id += string("-0\x001"[r.IntN(4)])
			}
			fs[i] = &model.Finding{ID: id}
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

// benchCompIDs are findings on components whose ids share a kind word
// longer than a key (service-, function-), as in a generated estate.
func benchCompIDs(n int) []*model.Finding {
	r := rand.New(rand.NewPCG(5, 6))
	kinds := []string{"service", "function", "datastore", "api", "queue"}
	fs := make([]*model.Finding, n)
	for i := range fs {
		fs[i] = &model.Finding{ID: fmt.Sprintf("missing-authz:%s-%d", kinds[r.IntN(len(kinds))], r.IntN(50000))}
	}
	return fs
}

func BenchmarkSortIDs(b *testing.B) {
	b.Run("flows", func(b *testing.B) { benchSortIDs(b, benchIDs(5000)) })
	b.Run("components", func(b *testing.B) { benchSortIDs(b, benchCompIDs(5000)) })
	b.Run("components-100k", func(b *testing.B) { benchSortIDs(b, benchCompIDs(100000)) })
}

func benchSortIDs(b *testing.B, src []*model.Finding) {
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
