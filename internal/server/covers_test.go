package server_test

import (
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/synth"
)

// coversModel has services sending card data (encryption not stated) to
// one database: the hops merge into one threat.
func coversModel(senders ...string) map[string]string {
	return map[string]string{"ward.yaml": synth.Hops("hops", "Hops", senders, "decisions: []\n")}
}

// TestDecideMergedWritesCovers: a decision taken on a merged threat
// records the hops it covers; a hop added later is not decided for (the
// threat is unverified again, with a warning) until it is decided again.
func TestDecideMergedWritesCovers(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "t", "name": "T"}), 201)
	e.want(e.do("POST", "/api/v1/systems/hops/versions", e.admin, map[string]any{"team": "t", "files": coversModel("a", "b")}), 201)
	const id = "sensitive-data-in-cleartext:db"
	d := map[string]any{"finding": id, "status": "accepted", "reason": "our network", "owner": "dana", "expires": "2027-02-01"}
	e.want(e.do("POST", "/api/v1/systems/hops/decisions", e.admin, d), 201)
	pulled := func() string {
		m := e.want(e.do("GET", "/api/v1/systems/hops/versions/latest/model", e.admin, nil), 200)
		return m["files"].(map[string]any)["ward.yaml"].(string)
	}
	y := pulled()
	if !strings.Contains(y, "covers: [sensitive-data-in-cleartext:a-db, sensitive-data-in-cleartext:b-db]") {
		t.Fatalf("no covers written:\n%s", y)
	}
	status := func() string {
		l := e.want(e.do("GET", "/api/v1/findings?system=hops", e.admin, nil), 200)
		for _, it := range l["items"].([]any) {
			if f := it.(map[string]any); f["id"] == id {
				return f["status"].(string)
			}
		}
		t.Fatalf("no finding %s", id)
		return ""
	}
	if s := status(); s != "accepted" {
		t.Fatalf("status %s after the decision, want accepted", s)
	}
	// A third hop joins: the decision does not extend to it.
	files := coversModel("a", "b", "c")
	decisions := y[strings.Index(y, "decisions:"):]
	files["ward.yaml"] = strings.Replace(files["ward.yaml"], "decisions: []\n", decisions, 1)
	e.want(e.do("POST", "/api/v1/systems/hops/versions", e.admin, map[string]any{"team": "t", "files": files}), 201)
	if s := status(); s != "unverified" {
		t.Errorf("status %s with a new hop, want unverified", s)
	}
	// The system page says why, and what to do.
	if resp, body := e.page("GET", "/systems/hops", e.admin, nil); resp.StatusCode != 200 ||
		!strings.Contains(body, `id="warnings"`) || !strings.Contains(body, "re-decide "+id) || !strings.Contains(body, "c-db") {
		t.Errorf("system page without the withheld decision's warning: %d\n%s", resp.StatusCode, body)
	}
	// Deciding again covers the three hops.
	e.want(e.do("POST", "/api/v1/systems/hops/decisions", e.admin, d), 201)
	y = pulled()
	want := "covers: [sensitive-data-in-cleartext:a-db, sensitive-data-in-cleartext:b-db, sensitive-data-in-cleartext:c-db]"
	if !strings.Contains(y, want) || strings.Count(y, "covers:") != 1 {
		t.Errorf("re-decided:\n%s", y)
	}
	if s := status(); s != "accepted" {
		t.Errorf("status %s after deciding again, want accepted", s)
	}
}
