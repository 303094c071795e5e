// Package listset is an insertion-ordered set of comparable values: a list
// that skips the values it already holds. While the list is short it is
// scanned; past sixteen values a map is kept beside it, so adding n values
// costs O(n) however many there are (a threat merged across an estate names
// thousands of elements, reasons and questions).
package listset

import "slices"

// scanMax is how long the list grows before a map is kept beside it.
const scanMax = 16

// Set is the list List without repeats, in the order values were first
// added. List may be given a starting list (its values are taken as held,
// and not checked for repeats) and is read back after adding; it must not
// be changed otherwise between adds.
type Set[T comparable] struct {
	List []T
	set  map[T]struct{}
}

// Add appends each value of vs that the set does not hold yet.
func (u *Set[T]) Add(vs ...T) {
	for _, v := range vs {
		if u.set == nil {
			if slices.Contains(u.List, v) {
				continue
			}
			u.List = append(u.List, v)
			if len(u.List) > scanMax {
				u.set = make(map[T]struct{}, 2*len(u.List))
				for _, w := range u.List {
					u.set[w] = struct{}{}
				}
			}
			continue
		}
		if _, ok := u.set[v]; !ok {
			u.set[v] = struct{}{}
			u.List = append(u.List, v)
		}
	}
}
