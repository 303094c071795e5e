package risk

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestRankingMatchesReference checks Rank, and Rerank after removing
// threats, against a plain reference ranking (maps keyed by target and
// rule, a comparison sort) on random lists: numbering elements and rules
// and ranking again from the kept order must not move any threat.
func TestRankingMatchesReference(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 1))
		fs := randomFindings(r)
		want := cloneFindings(fs)
		repeat := referenceRank(want, nil)

		got := cloneFindings(fs)
		ranking := NewRanking(got)
		if d := rankDiff(got, want); d != "" {
			t.Fatalf("seed %d: Rank differs from the reference: %s", seed, d)
		}
		// Two steps remove threats (rank 0), as the cap and the fold do.
		for step := range 2 {
			kept := got[:0]
			for _, f := range got {
				if r.IntN(3) == 0 {
					f.Rank = 0
				} else {
					kept = append(kept, f)
				}
			}
			got = kept
			ranking.Rerank(got)
			want = cloneFindings(got)
			slices.SortStableFunc(want, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) })
			referenceRank(want, repeat)
			if d := rankDiff(got, want); d != "" {
				t.Fatalf("seed %d, step %d: Rerank differs from ranking the kept threats: %s", seed, step, d)
			}
		}
	}
}

func randomFindings(r *rand.Rand) []*model.Finding {
	comps := make([]*model.Component, 6)
	for i := range comps {
		comps[i] = &model.Component{ID: fmt.Sprintf("c%d", i)}
	}
	flows := []*model.Flow{{ID: "f0", From: comps[0], To: comps[1]}, {ID: "f1", From: comps[2], To: comps[3]}}
	levels := []model.Level{model.LevelUnset, model.Low, model.Medium, model.High, model.Critical}
	assets := make([]*model.Asset, 5)
	for i := range assets {
		assets[i] = &model.Asset{ID: fmt.Sprintf("a%d", i), Confidentiality: levels[r.IntN(len(levels))],
			Integrity: levels[r.IntN(len(levels))], Value: levels[r.IntN(len(levels))]}
	}
	statuses := []model.Status{model.StatusOpen, model.StatusUnverified, model.StatusMitigated, model.StatusAccepted}
	n := 1 + r.IntN(60)
	fs := make([]*model.Finding, 0, n)
	for i := range n {
		f := &model.Finding{
			Rule:     fmt.Sprintf("r%d", r.IntN(5)),
			Category: model.Categories[r.IntN(len(model.Categories))],
			Status:   statuses[r.IntN(len(statuses))],
			Inherent: Make(model.Likelihood(1+r.IntN(5)), model.Impact(1+r.IntN(5))),
			Residual: Make(model.Likelihood(1+r.IntN(5)), model.Impact(1+r.IntN(5))),
		}
		switch r.IntN(4) {
		case 0:
			f.Targets = []model.Target{{Flow: flows[r.IntN(len(flows))]}}
		case 1:
			// no target: a model-level threat
		default:
			f.Targets = []model.Target{{Component: comps[r.IntN(len(comps))]}}
		}
		// The data at stake breaks ties: a few assets, often the same
		// ones, so that equal threats differ by it or not.
		for range r.IntN(3) {
			f.Assets = append(f.Assets, assets[r.IntN(len(assets))])
		}
		if r.IntN(5) == 0 {
			f.Origin = model.OriginPeople
			f.Rule = model.PeopleRule
		}
		if r.IntN(4) == 0 {
			f.Aliases = []string{"x"}
		}
		// The data within reach: none, some or all of the design's.
		if r.IntN(3) > 0 {
			f.Reach = uint8(r.IntN(65))
		}
		// Where the attack starts: unset, a trust level, or the supply
		// chain (unset, with the vector).
		f.Start = model.Trust(r.IntN(int(model.TrustRestricted) + 1))
		if f.Start == model.TrustUnset && r.IntN(2) == 0 {
			f.Vector = model.VectorSupplyChain
		}
		f.ID = fmt.Sprintf("%s:%03d", f.Rule, i)
		fs = append(fs, f)
	}
	r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	return fs
}

func cloneFindings(fs []*model.Finding) []*model.Finding {
	out := make([]*model.Finding, len(fs))
	for i, f := range fs {
		c := *f
		out[i] = &c
	}
	return out
}

func rankDiff(got, want []*model.Finding) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d threats, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Rank != want[i].Rank {
			return fmt.Sprintf("place %d: %s (rank %d), want %s (rank %d)", i+1, got[i].ID, got[i].Rank, want[i].ID, want[i].Rank)
		}
	}
	return ""
}

// referenceRank is the ranking as first written: a stable sort by id and
// by the ranking's criteria one after the other (not the packed rank
// key), then the spread with maps keyed by target and rule.
func referenceRank(fs []*model.Finding, repeat map[string]int) map[string]int {
	slices.SortStableFunc(fs, func(a, b *model.Finding) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Pos.String(), b.Pos.String())
	})
	stake := func(f *model.Finding) int {
		v := 0
		for _, a := range f.Assets {
			v += int(max(a.Need(model.Confidentiality), a.Need(model.Integrity), a.Value))
		}
		return v
	}
	// The ranking value in points: the score and up to 1.125 for the data
	// within reach (the share, in 64ths, × 1.125, in whole 128ths as
	// rankValue counts it), less three eighths of a point per element of
	// the threat's rule ranked before its own (repeat, set below).
	plain := func(f *model.Finding) float64 {
		return float64(f.Residual.Score) + float64(int(f.Reach)*144/64)/128
	}
	value := func(f *model.Finding) float64 { return max(0, plain(f)-0.375*float64(repeat[f.ID])) }
	order := func(value func(*model.Finding) float64) func(a, b *model.Finding) int {
		return func(a, b *model.Finding) int {
			return cmp.Or(
				cmp.Compare(b2i(!a.Active()), b2i(!b.Active())),
				cmp.Compare(b.Residual.Severity, a.Residual.Severity),
				cmp.Compare(value(b), value(a)),
				cmp.Compare(b2i(!a.Open()), b2i(!b.Open())),
				cmp.Compare(b.Residual.Impact, a.Residual.Impact),
				cmp.Compare(b.Inherent.Score, a.Inherent.Score),
				cmp.Compare(stake(b), stake(a)))
		}
	}
	// A rule's elements in the order of their best active threat of the
	// rule (the team's own threats aside): the n-th element's threats
	// lose n−1 times three eighths of a point. A ranking again after threats were removed
	// keeps the order of the first (repeat given).
	if repeat == nil {
		repeat = map[string]int{}
		byValue := slices.Clone(fs)
		slices.SortStableFunc(byValue, order(plain))
		place := map[string]map[model.Target]int{}
		for _, f := range byValue {
			if !f.Active() || f.Origin == model.OriginPeople {
				continue
			}
			var t model.Target
			if len(f.Targets) > 0 {
				t = f.Targets[0]
			}
			if place[f.Rule] == nil {
				place[f.Rule] = map[model.Target]int{}
			}
			p, ok := place[f.Rule][t]
			if !ok {
				p = len(place[f.Rule])
				place[f.Rule][t] = p
			}
			repeat[f.ID] = p
		}
	}
	slices.SortStableFunc(fs, order(value))
	same := func(a, b *model.Finding) bool {
		return a.Active() == b.Active() && a.Open() == b.Open() && a.Residual.Severity == b.Residual.Severity
	}
	type pair struct {
		t   model.Target
		cat model.Category
	}
	pairs := map[pair]bool{}
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && same(fs[i], fs[j]) {
			j++
		}
		run := fs[i:j]
		if len(run) > 2 {
			seen := map[model.Target]int{}
			rules := map[string]int{}
			starts := map[string]bool{}
			round := map[*model.Finding]int{}
			top := value(run[0])
			for _, f := range run {
				var id model.Target
				if len(f.Targets) > 0 {
					id = f.Targets[0]
				}
				round[f] = seen[id] + rules[f.Rule] + int((top-value(f))/scoreRound)
				if len(f.Aliases) > 0 && f.Origin != model.OriginPeople {
					round[f]++
				}
				start := f.Start.String()
				if f.Start == model.TrustUnset && f.Vector == model.VectorSupplyChain {
					start = "supply chain"
				}
				if start != "" && f.Origin != model.OriginPeople {
					if starts[start] {
						round[f]++
					}
					starts[start] = true
				}
				seen[id]++
				if f.Origin != model.OriginPeople {
					rules[f.Rule]++
				}
			}
			slices.SortStableFunc(run, func(a, b *model.Finding) int { return round[a] - round[b] })
		}
		if run[0].Active() {
			var firsts, repeats []*model.Finding
			for _, f := range run {
				var t model.Target
				if len(f.Targets) > 0 {
					t = f.Targets[0]
				}
				if p := (pair{t, f.Category}); pairs[p] {
					repeats = append(repeats, f)
				} else {
					pairs[p] = true
					firsts = append(firsts, f)
				}
			}
			copy(run, append(firsts, repeats...))
		}
		i = j
	}
	for i, f := range fs {
		f.Rank = i + 1
	}
	return repeat
}

// TestElements: elements are numbered in the order first added, whatever
// kind of target names them.
func TestElements(t *testing.T) {
	c := &model.Component{ID: "c"}
	f := &model.Flow{ID: "f"}
	b := &model.Boundary{ID: "b"}
	targets := []model.Target{{Component: c}, {Flow: f}, {}, {Boundary: b}, {Component: c, Flow: f}}
	var e Elements
	for i, tg := range targets {
		if _, ok := e.Get(tg); ok {
			t.Errorf("%v numbered before it was added", tg)
		}
		if n := e.Add(tg); n != i {
			t.Errorf("Add(%v) = %d, want %d", tg, n, i)
		}
	}
	for i, tg := range targets {
		if n, ok := e.Get(tg); !ok || n != i || e.Add(tg) != i {
			t.Errorf("Get(%v) = %d, %v, want %d", tg, n, ok, i)
		}
	}
	if e.Len() != len(targets) {
		t.Errorf("Len() = %d, want %d", e.Len(), len(targets))
	}
}

// TestSortQuestions: the counting sort for questions in id order and the
// comparison sort for others both give the stable sort's order.
func TestSortQuestions(t *testing.T) {
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 2))
		qs := make([]*model.Question, r.IntN(50))
		for i := range qs {
			qs[i] = &model.Question{ID: fmt.Sprintf("q%02d", r.IntN(30)), Moves: r.IntN(4) * 5, AtStake: model.Severity(r.IntN(3))}
		}
		if seed%2 == 0 {
			slices.SortStableFunc(qs, func(a, b *model.Question) int { return strings.Compare(a.ID, b.ID) })
		}
		want := slices.Clone(qs)
		slices.SortStableFunc(want, func(a, b *model.Question) int {
			if a.Moves != b.Moves {
				return b.Moves - a.Moves
			}
			if a.AtStake != b.AtStake {
				return int(b.AtStake) - int(a.AtStake)
			}
			return strings.Compare(a.ID, b.ID)
		})
		sortQuestions(qs)
		for i := range qs {
			if qs[i] != want[i] {
				t.Fatalf("seed %d: place %d holds %s, want %s", seed, i, qs[i].ID, want[i].ID)
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestTieByStake: of two threats of one rule that score alike, the one on
// the element with more data at stake comes first, whatever their ids,
// and so takes the rule's first place in the spread.
func TestTieByStake(t *testing.T) {
	high := &model.Asset{ID: "orders", Confidentiality: model.High, Integrity: model.High}
	high2 := &model.Asset{ID: "payments", Confidentiality: model.High, Integrity: model.High}
	medium := &model.Asset{ID: "catalogue", Confidentiality: model.Low, Integrity: model.Medium}
	rich := &model.Component{ID: "orders-api"}
	poor := &model.Component{ID: "catalogue-api"}
	mk := func(id string, c *model.Component, as ...*model.Asset) *model.Finding {
		rule, _, _ := strings.Cut(id, ":")
		return &model.Finding{ID: id, Rule: rule, Category: model.InformationDisclosure, Status: model.StatusOpen,
			Targets: []model.Target{{Component: c}}, Assets: as,
			Inherent: Make(4, 4), Residual: Make(4, 4)}
	}
	fs := []*model.Finding{
		mk("idor:catalogue-api", poor, high, medium),
		mk("idor:orders-api", rich, high, high2, medium),
		mk("other:web", &model.Component{ID: "web"}),
	}
	Rank(fs)
	if fs[0].ID != "idor:orders-api" || fs[1].ID != "other:web" {
		t.Errorf("order %s, %s, %s; want idor:orders-api (more at stake) first and the rule's second last",
			fs[0].ID, fs[1].ID, fs[2].ID)
	}
	if got := stakeValue(fs[0]); got != 3+3+2 {
		t.Errorf("stakeValue = %d, want 8", got)
	}
}

// TestSpreadByStart: in a band of threats from the internet, the first
// threat that starts elsewhere — an insider on the internal network, the
// supply chain — comes before every internet threat but the first, though
// it scores a point less; a second internal threat waits a round like the
// internet ones.
func TestSpreadByStart(t *testing.T) {
	mk := func(id string, start model.Trust, r model.Risk) *model.Finding {
		rule, _, _ := strings.Cut(id, ":")
		return &model.Finding{ID: id, Rule: rule, Category: model.Tampering, Status: model.StatusUnverified,
			Targets: []model.Target{{Component: &model.Component{ID: id}}}, Start: start,
			Inherent: r, Residual: r}
	}
	fs := []*model.Finding{
		mk("a:api", model.TrustInternet, Make(4, 4)),
		mk("b:portal", model.TrustInternet, Make(4, 4)),
		mk("c:app", model.TrustInternet, Make(4, 4)),
		mk("d:console", model.TrustInternal, Make(3, 5)),
		mk("e:back-office", model.TrustInternal, Make(3, 5)),
		mk("f:build", model.TrustUnset, Make(3, 5)),
	}
	fs[5].Vector = model.VectorSupplyChain
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	want := []string{"a:api", "d:console", "f:build", "b:portal", "c:app", "e:back-office"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestRankKeysChunked checks that keying a long list on the workers gives
// every finding its own key, in order (the chunks' edges included).
func TestRankKeysChunked(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	var fs []*model.Finding
	for len(fs) < 3*keysChunk+17 {
		fs = append(fs, randomFindings(r)...)
	}
	got, _, _, _ := rankKeys(fs)
	if len(got) != len(fs) {
		t.Fatalf("%d keys for %d findings", len(got), len(fs))
	}
	for i, f := range fs {
		if want := rankKey(f); got[i] != want {
			t.Fatalf("finding %d: key %x, want %x", i, got[i], want)
		}
	}
}

// TestInChunks checks that inChunks covers every index exactly once, on
// one goroutine below splitMin and on the workers above it.
func TestInChunks(t *testing.T) {
	for _, n := range []int{0, 1, splitMin - 1, splitMin, 3*keysChunk + 5} {
		hits := make([]atomic.Int32, n)
		inChunks(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, h)
			}
		}
	}
}

// TestRankSplitSameAsSerial checks that ranking and reranking a list long
// enough to run in chunks gives the order and ranks of one goroutine.
func TestRankSplitSameAsSerial(t *testing.T) {
	order := func(procs int) []string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		r := rand.New(rand.NewPCG(11, 3))
		var fs []*model.Finding
		for len(fs) < splitMin+3*keysChunk {
			fs = append(fs, randomFindings(r)...)
		}
		for i, f := range fs {
			f.ID = fmt.Sprintf("%s-%06d", f.ID, i)
		}
		rk := NewRanking(fs)
		for i, f := range fs {
			if i%5 == 2 {
				f.Rank = 0
			}
		}
		fs = slices.DeleteFunc(fs, func(f *model.Finding) bool { return f.Rank == 0 })
		rk.Rerank(fs)
		var got []string
		for i, f := range fs {
			if f.Rank != i+1 {
				t.Fatalf("procs %d: finding %d has rank %d", procs, i, f.Rank)
			}
			got = append(got, f.ID)
		}
		return got
	}
	one, two := order(1), order(2)
	if !slices.Equal(one, two) {
		t.Fatal("ranking on two workers differs from one")
	}
}

// TestRerankMovedTakesThePlace checks that a threat standing for a removed
// one (RerankMoved) is ranked exactly where the removed one would be, the
// others in the same order: of two threats of one rule, keeping the later
// in the earlier's place ranks as keeping the earlier.
func TestRerankMovedTakesThePlace(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		fs := randomFindings(r)
		for i, f := range fs {
			f.ID = fmt.Sprintf("%s-%03d", f.ID, i)
		}
		base := cloneFindings(fs)
		NewRanking(base)
		var a, b int = -1, -1
		for i := range base {
			for j := i + 1; j < len(base); j++ {
				if base[i].Rule == base[j].Rule {
					a, b = i, j
					break
				}
			}
			if a >= 0 {
				break
			}
		}
		if a < 0 {
			continue
		}
		ids := func(fs []*model.Finding, drop int) ([]*model.Finding, *Ranking) {
			got := cloneFindings(fs)
			rk := NewRanking(got)
			got[drop].Rank = 0
			return slices.DeleteFunc(got, func(f *model.Finding) bool { return f.Rank == 0 }), rk
		}
		want, rk := ids(base, b)
		rk.Rerank(want)
		got, rk2 := ids(base, a)
		var kept, gone *model.Finding
		for _, f := range got {
			if f.ID == base[b].ID {
				kept = f
			}
		}
		gone = base[a] // only its identity matters: find the clone
		for _, f := range rk2.items {
			if f.f.ID == gone.ID {
				gone = f.f
			}
		}
		rk2.RerankMoved(got, map[*model.Finding]*model.Finding{kept: gone})
		for i := range want {
			w := want[i].ID
			if w == base[a].ID {
				w = base[b].ID
			}
			if got[i].ID != w || got[i].Rank != i+1 {
				t.Fatalf("seed %d: place %d holds %s (rank %d), want %s", seed, i+1, got[i].ID, got[i].Rank, w)
			}
		}
	}
}

// TestOwnReadingBeforeFurther checks the last key before the id: of two
// threats equal on every other key, a rule's threat in its own category
// ranks before another rule's further STRIDE reading, whatever their ids;
// the team's own threats and merged threats without the category suffix
// are not further readings.
func TestOwnReadingBeforeFurther(t *testing.T) {
	a := &model.Component{ID: "a"}
	b := &model.Component{ID: "b"}
	mk := func(id, rule string, cat model.Category, c *model.Component, aliases ...string) *model.Finding {
		return &model.Finding{ID: id, Rule: rule, Category: cat, Status: model.StatusUnverified, Aliases: aliases,
			Targets: []model.Target{{Component: c}}, Inherent: Make(3, 4), Residual: Make(3, 4)}
	}
	further := mk("audit-log-tampering:a:tampering", "audit-log-tampering", model.Tampering, a, "audit-log-tampering:a")
	own := mk("overprivileged-entry-point:b", "overprivileged-entry-point", model.ElevationOfPrivilege, b)
	merged := mk("unauthenticated-inbound-flow:b", "unauthenticated-inbound-flow", model.Spoofing, b, "unauthenticated-inbound-flow:x")
	people := mk("t1:tampering", model.PeopleRule, model.Tampering, a, "t1")
	people.Origin = model.OriginPeople
	for _, c := range []struct {
		f    *model.Finding
		want bool
	}{{further, true}, {own, false}, {merged, false}, {people, false}} {
		if got := furtherReading(c.f); got != c.want {
			t.Errorf("furtherReading(%s) = %v, want %v", c.f.ID, got, c.want)
		}
	}
	fs := []*model.Finding{further, own}
	Rank(fs)
	if fs[0] != own || fs[1] != further {
		t.Fatalf("ranked %s before %s; want the own reading first", fs[0].ID, fs[1].ID)
	}
	if rankKey(own) >= rankKey(further) {
		t.Fatal("the own reading's key is not smaller")
	}
}

// TestSpreadByCategoryOnLargeDesign: on a design whose threats name 25
// elements or more, a band's fourth tampering threat (and every later one)
// waits three rounds, so the spoofing and disclosure threats scoring a
// point less come before it; on a smaller design the order by score stays.
func TestSpreadByCategoryOnLargeDesign(t *testing.T) {
	mk := func(id string, cat model.Category, r model.Risk) *model.Finding {
		rule, _, _ := strings.Cut(id, ":")
		return &model.Finding{ID: id, Rule: rule, Category: cat, Status: model.StatusUnverified,
			Targets: []model.Target{{Component: &model.Component{ID: id}}}, Inherent: r, Residual: r}
	}
	head := func() []*model.Finding {
		return []*model.Finding{
			mk("t1:a", model.Tampering, Make(4, 4)),
			mk("t2:b", model.Tampering, Make(4, 4)),
			mk("t3:c", model.Tampering, Make(4, 4)),
			mk("t4:d", model.Tampering, Make(4, 4)),
			mk("t5:e", model.Tampering, Make(4, 4)),
			mk("x1:f", model.Spoofing, Make(3, 5)),
			mk("x2:g", model.InformationDisclosure, Make(3, 5)),
		}
	}
	order := func(fs []*model.Finding) []string {
		Rank(fs)
		var got []string
		for _, f := range fs {
			if f.Residual.Severity == model.SevHigh {
				got = append(got, f.ID)
			}
		}
		return got
	}
	small := order(head())
	if want := []string{"t1:a", "t2:b", "t3:c", "t4:d", "t5:e", "x1:f", "x2:g"}; !slices.Equal(small, want) {
		t.Errorf("small design: order %v, want %v", small, want)
	}
	large := head()
	for i := range categoryMinElems {
		large = append(large, mk(fmt.Sprintf("z%02d:low%02d", i, i), model.Repudiation, Make(1, 2)))
	}
	if want := []string{"t1:a", "t2:b", "t3:c", "x1:f", "x2:g", "t4:d", "t5:e"}; !slices.Equal(order(large), want) {
		t.Errorf("large design: order %v, want %v", order(large), want)
	}
}
