package server

import (
	"testing"

	"github.com/wardtm/ward/internal/store"
)

// TestStoredVersionIsCached: a version this process stores is in the
// version cache at once, framed for writeVersion, so the first read of
// the new latest version costs no database read and no canonical check.
func TestStoredVersionIsCached(t *testing.T) {
	s, _, files := shopServer(t)
	pr := &Principal{UserID: "u1", Role: store.RoleAdmin}
	res, err := s.storeVersionCached(t.Context(), pr, store.Push{SystemID: "larkspur-shop", TeamID: "storefront", Message: "first"},
		Bundle{Main: "ward.yaml", Files: files}, nil, nil, nil)
	if err != nil || !res.Created {
		t.Fatalf("push: %+v, %v", res, err)
	}
	e := s.versions.get("larkspur-shop", res.Version)
	if e == nil || !e.canonical || e.head == nil || len(e.v.Result) == 0 || len(e.v.YAML) == 0 {
		t.Fatalf("the stored version is not cached ready to serve: %+v", e)
	}
}

// TestStoredVersionSupersedes: a version stored takes the version before
// it out of the cache (reads go to the latest), keeps the cache's byte
// count right, and leaves other systems' versions alone.
func TestStoredVersionSupersedes(t *testing.T) {
	c := newVersionCache(1 << 20)
	v := func(sys string, n int, origin string) store.Version {
		return store.Version{SystemID: sys, Number: n, SHA256: "x", YAML: []byte("ward: 1\n"), Result: []byte(`{}`), Origin: origin}
	}
	c.putStored(v("a", 1, store.OriginPush))
	c.put(v("b", 1, store.OriginPush))
	c.putStored(v("a", 2, store.OriginPush))
	if c.get("a", 1) != nil {
		t.Error("version 1 of a is still cached after version 2 was stored")
	}
	if c.get("a", 2) == nil || c.get("b", 1) == nil {
		t.Error("the new version or another system's version left the cache")
	}
	if want := c.get("a", 2).size() + c.get("b", 1).size(); c.bytes != want {
		t.Errorf("cache holds %d bytes by its count, want %d", c.bytes, want)
	}
	// An edit keeps the pushed version before it (the next push's
	// base) but supersedes an edit.
	c.putStored(v("a", 3, store.OriginEdit))
	if c.get("a", 2) == nil {
		t.Error("the pushed version 2 left the cache when edit 3 was stored")
	}
	c.putStored(v("a", 4, store.OriginEdit))
	if c.get("a", 3) != nil {
		t.Error("edit 3 is still cached after edit 4 was stored")
	}
}
