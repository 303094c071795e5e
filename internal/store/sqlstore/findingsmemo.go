package sqlstore

import (
	"slices"
	"strings"
	"sync"
)

// A team's findings list filtered every cached row of the team's systems
// on every query (≈ 4,000 rows in the load benchmark: a quarter of a
// read's CPU on either store) although a system's rows change only when
// it gets a new version, and the lists ask a handful of distinct filters.
// So each cached (system, version) remembers, per filter, which of its
// rows match (their positions, in the rows' own order, most severe
// first); a push replaces the system's entry and with it the memo. The
// memo belongs to one immutable rows slice, so it can be no staler than
// the rows, which a query still checks against the systems' latest
// versions read from the database.

// filterMemoMax bounds the filters remembered for one system's rows;
// past it the memo starts over.
const filterMemoMax = 16

// rowFilter is what decides whether a row is listed, and where: the
// query's filters as teamFindings compares them (data and asset folded)
// and its order.
type rowFilter struct {
	order                            string // "" (severity), "system" or "id"
	rank                             int
	team, status, owner, data, asset string
	hasData, hasAsset                bool
}

func (f *rowFilter) match(r *findingRow) bool {
	return r.f.TeamID == f.team && (f.status == "" || r.f.Status == f.status) && (f.owner == "" || r.f.Owner == f.owner) &&
		(!f.hasData || strings.Contains(r.data, f.data)) && (!f.hasAsset || strings.Contains(r.assets, f.asset))
}

// filterIDs numbers the filters, so that a query looks its filter up
// once rather than once per system (hashing its five strings was a tenth
// of a list's CPU); numbers are never reused, so a memo's entry under a
// number forgotten here can never answer another filter.
type filterIDs struct {
	mu   sync.Mutex
	m    map[rowFilter]uint64
	next uint64
}

// filterIDsMax bounds the filters numbered; past it the numbering starts
// over (with new numbers).
const filterIDsMax = 1024

func (x *filterIDs) id(f rowFilter) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	if id, ok := x.m[f]; ok {
		return id
	}
	if x.m == nil || len(x.m) >= filterIDsMax {
		x.m = map[rowFilter]uint64{}
	}
	x.next++
	x.m[f] = x.next
	return x.next
}

type filterMemo struct {
	mu  sync.Mutex
	ids []uint64  // filter numbers (filterIDs)
	idx [][]int32 // idx[i]: the positions the filter ids[i] lists
}

// matching returns the positions of the rows of fs that f (numbered id)
// lists, in the order order (fs is in bySeverity order); memo may be nil
// (nothing remembered).
func (m *filterMemo) matching(fs []findingRow, f rowFilter, id uint64, order func(a, b *findingRow) int) []int32 {
	if m != nil {
		m.mu.Lock()
		for i, x := range m.ids {
			if x == id {
				idx := m.idx[i]
				m.mu.Unlock()
				return idx
			}
		}
		m.mu.Unlock()
	}
	var idx []int32
	for i := range fs {
		r := &fs[i]
		if r.rank < f.rank {
			break // most severe first
		}
		if f.match(r) {
			idx = append(idx, int32(i))
		}
	}
	if f.order != "" {
		slices.SortFunc(idx, func(a, b int32) int { return order(&fs[a], &fs[b]) })
	}
	if m != nil {
		m.mu.Lock()
		if len(m.ids) >= filterMemoMax {
			m.ids, m.idx = nil, nil
		}
		m.ids, m.idx = append(m.ids, id), append(m.idx, idx)
		m.mu.Unlock()
	}
	return idx
}

// firstHeap keeps the n smallest rows offered, in order, as a max-heap.
type firstHeap struct {
	h     []*findingRow
	n     int
	order func(a, b *findingRow) int
}

// offer adds r when it is among the n smallest so far; kept is false when
// r is not (it is after every row kept, and the heap is full).
func (x *firstHeap) offer(r *findingRow) (kept bool) {
	if len(x.h) < x.n {
		x.h = append(x.h, r)
		for i := len(x.h) - 1; i > 0; {
			p := (i - 1) / 2
			if x.order(x.h[i], x.h[p]) <= 0 {
				break
			}
			x.h[i], x.h[p] = x.h[p], x.h[i]
			i = p
		}
		return true
	}
	if x.n == 0 || x.order(r, x.h[0]) >= 0 {
		return false
	}
	x.h[0] = r
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(x.h) {
			break
		}
		if r := l + 1; r < len(x.h) && x.order(x.h[r], x.h[l]) > 0 {
			l = r
		}
		if x.order(x.h[l], x.h[i]) <= 0 {
			break
		}
		x.h[i], x.h[l] = x.h[l], x.h[i]
		i = l
	}
	return true
}

// full reports whether n rows are kept.
func (x *firstHeap) full() bool { return len(x.h) >= x.n }
