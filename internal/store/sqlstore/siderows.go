package sqlstore

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"

	"github.com/wardtm/ward/internal/store"
)

// A push rewrote its system's mitigations and assumptions rows every time
// (two deletes and, on SQLite, a statement per row; on PostgreSQL two
// round trips more and a dead row and index entries per row), although
// most versions keep them as they were: a decision or a changed comment
// changes neither (issue 13). The rows of a system are always its latest
// version's, written with it in one transaction and by nothing else, so
// knowing which rows version n of a system wrote says what the table
// holds while n is the system's latest, whichever process pushed since:
// a push stored on that version whose rows are the same (same digest)
// leaves them. The cache holds, per system, the latest version this
// process wrote and the digest of its rows; a miss (another replica
// pushed, the process restarted, the cache started over) rewrites them
// as before.

// sideRowsMax bounds the systems the cache holds; past it it starts over.
const sideRowsMax = 100_000

type sideRowsCache struct {
	mu    sync.Mutex
	bySys map[string]sideRows
}

type sideRows struct {
	version int
	sum     [sha256.Size]byte
}

// same reports whether version of system wrote the rows whose digest is
// sum.
func (c *sideRowsCache) same(system string, version int, sum [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.bySys[system]
	return ok && e.version == version && e.sum == sum
}

// put records that version of system wrote the rows of digest sum.
func (c *sideRowsCache) put(system string, version int, sum [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.bySys[system]; ok && e.version > version {
		return
	}
	if c.bySys == nil || len(c.bySys) >= sideRowsMax {
		c.bySys = map[string]sideRows{}
	}
	c.bySys[system] = sideRows{version: version, sum: sum}
}

// sideRowsDigest is the digest of the mitigations and assumptions rows p
// writes (their every column, each string length-prefixed).
func sideRowsDigest(p store.Push) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	str := func(h hash.Hash, s string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	str(h, p.SystemID)
	str(h, p.TeamID)
	binary.LittleEndian.PutUint64(n[:], uint64(len(p.Mitigations)))
	h.Write(n[:])
	for _, m := range p.Mitigations {
		for _, s := range []string{m.ID, m.Title, m.Status, m.Owner, m.Due} {
			str(h, s)
		}
	}
	binary.LittleEndian.PutUint64(n[:], uint64(len(p.Assumptions)))
	h.Write(n[:])
	for _, a := range p.Assumptions {
		for _, s := range []string{a.ID, a.Text, a.Status} {
			str(h, s)
		}
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
