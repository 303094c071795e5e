package server

import (
	"sync"
	"time"
)

// tokenCache remembers, for a short time, which principal an API token
// stands for, so that a client sending many requests costs one lookup of
// its token and its creator per tokenCacheTTL instead of two queries per
// request (issue 13: under load, authentication was a round trip pair on
// every read).
//
// Revocation stays immediate on this process: revoking a token and
// disabling, deleting, demoting or moving an account (everything that
// kicks event streams, plus single sign-on's role updates) empties the
// cache before the request answers. Another replica's revocation, or a
// change made directly in the database, is seen within tokenCacheTTL.
// Expiry is checked on every request against the cached expiry date.
type tokenCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every invalidation
	entries map[string]tokenEntry
}

type tokenEntry struct {
	p        Principal
	lastUsed time.Time // as stored, or as last touched by this process
	until    time.Time // when the entry must be looked up again
}

const (
	tokenCacheTTL = 2 * time.Second
	// tokenCacheMax bounds the cache; past it the cache starts over.
	tokenCacheMax = 10_000
)

func newTokenCache() *tokenCache { return &tokenCache{entries: map[string]tokenEntry{}} }

// get returns the cached principal of a token hash, or the current
// generation to pass to put after looking the token up.
func (c *tokenCache) get(hash string, now time.Time) (tokenEntry, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if ok && now.Before(e.until) {
		return e, true, c.gen
	}
	if ok {
		delete(c.entries, hash)
	}
	return tokenEntry{}, false, c.gen
}

// put caches a principal looked up at generation gen; it is dropped when
// an invalidation happened since, so a lookup that raced a revocation is
// never cached.
func (c *tokenCache) put(hash string, gen uint64, e tokenEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= tokenCacheMax {
		c.entries = map[string]tokenEntry{}
	}
	c.entries[hash] = e
}

// touched records that the token's last use was stored at t.
func (c *tokenCache) touched(hash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok {
		e.lastUsed = t
		c.entries[hash] = e
	}
}

// invalidate forgets every cached principal.
func (c *tokenCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = map[string]tokenEntry{}
}

// revoked ends what key ("token:ID" or "user:ID") holds on this process:
// its event streams close and no cached principal outlives the change.
func (s *Server) revoked(key string) {
	s.tokenCache.invalidate()
	s.streamSet.kick(key)
}
