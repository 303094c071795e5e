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
// here each id's first 8 bytes past the prefix all the ids share are
// read once into a key, and the sort compares the keys, reading ids only
// to break a tie (ids of one element: few). The entries, 16 bytes without
// pointers, live in buf, reused from call to call (a 16-byte key, 24-byte
// entries, was no faster and held ≈ 8 MB more at 10,000 components).
type byID[T any] struct {
	buf []idEntry
}

type idEntry struct {
	key uint64 // bytes skip..skip+8 of the id, big-endian, zero-padded
	at  int32  // the value's place in the list
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
		es[i].at = int32(i)
	}
	for i := range es {
		x := id(vs[i])[skip:]
		es[i].key = word(x)
	}
	slices.SortFunc(es, func(a, b idEntry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
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
			k := int(es[j].at)
			es[j].at = -1
			if k == i {
				vs[j] = v
				break
			}
			vs[j], j = vs[k], k
		}
	}
}

// word returns the first 8 bytes of s as a big-endian number, bytes past
// the end of s counting as zero: numbers compare as the bytes do, a tie
// left to the whole strings.
func word(s string) uint64 {
	var w uint64
	for k := range 8 {
		w <<= 8
		if k < len(s) {
			w |= uint64(s[k])
		}
	}
	return w
}

func findingID(f *model.Finding) string   { return f.ID }
func questionID(q *model.Question) string { return q.ID }
