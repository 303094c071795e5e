package rule

import (
	"cmp"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// byID sorts values by their ids (strings.Compare), ties by their place:
// the ids are unique in use, so the order is the one an id sort gives.
// Sorting pointers by a field they point to reads each value's id through
// its pointer at every comparison (a cache miss in a list of 100,000s);
// here each id's first 16 bytes past the prefix all the ids share are
// read once into a key of two words, and the sort compares the keys,
// reading ids only to break a tie. The entries (no pointers) live in
// buf, reused from call to call.
type byID[T any] struct {
	buf []idEntry
}

type idEntry struct {
	hi, lo uint64 // bytes skip..skip+16 of the id, big-endian, zero-padded
	at     int    // the value's place in the list
}

// sort sorts vs by id(v).
func (s *byID[T]) sort(vs []T, id func(T) string) {
	if len(vs) < 2 {
		return
	}
	skip := len(id(vs[0]))
	first := id(vs[0])
	if cap(s.buf) < len(vs) {
		s.buf = make([]idEntry, len(vs))
	}
	es := s.buf[:len(vs)]
	for i, v := range vs {
		x := id(v)
		if skip > 0 {
			skip = min(skip, len(x))
			for k := 0; k < skip; k++ {
				if x[k] != first[k] {
					skip = k
					break
				}
			}
		}
		es[i].at = i
	}
	for i := range es {
		x := id(vs[i])[skip:]
		es[i].hi, es[i].lo = word(x, 0), word(x, 8)
	}
	slices.SortFunc(es, func(a, b idEntry) int {
		if a.hi != b.hi {
			return cmp.Compare(a.hi, b.hi)
		}
		if a.lo != b.lo {
			return cmp.Compare(a.lo, b.lo)
		}
		if c := strings.Compare(id(vs[a.at]), id(vs[b.at])); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	// vs[i] = old vs[es[i].at], in place, cycle by cycle (at = -1: placed).
	for i := range es {
		if es[i].at < 0 {
			continue
		}
		v, j := vs[i], i
		for {
			k := es[j].at
			es[j].at = -1
			if k == i {
				vs[j] = v
				break
			}
			vs[j], j = vs[k], k
		}
	}
}

// word returns bytes from..from+8 of s as a big-endian number, bytes past
// the end of s counting as zero: numbers compare as the bytes do, a tie
// left to the whole strings.
func word(s string, from int) uint64 {
	var w uint64
	for k := from; k < from+8; k++ {
		w <<= 8
		if k < len(s) {
			w |= uint64(s[k])
		}
	}
	return w
}

func findingID(f *model.Finding) string   { return f.ID }
func questionID(q *model.Question) string { return q.ID }
