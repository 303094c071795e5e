package server_test

import (
	"strings"
	"testing"
)

// TestBrowserWithheldDecision: a decision taken on a merged threat, with a
// hop added after it, is shown on the system page as a warning that says
// which hop joined and what to do, and the threat is not shown as decided.
func TestBrowserWithheldDecision(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const token = "covers-setup-token"
	b := newBrowser(t, token)
	if status, out := b.api("POST", "/api/v1/setup", "", map[string]string{"token": token, "email": "ada@example.com", "password": "correct horse battery"}); status != 200 {
		t.Fatalf("setup: %d %v", status, out)
	}
	admin := b.login("ada@example.com", "correct horse battery")
	seed := func(path string, body any, want int) map[string]any {
		t.Helper()
		status, out := b.api("POST", path, admin, body)
		if status != want {
			t.Fatalf("%s: %d %v", path, status, out)
		}
		return out
	}
	seed("/api/v1/teams", map[string]string{"id": "t", "name": "T"}, 201)
	seed("/api/v1/systems/hops/versions", map[string]any{"team": "t", "files": coversModel("a", "b")}, 201)
	const id = "sensitive-data-in-cleartext:db"
	seed("/api/v1/systems/hops/decisions", map[string]any{"finding": id, "status": "accepted", "reason": "our network",
		"owner": "dana", "expires": "2027-02-01"}, 201)
	_, m := b.api("GET", "/api/v1/systems/hops/versions/latest/model", admin, nil)
	y := m["files"].(map[string]any)["ward.yaml"].(string)
	files := coversModel("a", "b", "c")
	files["ward.yaml"] = strings.Replace(files["ward.yaml"], "decisions: []\n", y[strings.Index(y, "decisions:"):], 1)
	seed("/api/v1/systems/hops/versions", map[string]any{"team": "t", "files": files}, 201)

	b.signIn("ada@example.com", "correct horse battery")
	b.open("/systems/hops")
	w := b.text("#warnings")
	if !strings.Contains(w, "re-decide "+id) || !strings.Contains(w, "sensitive-data-in-cleartext:c-db") || !strings.Contains(w, "ward.yaml:") {
		t.Errorf("warnings on the system page: %q", w)
	}
	if got := b.text(`tr[id="f-` + id + `"] td:nth-child(5)`); !strings.Contains(strings.ToLower(got), "unverified") {
		t.Errorf("the merged threat's status on the page: %q", got)
	}
	b.screenshot("system-withheld-decision")
	b.checkAccessible("system with a withheld decision")
}
