package rule

import (
	"cmp"
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// byID sorts values by their ids (strings.Compare), ties by their place:
// the ids are unique in use, so the order is the one an id sort gives.
// Sorting pointers by a field they point to reads each value's id through
// its pointer at every comparison (a cache miss in a list of 100,000s);
// here each id's first 8 bytes past the prefix all the ids share are
// read once into a key, and the sort compares the keys; ids tied on a key
// are keyed again on their next 8 bytes (refine). The entries, 16 bytes without
// pointers, live in buf, reused from call to call (a 16-byte key, 24-byte
// entries, was no faster and held ≈ 8 MB more at 10,000 components).
type byID[T any] struct {
	buf []idEntry
}

type idEntry struct {
	key uint64 // bytes off..off+8 of the id, big-endian, zero-padded
	at  int32  // the value's place in the list
	n   int32  // how many of those 8 bytes the id has (in the padding)
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
		es[i].key, es[i].n = window(id(vs[i]), skip)
	}
	refine(es, vs, id, skip)
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

// refine sorts es, whose keys hold bytes off..off+8 of their ids, by id,
// ties by place. Ids with equal keys and fewer than 8 bytes there are
// equal (a shorter one is a prefix of a longer one, and sorts first), so
// only a run of equal keys with all 8 bytes present needs more: each such
// run is keyed again on the next 8 bytes and sorted on its own. A list
// whose ids share a long word past the common prefix (service-, a kind
// name) is so sorted reading each id once per 8 bytes of the tie, where
// a comparison reading both ids (a cache miss each) took about 60 % of
// the sort of a 10,000-component rule's findings.
func refine[T any](es []idEntry, vs []T, id func(T) string, off int) {
	slices.SortFunc(es, func(a, b idEntry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		if a.n != b.n {
			return cmp.Compare(a.n, b.n)
		}
		return cmp.Compare(a.at, b.at)
	})
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].key == es[i].key && es[j].n == es[i].n {
			j++
		}
		if j-i > 1 && es[i].n == 8 {
			run := es[i:j]
			for k := range run {
				run[k].key, run[k].n = window(id(vs[run[k].at]), off+8)
			}
			refine(run, vs, id, off+8)
		}
		i = j
	}
}

// window returns word(x[off:]) and how many bytes of it x has (≤ 8).
func window(x string, off int) (uint64, int32) {
	x = x[off:]
	return word(x), int32(min(len(x), 8))
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
