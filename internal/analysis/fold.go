package analysis

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldFurther drops a weakness's further STRIDE threat (a rule's Also
// category, id rule:target:category) where another weakness's own threat
// already lists that category on the same elements: a reviewer writes one
// line per element and category, and the further threat restates, as a
// consequence of a weakness listed under its own category, what the other
// threat states first-hand — "callers can alter another user's orders"
// beside "the shop trusts the price the browser sends", both tampering
// with the shop API. The weakness stays listed (its own threat, with its
// questions); only its repeat in a category the element already has goes.
//
// A further threat f goes when a threat g of another rule has f's
// category, targets every element f targets and says at least as much:
// both open or unverified, and g open when f is open (a stated gap never
// folds into an unknown). g ranks before f, or after it in the same
// residual severity band; then g takes f's place in the ranking (the
// returned moves: the threat that stays, the one whose place it takes),
// so the pair keeps its best place and no threat ranks above its band. A
// g ranked after f is a rule's own threat or a further threat naming more
// elements than f (which f cannot cover in turn): each step of a fold goes
// to an earlier rank or a wider threat, never back. g may go too: what it
// folds into covers f as well, and the threat that stays takes the best
// place of those it stands for. It runs after
// the per-element cap, on the threats listed: the cap has chosen each
// element's lines, and a repeat among them does not make room for a threat
// the cap judged less important. Threats with a decision, a mitigation
// or a reopening stay. The questions lose the threats no longer listed
// when the listing ends (dropFromQuestions); the caller ranks again
// (Ranking.RerankMoved).
func foldFurther(fs []*model.Finding, rules []*rule.Rule, els *numbering, workers int) ([]*model.Finding, map[*model.Finding]*model.Finding) {
	own := make(map[string]model.Category, len(rules))
	recv := map[string]bool{}
	for _, r := range rules {
		own[r.ID] = r.Category
		if r.Receiver && r.On == rule.OnFlow && r.Vector == model.VectorContent {
			recv[r.ID] = true
		}
	}
	// The (element, category) pairs further threats are listed under; the
	// listed threats of other rules are indexed under those pairs only.
	// Elements are numbered (els, and other for the targets it does not
	// number) and categories too, so a pair is a word, not a Target and a
	// string, to hash.
	var other map[model.Target]int32
	elOf := func(t model.Target) (int, bool) {
		if e := els.of(t); e >= 0 {
			return int(e), true
		}
		e, ok := other[t]
		return int(e), ok
	}
	var cats []model.Category
	pair := func(e int, c model.Category) uint64 {
		i := slices.Index(cats, c)
		if i < 0 {
			i = len(cats)
			cats = append(cats, c)
		}
		return uint64(e)<<32 | uint64(i)
	}
	// One pass sorts the threats, looking each rule up once: per threat,
	// its pair's slot if it is a further threat, isRules if it is another
	// listed threat of a rule (one that may cover a further threat), or
	// notRules. has marks, per element, the categories it has a pair for
	// (all, for a category past the 64th), so that most lookups of other
	// threats' pairs end there.
	const notRules, isRules = -2, -1
	var slot map[uint64]int32
	var has []uint64
	slotOf := make([]int32, len(fs))
	elem := make([]int32, len(fs)) // a further threat's key target's number (els.of)
	// atRecv marks a further threat keyed by its flow's receiver
	// (receiverKey) rather than by its first target.
	atRecv := make([]bool, len(fs))
	// The rule look-ups read each threat (a cache miss each at 100,000s):
	// they run in chunks on the workers, marking further threats with
	// isFurther; the pairs are numbered here, in list order.
	const isFurther = -3
	chunks(len(fs), workers, func(lo, hi int) {
		for i, f := range fs[lo:hi] {
			c, ok := own[f.Rule]
			switch {
			case !ok || f.Origin == model.OriginPeople || !f.Active():
				slotOf[lo+i] = notRules
			case f.Category == c || len(f.Targets) == 0:
				slotOf[lo+i] = isRules
			default:
				slotOf[lo+i] = isFurther
				key := f.Targets[0]
				if t, ok := receiverKey(f, recv); ok {
					key, atRecv[lo+i] = t, true
				}
				elem[lo+i] = els.of(key)
			}
		}
	})
	for i, f := range fs {
		if slotOf[i] == isFurther {
			if slot == nil {
				slot = make(map[uint64]int32)
				cats = slices.Clone(model.Categories)
			}
			e := int(elem[i])
			if e < 0 {
				t := f.Targets[0]
				if atRecv[i] {
					t, _ = receiverKey(f, recv)
				}
				n, ok := other[t]
				if !ok {
					if other == nil {
						other = map[model.Target]int32{}
					}
					n = int32(els.len() + len(other))
					other[t] = n
				}
				e = int(n)
			}
			k := pair(e, f.Category)
			n, ok := slot[k]
			if !ok {
				n = int32(len(slot))
				slot[k] = n
			}
			slotOf[i] = n
			if e >= len(has) {
				has = append(has, make([]uint64, e+1-len(has))...)
			}
			has[e] |= catBit(k)
		}
	}
	if slot == nil {
		return fs, nil
	}
	// Index the other threats under the pairs, the list split between the
	// workers: each notes (slot, threat) for its part, and the notes are
	// laid out by slot in list order.
	type note struct{ slot, i int32 }
	parts := make([][]note, max(1, workers))
	per := (len(fs) + len(parts) - 1) / len(parts)
	index := func(part int) {
		var ns []note
		for i := part * per; i < min(len(fs), (part+1)*per); i++ {
			g := fs[i]
			if slotOf[i] == notRules {
				continue
			}
			// A category no further threat has has no pair.
			c := slices.Index(cats, g.Category)
			if c < 0 {
				continue
			}
			for _, t := range g.Targets {
				e, ok := elOf(t)
				if !ok || e >= len(has) {
					continue
				}
				k := uint64(e)<<32 | uint64(c)
				if has[e]&catBit(k) == 0 {
					continue
				}
				if n, ok := slot[k]; ok {
					ns = append(ns, note{n, int32(i)})
				}
			}
		}
		parts[part] = ns
	}
	if len(parts) == 1 || len(fs) < parallelMin {
		parts, per = parts[:1], len(fs)
		index(0)
	} else {
		var wg sync.WaitGroup
		for part := 1; part < len(parts); part++ {
			wg.Go(func() { index(part) })
		}
		index(0)
		wg.Wait()
	}
	start := make([]int32, len(slot)+1)
	for _, ns := range parts {
		for _, x := range ns {
			start[x.slot+1]++
		}
	}
	for n := range len(slot) {
		start[n+1] += start[n]
	}
	flat := make([]*model.Finding, start[len(slot)])
	fill := slices.Clone(start[:len(slot)])
	for _, ns := range parts {
		for _, x := range ns {
			flat[fill[x.slot]] = fs[x.i]
			fill[x.slot]++
		}
	}
	by := func(n int32) []*model.Finding { return flat[start[n]:start[n+1]] }
	// Threats that go are marked with rank 0, as capUnverified does. A
	// further threat goes when another threat covers it wherever that
	// ranks (coverOf); whether it goes does not depend on whether its
	// cover goes too, since what its cover folds into covers it as well.
	// The covers are looked for on the workers (coverOf only reads).
	cover := make([]*model.Finding, len(fs))
	var dropped atomic.Int64
	chunks(len(fs), workers, func(lo, hi int) {
		n := 0
		for i := lo; i < hi; i++ {
			f := fs[i]
			if slotOf[i] < 0 || held(f) {
				continue
			}
			if g := coverOf(f, atRecv[i], by(slotOf[i]), own, recv); g != nil {
				cover[i] = g
				n++
			}
		}
		dropped.Add(int64(n))
	})
	if dropped.Load() == 0 {
		return fs, nil
	}
	// Folded threats are marked with their place, negated, to follow
	// each to the threat that stays; was keeps their ranks.
	was := make([]int, len(fs))
	for i, f := range fs {
		if cover[i] != nil {
			was[i], f.Rank = f.Rank, -(i + 1)
		}
	}
	// The threat that stays for a folded one (its cover, or what that
	// folds into) takes the best place of the threats it stands for: fs
	// is in rank order, so the first folded threat met per survivor is
	// its best-ranked.
	var moves map[*model.Finding]*model.Finding
	for i, f := range fs {
		g := cover[i]
		if g == nil {
			continue
		}
		for g.Rank < 0 {
			g = cover[-g.Rank-1]
		}
		fold(g, f)
		if was[i] < g.Rank {
			if moves == nil {
				moves = map[*model.Finding]*model.Finding{}
			}
			if _, ok := moves[g]; !ok {
				moves[g] = f
			}
		}
	}
	for i, f := range fs {
		if cover[i] != nil {
			f.Rank = 0
		}
	}
	return dropUnranked(fs, workers), moves
}

// catBit is the bit of a pair's category in a mask of categories.
func catBit(pair uint64) uint64 {
	if c := uint32(pair); c < 64 {
		return 1 << c
	}
	return ^uint64(0)
}

// coverOf returns the threat of gs (other threats of f's category on f's
// key element: its first, or its flow's receiver when keyed, receiverKey)
// that f folds into, or nil: one of another rule that targets every other
// element f targets (or, when keyed, a rule's own threat naming the
// receiver) and says at least as much (open when f is open), ranked before f, or else the best-ranked of those ranked after
// it in its residual severity band that are a rule's own threat (own:
// each rule's category) or name more elements than f, which f cannot
// cover in turn. Each step of a fold then goes to an earlier rank or a
// wider threat, and never comes back to f.
func coverOf(f *model.Finding, keyed bool, gs []*model.Finding, own map[string]model.Category, recv map[string]bool) *model.Finding {
	need := f.Targets[1:]
	if keyed {
		need = f.Targets // gs are keyed by the receiver, not f's first target
	}
	var after *model.Finding
	for _, g := range gs {
		if g.Rule == f.Rule || f.Open() && !g.Open() {
			continue
		}
		// Keyed by its receiver, f also folds into a rule's own threat
		// naming the receiver only, which never folds in turn (a further
		// threat naming less than f could fold on into a wider one, and
		// back to f).
		if !names(g, need) && !(keyed && g.Category == own[g.Rule]) {
			continue
		}
		switch {
		case g.Rank < f.Rank:
			return g
		case g.Category != own[g.Rule] && len(g.Targets) <= len(f.Targets):
			// a further threat on the same elements: it may fold into f
		case g.Category != own[g.Rule] && isKeyed(g, recv):
			// keyed by its receiver, g may fold into f (it needs no more)
		case g.Residual.Severity < f.Residual.Severity:
			// a lower band: taking f's place would rank it above its band
		case after == nil || g.Rank < after.Rank:
			after = g
		}
	}
	return after
}

// names reports whether g targets every element of ts.
func names(g *model.Finding, ts []model.Target) bool {
	for _, t := range ts {
		if !slices.Contains(g.Targets, t) {
			return false
		}
	}
	return true
}

// isKeyed reports whether the further threat g is keyed by its receiver.
func isKeyed(g *model.Finding, recv map[string]bool) bool {
	_, ok := receiverKey(g, recv)
	return ok
}

// receiverKey returns the receiving component of a further elevation
// threat of a flow rule whose threats are about what the receiver does with
// the flow's content (rule.Rule.Receiver, with a content vector: it
// deserializes the payload, acts on a model's output): the elevation gained
// is code running in the receiver, so the receiver's elevation threat of
// another rule covers it, as a reviewer writes elevation on the component,
// not on the hop. A network rule's elevation (a caller the flow does not
// authenticate gets access) is the flow's own and keeps its key. f's
// targets must be flows into one component and that component; ok is false
// otherwise.
func receiverKey(f *model.Finding, recv map[string]bool) (model.Target, bool) {
	if f.Category != model.ElevationOfPrivilege || !recv[f.Rule] || len(f.Targets) < 2 || f.Targets[0].Flow == nil {
		return model.Target{}, false
	}
	to := f.Targets[0].Flow.To
	seen := false
	for _, t := range f.Targets {
		switch {
		case t.Flow != nil && t.Flow.To == to:
		case t.Component != nil && t.Component == to:
			seen = true
		default:
			return model.Target{}, false
		}
	}
	if !seen || to == nil {
		return model.Target{}, false
	}
	return model.Target{Component: to}, true
}

// held reports whether a threat carries the team's word on it — a
// decision, a mitigation or a reopening — which keeps it out of every
// fold: what was said about one threat must not move to another.
func held(f *model.Finding) bool {
	return f.Decision != nil || len(f.Mitigations) > 0 || f.Reopened != ""
}
