// Repeats of an (element, category) pair: a threat on an element that
// repeats a STRIDE category a threat ranked before it already named there
// ranks at the end of the next band (docs/risk.md, "One line per element
// and category").

package risk

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// LowerRepeats moves, in fs (ranked: active threats first, by band), every
// active threat that repeats on its own element an (element, category)
// pair named by a threat ranked before it to the end of the next lower
// severity band, after that band's threats and in its own order, and
// numbers the active threats again from 1. A reviewer writes one line per
// element and category: the second spoofing threat on the same API (short
// secrets guessed after credential stuffing) tells the team less than the
// first threat of the next band on another element, and within its band
// it already comes last (spread, lastRepeats). The band only moves in the
// order: the threat's score, severity and status stay, and --fail-on does
// not look at ranks.
//
// "Named" is as for lastRepeats: a threat names its first target (for a
// flow threat the flow) and its category. Only a threat that is on its
// first target moves — its id is rule:element[:category] with that
// element — so a zone-wide threat or a receiver's merged threat, whose
// first target is one of several, keeps its place. An open threat (a gap
// the model states) keeps its place too: it is a fact, not one more way
// the same pair might fail. The team's own threats never move.
//
// It is the last step of the ranking: the analysis calls it once the
// per-element cap and the folds have chosen the threats listed.
func LowerRepeats(fs []*model.Finding) {
	if ab.repband {
		return
	}
	// What the pass reads of each threat (a cache miss or two at
	// 100,000s) is read first in chunks on the workers; the pass, which
	// must go in order, reads only that.
	reads := make([]repeatRead, len(fs))
	inChunks(len(fs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f := fs[i]
			r := &reads[i]
			if r.active = f.Active(); !r.active {
				continue
			}
			var t model.Target
			t, r.bit = pairOf(f)
			switch {
			case t == model.Target{Component: t.Component} && t.Component != nil:
				r.c = t.Component
			case t == model.Target{Flow: t.Flow} && t.Flow != nil:
				r.fl = t.Flow
			}
			s := f.Residual.Severity
			r.sev = s
			r.movable = !f.Open() && s > model.SevNone && s <= model.SevCritical && onFirstTarget(f)
		}
	})
	n := 0
	for n < len(fs) && reads[n].active {
		n++
	}
	var els Elements
	var pairs []uint8
	var lower [int(model.SevCritical) + 1][]*model.Finding
	moved := 0
	kept := make([]int32, 0, n)
	for i, f := range fs[:n] {
		r := &reads[i]
		var t model.Target
		switch {
		case r.c != nil:
			t.Component = r.c
		case r.fl != nil:
			t.Flow = r.fl
		default: // another kind of element, several, or none: rare
			t, _ = pairOf(f)
		}
		e := els.Add(t)
		if e >= len(pairs) {
			pairs = append(pairs, make([]uint8, e+1-len(pairs))...)
		}
		repeat := pairs[e]&r.bit != 0
		pairs[e] |= r.bit
		if repeat && r.movable {
			lower[r.sev-1] = append(lower[r.sev-1], f)
			moved++
			continue
		}
		kept = append(kept, int32(i))
	}
	if moved == 0 {
		return
	}
	// The moved threats go back in at the end of the band below their
	// own, which may be empty.
	out := make([]*model.Finding, 0, n)
	next := int(model.SevCritical) // the highest band not yet flushed
	flush := func(above int) {
		for ; next > above; next-- {
			out = append(out, lower[next]...)
		}
	}
	for _, i := range kept {
		flush(int(reads[i].sev))
		out = append(out, fs[i])
	}
	flush(-1)
	inChunks(len(out), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fs[i] = out[i]
			out[i].Rank = i + 1
		}
	})
}

// repeatRead is what LowerRepeats reads of an active threat: its pair
// (pairOf: its element when that is a component or a flow alone, else
// neither, and its category's bit), severity, and whether it may move
// (not open, of a band with one below, on its first target).
type repeatRead struct {
	c       *model.Component
	fl      *model.Flow
	sev     model.Severity
	bit     uint8
	active  bool
	movable bool
}

// onFirstTarget reports whether f is a rule's threat on its first target:
// its id is rule:element or rule:element:category with that element.
func onFirstTarget(f *model.Finding) bool {
	if len(f.Targets) == 0 || f.Origin == model.OriginPeople {
		return false
	}
	rest, ok := strings.CutPrefix(f.ID, f.Rule+":")
	if !ok {
		return false
	}
	rest, _ = strings.CutPrefix(rest, f.Targets[0].ID())
	return rest == "" || rest[0] == ':' && slices.Contains(model.Categories, model.Category(rest[1:]))
}
