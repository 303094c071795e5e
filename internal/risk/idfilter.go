package risk

// idFilter tells, without hashing a whole id, that an id is not one of a
// few: the ids the model's decisions and assumptions name, looked up for
// every finding's id and aliases (a million at 100,000 components, where
// a handful match). It sets one bit of 65,536 per id, chosen by the id's
// length, last two bytes and middle byte; an id whose bit is clear is not in
// the set, one whose bit is set may be (the map decides). The zero value
// is the empty set.
type idFilter struct {
	bits []uint64
}

// idFilterWords is the filter's size in 64-bit words (8 KB).
const idFilterWords = 1024

func idFilterBit(s string) uint32 {
	if len(s) < 2 {
		return uint32(len(s))
	}
	k := uint32(len(s))<<24 | uint32(s[len(s)-1])<<16 | uint32(s[len(s)-2])<<8 | uint32(s[len(s)/2])
	return (k * 0x9E3779B1) >> 16 // Fibonacci hashing: the top 16 bits
}

// add puts s in the set.
func (f *idFilter) add(s string) {
	if f.bits == nil {
		f.bits = make([]uint64, idFilterWords)
	}
	b := idFilterBit(s)
	f.bits[b>>6] |= 1 << (b & 63)
}

// may reports whether s may be in the set (false: it is not).
func (f *idFilter) may(s string) bool {
	if f.bits == nil {
		return false
	}
	b := idFilterBit(s)
	return f.bits[b>>6]&(1<<(b&63)) != 0
}
