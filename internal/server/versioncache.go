package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/store"
)

// versionCache keeps recently read versions in memory, bounded by the
// bytes of their model and analysis. A stored version never changes (no
// statement updates or deletes a version row), so an entry is never stale
// and needs no invalidation; who may read it is still checked on every
// request, before the cache is consulted (Server.version). It spares a
// version read the database row (the model archive and an analysis of
// hundreds of kilobytes) and the check that the analysis is canonical.
type versionCache struct {
	mu      sync.Mutex
	entries map[string]*cachedVersion
	bytes   int64
	max     int64
	// known remembers, past eviction, whether a version's result is
	// canonical, so that a version read back from the database is not
	// scanned again (a result of hundreds of kilobytes; issue 13: the
	// load benchmark reads twice the versions the cache holds). A stored
	// version never changes; the key holds its digest and the result's
	// length all the same.
	known map[knownKey]bool
	// merged remembers, past eviction, each version's merged threats
	// (cachedVersion.mergedIndex): a decision reads them from the version
	// it edits, and decoding them from a result read back from the
	// database costs a decode of the whole result.
	merged map[knownKey]map[string][]string
	// hits and misses count lookups (get), for /metrics.
	hits, misses int64
}

// mergedMax bounds the remembered merged threats (a few KB a version);
// past it they start over.
const mergedMax = 4096

func (e *cachedVersion) key() knownKey {
	return knownKey{e.v.SystemID, e.v.Number, e.v.SHA256, len(e.v.Result)}
}

// mergedOf is e.mergedIndex(), remembered past e's eviction.
func (c *versionCache) mergedOf(e *cachedVersion) (map[string][]string, error) {
	c.mu.Lock()
	m, ok := c.merged[e.key()]
	c.mu.Unlock()
	if ok {
		e.setMerged(m)
		return m, nil
	}
	m, err := e.mergedIndex()
	if err == nil {
		c.rememberMerged(e, m)
	}
	return m, err
}

// rememberMerged gives e (a version this process stored, or read) its
// merged threats and remembers them.
func (c *versionCache) rememberMerged(e *cachedVersion, m map[string][]string) {
	e.setMerged(m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.merged) >= mergedMax {
		clear(c.merged)
	}
	c.merged[e.key()] = m
}

type knownKey struct {
	system string
	number int
	sha256 string
	size   int
}

// knownMax bounds the remembered checks (a few MB); past it they start over.
const knownMax = 20_000

type cachedVersion struct {
	v         store.Version
	canonical bool // canonicalJSON(v.Result)
	// head and tail are the metadata writeVersion writes around a
	// canonical result, encoded once.
	head, tail []byte

	// merged is mergedIndex of the result, read once (or given by the
	// analysis that stored the version).
	mergedOnce sync.Once
	merged     map[string][]string
	mergedErr  error
}

// mergedIndex is mergedIndex(e.v.Result), decoded once per cached
// version: a decision reads it from the version it edits.
func (e *cachedVersion) mergedIndex() (map[string][]string, error) {
	e.mergedOnce.Do(func() { e.merged, e.mergedErr = mergedIndex(e.v.Result) })
	return e.merged, e.mergedErr
}

// setMerged gives a version stored by this process the index of the
// analysis it was stored with.
func (e *cachedVersion) setMerged(m map[string][]string) {
	e.mergedOnce.Do(func() { e.merged = m })
}

// versionCacheBytes bounds the cache (about 200 versions of the shop
// example, whose analysis is 280 KB).
const versionCacheBytes = 64 << 20

func newVersionCache(max int64) *versionCache {
	return &versionCache{entries: map[string]*cachedVersion{}, known: map[knownKey]bool{}, merged: map[knownKey]map[string][]string{}, max: max}
}

func versionKey(system string, n int) string { return system + "\x00" + strconv.Itoa(n) }

func (c *versionCache) get(system string, n int) *cachedVersion {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[versionKey(system, n)]
	if e == nil {
		c.misses++
	} else {
		c.hits++
	}
	return e
}

// peek is get without counting a hit or a miss: a guess, not a read.
func (c *versionCache) peek(system string, n int) *cachedVersion {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[versionKey(system, n)]
}

// stats returns the lookups that found a version and those that did not,
// since the start.
func (c *versionCache) stats() (hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// put caches a version read from the store; past the bound it evicts
// entries (in map order, which is random enough for a bounded cache).
func (c *versionCache) put(v store.Version) *cachedVersion {
	c.mu.Lock()
	canonical, ok := c.known[knownKey{v.SystemID, v.Number, v.SHA256, len(v.Result)}]
	c.mu.Unlock()
	if !ok {
		canonical = canonicalJSON(v.Result)
	}
	return c.add(v, canonical)
}

// putStored caches a version this process has just stored, whose result
// is json.Marshal's output and so canonical (newStoredAnalysis): the
// latest version, the one most read next, is then served without reading
// it back (issue 13). The version it supersedes leaves the cache first,
// making room: reads of a system go to its latest version, and a
// superseded one used to keep its place until a random eviction found it,
// taking the place of versions still read. Read again by number, it is
// cached again, and is never superseded a second time. A pushed version
// followed by an edit (a decision, a status) stays: the next push merges
// from it (pushBase).
func (c *versionCache) putStored(v store.Version) *cachedVersion {
	c.mu.Lock()
	k := versionKey(v.SystemID, v.Number-1)
	if old, ok := c.entries[k]; ok && (v.Origin == store.OriginPush || old.v.Origin != store.OriginPush) {
		delete(c.entries, k)
		c.bytes -= old.size()
	}
	c.mu.Unlock()
	return c.add(v, true)
}

// size is roughly the memory an entry holds.
func (e *cachedVersion) size() int64 {
	return int64(len(e.v.YAML) + len(e.v.Result) + len(e.v.Message) + len(e.v.Pushed) + 256)
}

func (c *versionCache) add(v store.Version, canonical bool) *cachedVersion {
	e := &cachedVersion{v: v, canonical: canonical}
	if canonical {
		e.head, e.tail, _ = versionFrame(v) // on error writeVersion tries again and says so
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.known) >= knownMax {
		clear(c.known)
	}
	c.known[knownKey{v.SystemID, v.Number, v.SHA256, len(v.Result)}] = canonical
	size := e.size()
	if size > c.max/4 {
		return e
	}
	k := versionKey(v.SystemID, v.Number)
	if old, ok := c.entries[k]; ok {
		return old
	}
	for k2, old := range c.entries {
		if c.bytes+size <= c.max {
			break
		}
		delete(c.entries, k2)
		c.bytes -= old.size()
	}
	c.entries[k] = e
	c.bytes += size
	return e
}

// versionETag names a version's representation: the version is immutable,
// so its system, number and digest identify the bytes (pretty or not).
func versionETag(v store.Version, pretty bool) string {
	tag := `"` + strconv.Itoa(v.Number) + "-" + v.SHA256
	if pretty {
		tag += "-pretty"
	}
	return tag + `"`
}

// notModified answers 304 when the request's If-None-Match names etag.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	w.Header().Set("ETag", etag)
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == etag || t == "*" || t == "W/"+etag {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}
