package model

import "unsafe"

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
	runs []run // in the list's order; nil when the elements are scattered
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
	return places{runs: runs}
}

// at returns the number of the element at address a, each size bytes
// (a constant where it is inlined: no division), or -1 when no run
// holds it. The caller checks the model's list holds the element there.
// The runs are few (one per file): a scan, not a search.
func (p places) at(a, size uintptr) int32 {
	for _, r := range p.runs {
		if off := a - r.lo; off < r.hi-r.lo {
			if off%size != 0 {
				return -1
			}
			return r.first + int32(off/size)
		}
	}
	return -1
}
