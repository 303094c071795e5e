package server

import (
	"testing"
	"time"
)

// TestTokenCache: an entry lives tokenCacheTTL; invalidation forgets every
// entry; a lookup that raced an invalidation (it read the store before the
// revocation and caches after it) is not cached.
func TestTokenCache(t *testing.T) {
	c := newTokenCache()
	now := time.Unix(1_000_000, 0)
	_, ok, gen := c.get("h", now)
	if ok {
		t.Fatal("empty cache hit")
	}
	c.put("h", gen, tokenEntry{p: Principal{TokenID: "t1"}, until: now.Add(tokenCacheTTL)})
	if e, ok, _ := c.get("h", now.Add(tokenCacheTTL-time.Millisecond)); !ok || e.p.TokenID != "t1" {
		t.Errorf("within the TTL: %v %v", e, ok)
	}
	if _, ok, _ := c.get("h", now.Add(tokenCacheTTL)); ok {
		t.Error("an entry outlived its TTL")
	}
	_, _, gen = c.get("h", now)
	c.put("h", gen, tokenEntry{p: Principal{TokenID: "t1"}, until: now.Add(tokenCacheTTL)})
	c.invalidate()
	if _, ok, _ := c.get("h", now); ok {
		t.Error("an entry survived invalidation")
	}
	_, _, gen = c.get("h", now)
	c.invalidate() // a revocation between the lookup and its caching
	c.put("h", gen, tokenEntry{p: Principal{TokenID: "t1"}, until: now.Add(tokenCacheTTL)})
	if _, ok, _ := c.get("h", now); ok {
		t.Error("a lookup that raced a revocation was cached")
	}
}
