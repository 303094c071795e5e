package server

import (
	"bytes"
	"io/fs"
	"log/slog"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestMergedFrom: only a merged threat (one with aliases) gets covers.
func TestMergedFrom(t *testing.T) {
	res := []byte(`{"findings":[{"id":"r:db","origin":"builtin","aliases":["r:a-db","r:b-db"]},{"id":"q:x","origin":"builtin"}]}`)
	if got, _ := mergedFrom(res, "r:db"); !slices.Equal(got, []string{"r:a-db", "r:b-db"}) {
		t.Errorf("merged: %v", got)
	}
	if got, _ := mergedFrom(res, "q:x"); got != nil {
		t.Errorf("single: %v", got)
	}
	if got, _ := mergedFrom(nil, "q:x"); got != nil {
		t.Errorf("no result: %v", got)
	}
}

// TestPlanDecisionCovers: a session's decision on a merged threat records
// the hops it covers; one on another finding records none.
func TestPlanDecisionCovers(t *testing.T) {
	b := Bundle{Main: "ward.yaml", Files: map[string]string{"ward.yaml": "ward: 1\nsystem: {id: s, name: S}\n"}}
	plan := session.Plan{Decisions: []session.FindingDecision{
		{Finding: "r:db", Status: "accepted", Reason: "ours", Owner: "dana", Expires: "2027-01-31"},
		{Finding: "q:x", Status: "false_positive", Reason: "no"},
	}}
	if err := applyPlan(&b, plan, map[string][]string{"r:db": {"r:a-db", "r:b-db"}}); err != nil {
		t.Fatal(err)
	}
	y := b.Files["ward.yaml"]
	c := strings.Index(y, "covers:")
	if c < 0 || c > strings.Index(y, "finding: q:x") || !strings.Contains(y[c:], "r:a-db") || !strings.Contains(y[c:], "r:b-db") || strings.Count(y, "covers:") != 1 {
		t.Errorf("plan applied:\n%s", y)
	}
}

// TestStoredAnalysisMerged: the merged threats an analysis gives the
// version it stores are those mergedIndex reads from its stored result,
// for every example (the shop has merged threats).
func TestStoredAnalysisMerged(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Config{}, st, slog.New(slog.DiscardHandler))
	dirs, _ := fs.ReadDir(examples.FS, ".")
	some := false
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files := map[string]string{}
		entries, _ := fs.ReadDir(examples.FS, d.Name())
		for _, e := range entries {
			if data, err := fs.ReadFile(examples.FS, path.Join(d.Name(), e.Name())); err == nil && !e.IsDir() {
				files[e.Name()] = string(data)
			}
		}
		if _, ok := files["ward.yaml"]; !ok {
			continue
		}
		_, res, err := s.analyseBundle(t.Context(), Bundle{Main: "ward.yaml", Files: files})
		if err != nil {
			continue // an example that needs more than its directory
		}
		a, err := newStoredAnalysis(res)
		if err != nil {
			t.Fatal(err)
		}
		want, err := mergedIndex(a.result)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = map[string][]string{}
		} else {
			some = true
		}
		if !maps.EqualFunc(want, a.merged, slices.Equal) {
			t.Errorf("%s: merged %v, stored result %v", d.Name(), a.merged, want)
		}
	}
	if !some {
		t.Error("no example has merged threats")
	}
}

// TestMergedRemembered: a version's merged threats are decoded once and
// remembered past the version's eviction from the cache.
func TestMergedRemembered(t *testing.T) {
	c := newVersionCache(1) // holds no version
	res := []byte(`{"findings":[{"id":"r:db","origin":"builtin","aliases":["r:a-db","r:b-db"]}]}`)
	v := store.Version{SystemID: "s", Number: 3, SHA256: "x", Result: res}
	m, err := c.mergedOf(c.put(v))
	if err != nil || !slices.Equal(m["r:db"], []string{"r:a-db", "r:b-db"}) {
		t.Fatal(m, err)
	}
	// Read back again: not decoded (this result would not decode).
	v.Result = bytes.Repeat([]byte("!"), len(res))
	if m, err := c.mergedOf(c.put(v)); err != nil || len(m["r:db"]) != 2 {
		t.Errorf("not remembered: %v %v", m, err)
	}
}
