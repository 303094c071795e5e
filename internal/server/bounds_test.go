package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/synth"
)

// TestLoginThrottleNotResetBySuccess: an attacker spraying guesses from one
// address cannot reset the address's count by signing in to their own
// account in between.
func TestLoginThrottleNotResetBySuccess(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "mallory@example.com", "role": "viewer", "password": memberPW}), 201)
	for i := range 30 {
		// One guess per victim account: never the account limit.
		s := e.status("POST", "/api/v1/login", "", map[string]string{"email": fmt.Sprintf("victim%d@example.com", i), "password": "guess guess guess"})
		if s == 429 {
			if i > 10 {
				t.Errorf("throttled only after %d guesses, want at most 10", i)
			}
			return
		}
		if s != 401 {
			t.Fatalf("guess %d: %d", i, s)
		}
		if i%3 == 2 { // the attacker's own, successful sign-in
			if s := e.status("POST", "/api/v1/login", "", map[string]string{"email": "mallory@example.com", "password": memberPW}); s != 200 && s != 429 {
				t.Fatalf("own sign-in: %d", s)
			}
		}
	}
	t.Error("30 guesses from one address and never throttled")
}

// TestAccountThrottleIndependent: an account's count is its own: guesses
// against it from many addresses are throttled, and another account from
// the same address is not.
func TestAccountThrottleIndependent(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	for range 5 {
		e.status("POST", "/api/v1/login", "", map[string]string{"email": "admin@example.com", "password": "guess guess guess"})
	}
	if s := e.status("POST", "/api/v1/login", "", map[string]string{"email": "admin@example.com", "password": "correct horse battery"}); s != 429 {
		t.Errorf("the account after 5 failures: %d, want 429", s)
	}
	e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "b@example.com", "role": "viewer", "password": memberPW}), 201)
	if s := e.status("POST", "/api/v1/login", "", map[string]string{"email": "b@example.com", "password": memberPW}); s != 200 {
		t.Errorf("another account from the same address: %d, want 200", s)
	}
}

// TestAnalysisRateLimit: analyses are rate-limited per account; another
// account is unaffected, and tokens refill with time.
func TestAnalysisRateLimit(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: func(c *server.Config) { c.AnalysesPerMinute, c.AnalysesBurst = 60, 2 }})
	_, _, tok := e.member("ann@example.com")
	_, _, other := e.member("bob@example.com")
	files := bundle(t, "../../examples/events")
	push := func(auth string, i int) (int, []byte) {
		f := map[string]string{}
		for k, v := range files {
			f[k] = v
		}
		f["ward.yaml"] += fmt.Sprintf("\n# %d\n", i)
		return e.call("POST", "/api/v1/systems/"+sysA+"/versions", auth, map[string]any{"main": "ward.yaml", "files": f, "team": "team-a"})
	}
	for i := range 2 {
		if s, data := push(tok, i); s != 201 {
			t.Fatalf("push %d: %d %s", i, s, data)
		}
	}
	resp, data := e.raw("POST", "/api/v1/systems/"+sysA+"/versions", "", map[string]string{"Content-Type": "application/json", "Authorization": tok}, pushBody(files))
	wantError(t, "third push in a burst of 2", resp, data, 429, "rate_limited")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if s, data := push(other, 9); s != 201 {
		t.Errorf("another account's push: %d %s", s, data)
	}
	e.clock.Add(time.Second)
	if s, data := push(tok, 3); s != 201 {
		t.Errorf("a push a second later: %d %s", s, data)
	}
}

// TestDiffStoredOnce: a diff is computed on the first request and served
// from the store afterwards.
func TestDiffStoredOnce(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	tok := e.teamWithToken()
	files := bundle(t, "../../examples/events")
	e.want(e.do("POST", "/api/v1/systems/"+sysA+"/versions", tok, map[string]any{"main": "ward.yaml", "files": files}), 201)
	files["ward.yaml"] += "\n# changed\n"
	e.want(e.do("POST", "/api/v1/systems/"+sysA+"/versions", tok, map[string]any{"main": "ward.yaml", "files": files}), 201)
	first := e.want(e.do("GET", "/api/v1/systems/"+sysA+"/diff", tok, nil), 200)
	if first["schema"] != "ward.diff/v1" {
		t.Fatalf("diff: %v", first)
	}
	// Change the stored copy behind the server's back: the next answer
	// must be it, so the diff was not computed again.
	res, err := e.st.SQL().ExecContext(t.Context(), `UPDATE diff_cache SET body = '{"schema":"stored"}' WHERE system_id = $1 AND from_version = 1 AND to_version = 2`, sysA)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("stored diffs for 1..2: %d, want 1", n)
	}
	again := e.want(e.do("GET", "/api/v1/systems/"+sysA+"/diff?from=1&to=2", tok, nil), 200)
	if again["schema"] != "stored" {
		t.Errorf("the second request computed the diff again: %v", again["schema"])
	}
	if s := e.status("GET", "/api/v1/systems/"+sysA+"/diff?from=1&to=9", tok, nil); s != 404 {
		t.Errorf("diff to a missing version: %d, want 404", s)
	}
}

// TestPushFileNames: names that are no file (".", a file that is also a
// directory) are refused with 400, not a 500.
func TestPushFileNames(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	tok := e.teamWithToken()
	main := bundle(t, "../../examples/events")["ward.yaml"]
	for _, files := range []map[string]string{
		{"ward.yaml": main, ".": "x"},
		{"ward.yaml": main, "a": "x", "a/b.yaml": "y"},
	} {
		resp, data := e.raw("POST", "/api/v1/systems/"+sysA+"/versions", "", map[string]string{"Content-Type": "application/json", "Authorization": tok}, pushBody(files))
		wantError(t, fmt.Sprint(len(files), " files"), resp, data, 400, "invalid")
	}
}

// TestHSTSBehindProxy: with HSTS configured, plain-HTTP responses (a TLS
// proxy in front) carry Strict-Transport-Security; without it they do not.
func TestHSTSBehindProxy(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := newTestEnv(t, envOptions{cfg: func(c *server.Config) { c.HSTS = on }})
		resp := e.do("GET", "/healthz", "", nil)
		if got := resp.Header.Get("Strict-Transport-Security") != ""; got != on {
			t.Errorf("HSTS %v: header present %v", on, got)
		}
	}
}

// TestSweepTemp: stale push directories go, fresh ones stay.
func TestSweepTemp(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := filepath.Join(tmp, server.TempPrefix+"old")
	fresh := filepath.Join(tmp, server.TempPrefix+"fresh")
	other := filepath.Join(tmp, "not-ward")
	for _, d := range []string{old, fresh, other} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "sub", "ward.yaml"), []byte("secret model"), 0o600)
	}
	past := time.Now().Add(-time.Hour)
	os.Chtimes(old, past, past)
	os.Chtimes(other, past, past)
	if n := server.SweepTemp(10 * time.Minute); n != 1 {
		t.Errorf("removed %d, want 1", n)
	}
	for d, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", d, err == nil, want)
		}
	}
}

// TestPushOverBudget: a push whose analysis passes the budget is refused
// with 422 naming the rule, and the store is unchanged.
func TestPushOverBudget(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: func(c *server.Config) { c.Budget.MaxFindings = 200 }})
	tok := e.teamWithToken()
	model := strings.Replace(string(synth.Generate(300, synth.DefaultSeed)), "ward: 1\n", "ward: 1\nrules: [rules.yaml]\n", 1)
	rules := "ward_rules: 1\nrules:\n  - id: everything\n    title: Everything\n    category: tampering\n    on: component\n    when: 'true'\n    doc: d\n"
	files := map[string]string{"ward.yaml": model, "rules.yaml": rules}
	resp, data := e.raw("POST", "/api/v1/systems/"+sysA+"/versions", "", map[string]string{"Content-Type": "application/json", "Authorization": tok}, pushBody(files))
	body := wantError(t, "push over the findings budget", resp, data, 422, "over_budget")
	if !strings.Contains(body.Error.Message, "findings") {
		t.Errorf("message: %s", body.Error.Message)
	}
	systems, _, _ := e.st.ListSystems(t.Context(), "", store.Page{})
	if len(systems) != 0 {
		t.Errorf("a refused push stored a system: %v", systems)
	}
}
