// Repeats: a rule's threats on its further elements rank a little lower
// within their band (docs/risk.md, "One rule on several elements").

package risk

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
)

// repeatStep is what each element of a rule ranked before a threat's own
// element costs the threat's ranking value, in 128ths of a point: three
// eighths of a point (half a point until rank26, refitted with the weight
// of the data within reach). It orders threats within their severity band
// only.
const repeatStep = 48

// repeatValues lowers the ranking value of a rule's active threats on
// every element but the rule's first: a rule raised on several elements
// (object authorization on each API, cross-site scripting on each web
// front end) is one weakness in several places, and a reviewer writes it
// first where it matters most, then lists other weaknesses before the
// same one elsewhere. A rule's elements are ordered by the rank key of
// their best threat of the rule (then by that threat's id), and a threat
// on the n-th loses (n−1) × repeatStep, never below zero, without leaving its band.
// The team's own threats and closed threats are left alone.
//
// pre holds the items in id order with their element and rule numbers
// (below nElem and nRule), keys their rank keys; both are updated.
func repeatValues(pre []item, keys []uint64, nElem, nRule int) {
	if ab.repeatval {
		return
	}
	// Group the threats that count by rule (a counting sort, in id
	// order within a rule).
	start := make([]int32, nRule+1)
	n := 0
	for i := range pre {
		if pre[i].counts && pre[i].class != 0 {
			start[pre[i].rule+1]++
			n++
		}
	}
	if n < 2 {
		return
	}
	for r := 1; r <= nRule; r++ {
		start[r] += start[r-1]
	}
	byRule := make([]int32, n)
	fill := slices.Clone(start[:nRule])
	for i := range pre {
		if pre[i].counts && pre[i].class != 0 {
			byRule[fill[pre[i].rule]] = int32(i)
			fill[pre[i].rule]++
		}
	}
	// The rules are independent (each writes only its own threats'
	// items and keys): with many threats they are split between the
	// workers in ranges of about equal numbers of threats.
	workers := 1
	if n >= splitMin {
		workers = max(1, min(runtime.GOMAXPROCS(0), nRule))
	}
	var wg sync.WaitGroup
	lo := 0
	for w := range workers {
		hi := nRule
		if w < workers-1 {
			hi = lo
			for hi < nRule && int(start[hi]) < n*(w+1)/workers {
				hi++
			}
		}
		if w == workers-1 {
			repeatRules(pre, keys, byRule, start, nElem, lo, hi)
			break
		}
		from := lo
		wg.Go(func() { repeatRules(pre, keys, byRule, start, nElem, from, hi) })
		lo = hi
	}
	wg.Wait()
}

// repeatRules is repeatValues for the rules lo ≤ r < hi, grouped in
// byRule (rule r's threats are byRule[start[r]:start[r+1]]).
func repeatRules(pre []item, keys []uint64, byRule, start []int32, nElem, lo, hi int) {
	if lo >= hi {
		return
	}
	// Per element, the best key of the rule at hand and the threat that
	// has it (the first in id order); pos its place among the rule's
	// elements.
	const none = ^uint64(0)
	best := make([]uint64, nElem)
	for e := range best {
		best[e] = none
	}
	first := make([]int32, nElem)
	pos := make([]int32, nElem)
	var elems []int32
	for r := lo; r < hi; r++ {
		group := byRule[start[r]:start[r+1]]
		if len(group) < 2 {
			continue
		}
		elems = elems[:0]
		for _, i := range group {
			e := pre[i].elem
			if best[e] == none {
				elems = append(elems, e)
			}
			if keys[i] < best[e] {
				best[e], first[e] = keys[i], i
			}
		}
		if len(elems) > 1 {
			slices.SortFunc(elems, func(a, b int32) int {
				return cmp.Or(cmp.Compare(best[a], best[b]), cmp.Compare(first[a], first[b]))
			})
			for k, e := range elems {
				pos[e] = int32(k)
			}
			for _, i := range group {
				if p := int(pos[pre[i].elem]); p > 0 {
					v := max(0, int(pre[i].score)-p*repeatStep)
					pre[i].score = int16(v)
					keys[i] = withValue(keys[i], v)
				}
			}
		}
		for _, e := range elems {
			best[e] = none
		}
	}
}

// withValue returns rank key k with its ranking value replaced by v.
func withValue(k uint64, v int) uint64 {
	const mask = uint64(1<<20-1) << 32
	return k&^mask | uint64(maxRankValue-v)<<32
}
