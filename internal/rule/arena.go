package rule

import "unsafe"

// strArena builds the short strings Report makes for every threat (ids,
// titles with a further category's effect, question ids) in shared chunks
// instead of one allocation each: a run at 10,000 components raises
// ~180,000 threats, and each allocation is work for the allocator and the
// collector. Bytes handed out are never written again, so the strings stay
// immutable; a chunk lives as long as any string cut from it (about as long
// as the threats, which are slab-allocated the same way).
type strArena struct {
	buf  []byte
	next int // the size of the next chunk
}

const (
	arenaFirst = 512
	arenaMax   = 64 << 10
)

// room returns a chunk with room for n more bytes.
func (a *strArena) room(n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	a.next = min(max(2*a.next, arenaFirst), arenaMax)
	a.buf = make([]byte, 0, max(n, a.next))
}

// cut returns the bytes written since start as a string.
func (a *strArena) cut(start int) string {
	if len(a.buf) == start {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}

// concat2 returns x+y.
func (a *strArena) concat2(x, y string) string {
	a.room(len(x) + len(y))
	start := len(a.buf)
	a.buf = append(append(a.buf, x...), y...)
	return a.cut(start)
}

// concat3 returns x+y+z.
func (a *strArena) concat3(x, y, z string) string {
	a.room(len(x) + len(y) + len(z))
	start := len(a.buf)
	a.buf = append(append(append(a.buf, x...), y...), z...)
	return a.cut(start)
}

// strSlab hands out short string lists (aliases, a threat's question ids)
// from shared chunks. Each list has capacity equal to its length, so an
// append by whoever holds it copies rather than writing into a neighbour.
type strSlab struct {
	buf []string
}

// take returns an empty list with room for n strings; fill it with append
// and close it with done.
func (s *strSlab) take(n int) []string {
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]string, 0, max(n, 512))
	}
	return s.buf[len(s.buf) : len(s.buf) : len(s.buf)+n]
}

// done closes l, taken from s, and returns it with capacity equal to its
// length.
func (s *strSlab) done(l []string) []string {
	s.buf = s.buf[:len(s.buf)+len(l)]
	return l[:len(l):len(l)]
}

// text returns the wording of p's question. A wording longer than the
// chunk's room grows the chunk as append does; the strings cut before stay
// in the old one.
func (a *strArena) text(p pending) string {
	a.room(160)
	start := len(a.buf)
	a.buf = p.appendText(a.buf)
	return a.cut(start)
}
