package model

import (
	"slices"
	"unsafe"
)

// places maps where a model's components or flows lie in memory to their
// numbers, so that CompNum and FlowNum can number an element without
// reading it. The loader makes each file's components and flows in one
// slab, so a large model's lie in a few runs of consecutive elements; on
// a model of 100,000 components, reading an element's own number is a
// cache miss for every threat target numbered, and its address is not.
// An address is only compared, never turned back into a pointer, and the
// number it gives is only used when the model's list holds the element
// there, so a list changed since Index gives a wrong answer never, only
// a slower one.
type places struct {
	runs []run // sorted by address; nil when the elements are scattered
}

// run is a stretch of consecutive elements in memory: the one at address
// lo is element number first, the next first+1, up to hi (exclusive).
type run struct {
	lo, hi uintptr
	first  int32
}

// maxRuns is how many runs places keeps at most: a model built by hand,
// element by element, has about as many as elements and gets none.
const maxRuns = 64

// placesOf returns where the elements of list lie, each size bytes.
func placesOf[E any](list []*E) places {
	size := unsafe.Sizeof(*new(E))
	var runs []run
	for i, e := range list {
		at := uintptr(unsafe.Pointer(e))
		if n := len(runs); n > 0 && runs[n-1].hi == at {
			runs[n-1].hi += size
			continue
		}
		if len(runs) == maxRuns || e == nil {
			return places{}
		}
		runs = append(runs, run{lo: at, hi: at + size, first: int32(i)})
	}
	slices.SortFunc(runs, func(a, b run) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	return places{runs: runs}
}

// placeOf returns the number of the element at e by its address, or -1 when
// no run holds it. The caller checks the model's list holds e there.
func placeOf[E any](p places, e *E) int32 {
	at := uintptr(unsafe.Pointer(e))
	lo, hi := 0, len(p.runs)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if p.runs[mid].hi <= at {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(p.runs) || at < p.runs[lo].lo {
		return -1
	}
	r := p.runs[lo]
	size := unsafe.Sizeof(*e)
	off := at - r.lo
	if off%size != 0 {
		return -1
	}
	return r.first + int32(off/size)
}
