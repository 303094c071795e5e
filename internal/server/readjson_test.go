package server

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

// TestReadShapesAreTheMaps checks that the structs the hot reads encode
// (readjson.go) write byte for byte what the maps they replaced wrote,
// compact and indented, on random values with characters encoding/json
// escapes.
func TestReadShapesAreTheMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "a", "<b>&amp;", `"quoted" \ back`, "\u2028\u2029", "é ünïcode 日本", "\x01\x7f", "line\nbreak", "invalid \xff utf-8"}
	str := func() string { return strs[rng.IntN(len(strs))] + strs[rng.IntN(len(strs))] }
	strList := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{str(), str()}
	}
	when := func() time.Time {
		return time.Date(2026, 12, 5, rng.IntN(24), 0, 0, rng.IntN(1e9), time.FixedZone("z", 3600*rng.IntN(3)))
	}
	for i := range 500 {
		x := store.System{ID: str(), TeamID: str(), Name: str(), Latest: rng.IntN(100), Revision: rng.Int64(), CreatedAt: when(), UpdatedAt: when()}
		oldSystem := map[string]any{"id": x.ID, "team": x.TeamID, "name": x.Name, "latest": x.Latest, "revision": x.Revision,
			"created_at": x.CreatedAt, "updated_at": x.UpdatedAt}
		f := store.Finding{SystemID: str(), TeamID: str(), Version: rng.IntN(9), ID: str(), Rule: str(), Category: str(), Severity: str(),
			Score: rng.IntN(30) - 5, Status: str(), Title: str(), Owner: str(), Assets: strList(), DataKinds: strList()}
		oldFinding := map[string]any{"system": f.SystemID, "team": f.TeamID, "version": f.Version, "id": f.ID, "rule": f.Rule,
			"category": f.Category, "severity": f.Severity, "score": f.Score, "status": f.Status, "title": f.Title, "owner": f.Owner,
			"assets": orEmpty(f.Assets), "data": orEmpty(f.DataKinds)}
		for _, c := range []struct {
			name     string
			old, new any
		}{
			{"system", oldSystem, systemJSON(x)},
			{"finding", oldFinding, findingJSON(f)},
			{"list", list[map[string]any]{Items: []map[string]any{oldFinding}, Total: 1}, list[findingDoc]{Items: []findingDoc{findingJSON(f)}, Total: 1}},
		} {
			for _, indent := range []bool{false, true} {
				enc := func(v any) string {
					var b []byte
					var err error
					if indent {
						b, err = json.MarshalIndent(v, "", "  ")
					} else {
						b, err = json.Marshal(v)
					}
					if err != nil {
						t.Fatal(err)
					}
					return string(b)
				}
				if diff := cmp.Diff(enc(c.old), enc(c.new)); diff != "" {
					t.Fatalf("%d %s (indent %v): -map +struct\n%s", i, c.name, indent, diff)
				}
			}
		}
	}
}

// TestFindingsListJSON checks that the findings list appended by hand
// (findingsListJSON) is byte for byte what encoding/json's Encoder writes
// for the same page, on random values with characters it escapes.
func TestFindingsListJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	strs := []string{"", "a", "<b>&amp;", `"quoted" \ back`, "\u2028\u2029", "é ünïcode 日本", "\x01\x7f", "line\nbreak", "invalid \xff utf-8", "tab\there", "plain-id_1.2"}
	str := func() string { return strs[rng.IntN(len(strs))] + strs[rng.IntN(len(strs))] }
	strList := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{str(), str()}
	}
	for i := range 300 {
		fs := make([]store.Finding, rng.IntN(4))
		if i%7 == 0 {
			fs = nil
		}
		for j := range fs {
			fs[j] = store.Finding{SystemID: str(), TeamID: str(), Version: rng.IntN(9), ID: str(), Rule: str(), Category: str(), Severity: str(),
				Score: rng.IntN(30) - 5, Status: str(), Title: str(), Owner: str(), Assets: strList(), DataKinds: strList()}
		}
		p := store.Page{Limit: rng.IntN(500), Offset: rng.IntN(100)}
		total := rng.IntN(5000)
		items := []findingDoc{}
		for _, f := range fs {
			items = append(items, findingJSON(f))
		}
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(list[findingDoc]{Items: items, Total: total, Limit: p.Limit, Offset: p.Offset}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), string(findingsListJSON(nil, fs, total, p))); diff != "" {
			t.Fatalf("%d: -encoding/json +findingsListJSON\n%s", i, diff)
		}
	}
}
