package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
)

const memberPW = "a long enough password"

// member creates a member of team-a (creating the team if needed) and
// returns its id, a session cookie and a member token it created.
func (e *tenv) member(email string) (id, session, token string) {
	e.t.Helper()
	if resp := e.do("GET", "/api/v1/teams/team-a", e.admin, nil); resp.StatusCode == 404 {
		e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "team-a"}), 201)
	}
	u := e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": email, "role": "member", "team": "team-a", "password": memberPW}), 201)
	session = e.login(email, memberPW)
	out := e.want(e.do("POST", "/api/v1/tokens", session, map[string]string{"name": "ci", "team": "team-a"}), 201)
	return u["id"].(string), session, "Bearer " + out["token"].(string)
}

func (e *tenv) status(method, path, auth string, body any) int {
	e.t.Helper()
	s, _ := e.call(method, path, auth, body)
	return s
}

// openStream opens a system's event stream and waits for its first line.
func (e *tenv) openStream(auth string) (*http.Response, context.CancelFunc) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/systems/"+sysA+"/events", nil)
	if strings.HasPrefix(auth, "Bearer ") {
		req.Header.Set("Authorization", auth)
	} else {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode == 200 {
		line := make([]byte, 64)
		if _, err := resp.Body.Read(line); err != nil {
			e.t.Fatal(err)
		}
	}
	return resp, cancel
}

// closesWithin fails unless the stream ends within d.
func closesWithin(t *testing.T, what string, resp *http.Response, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		done <- err
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Errorf("%s: the event stream stayed open for %s", what, d)
	}
}

func (e *tenv) pushA(auth string) {
	e.t.Helper()
	e.want(e.do("POST", "/api/v1/systems/"+sysA+"/versions", auth, map[string]any{"main": "ward.yaml", "files": bundle(e.t, "../../examples/events"), "team": "team-a"}), 201)
}

// TestDisableEnableDelete: a disabled account's sessions and tokens stop
// (and its open streams close at once); enabling restores the tokens;
// deleting revokes them. Each step is in the audit log.
func TestDisableEnableDelete(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	id, session, tok := e.member("ann@example.com")
	e.pushA(tok)
	stream, stop := e.openStream(tok)
	defer stop()
	sessStream, stop2 := e.openStream(session)
	defer stop2()

	e.want(e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"disabled": true}), 200)
	closesWithin(t, "token stream after disabling its creator", stream, 2*time.Second)
	closesWithin(t, "session stream after disabling", sessStream, 2*time.Second)
	if s := e.status("GET", "/api/v1/me", session, nil); s != 401 {
		t.Errorf("disabled account's session: %d, want 401", s)
	}
	if s := e.status("GET", "/api/v1/systems", tok, nil); s != 401 {
		t.Errorf("disabled account's token: %d, want 401", s)
	}
	if s := e.status("POST", "/api/v1/login", "", map[string]string{"email": "ann@example.com", "password": memberPW}); s != 401 {
		t.Errorf("disabled account signs in: %d", s)
	}

	e.want(e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"disabled": false}), 200)
	if s := e.status("GET", "/api/v1/systems", tok, nil); s != 200 {
		t.Errorf("token after enabling its creator again: %d, want 200", s)
	}

	e.want(e.do("DELETE", "/api/v1/users/"+id, e.admin, nil), 204)
	if s := e.status("GET", "/api/v1/systems", tok, nil); s != 401 {
		t.Errorf("deleted account's token: %d, want 401", s)
	}
	if s := e.status("GET", "/api/v1/users/"+id, e.admin, nil); s != 404 {
		t.Errorf("deleted account: %d, want 404", s)
	}
	// What it authored stays.
	if s := e.status("GET", "/api/v1/systems/"+sysA+"/versions/1", e.admin, nil); s != 200 {
		t.Errorf("the deleted account's version: %d", s)
	}
	toks := e.want(e.do("GET", "/api/v1/tokens", e.admin, nil), 200)["items"].([]any)
	if len(toks) != 1 || toks[0].(map[string]any)["revoked"] != true {
		t.Errorf("the deleted account's token is not shown revoked: %v", toks)
	}
	wantAudit(t, e, "user.disable user:"+id, "user.enable user:"+id, "user.delete user:"+id)
}

func wantAudit(t *testing.T, e *tenv, want ...string) {
	t.Helper()
	evs := e.want(e.do("GET", "/api/v1/audit?limit=500", e.admin, nil), 200)["items"].([]any)
	var got []string
	for _, ev := range evs {
		m := ev.(map[string]any)
		got = append(got, m["action"].(string)+" "+m["object"].(string))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("audit log lacks %q: %v", w, got)
		}
	}
}

// TestRoleChange: a role change takes effect on the next request; an
// administrator's own token stops when the account is demoted.
func TestRoleChange(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	id, session, tok := e.member("ann@example.com")
	e.pushA(tok)
	e.want(e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "viewer"}), 200)
	me := e.want(e.do("GET", "/api/v1/me", session, nil), 200)
	if me["role"] != "viewer" {
		t.Errorf("role after the change: %v", me["role"])
	}
	if s := e.status("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "member", "team": "no-such-team"}); s != 400 {
		t.Errorf("member of a missing team: %d, want 400", s)
	}
	if s := e.status("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "owner"}); s != 400 {
		t.Errorf("unknown role: %d, want 400", s)
	}

	// An administrator with an administrator's token.
	e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "root2@example.com", "role": "admin", "password": memberPW}), 201)
	root2 := e.login("root2@example.com", memberPW)
	out := e.want(e.do("POST", "/api/v1/tokens", root2, map[string]any{"name": "laptop", "role": "admin"}), 201)
	adminTok := "Bearer " + out["token"].(string)
	if s := e.status("GET", "/api/v1/users", adminTok, nil); s != 200 {
		t.Fatalf("administrator's token lists accounts: %d", s)
	}
	if s := e.status("POST", "/api/v1/tokens", adminTok, map[string]any{"name": "x", "role": "admin"}); s != 403 {
		t.Errorf("a token mints an administrator's token: %d, want 403", s)
	}
	if s := e.status("POST", "/api/v1/tokens", tok, map[string]any{"name": "x", "team": "team-a"}); s != 403 {
		t.Errorf("a member token mints a token: %d, want 403", s)
	}
	me = e.want(e.do("GET", "/api/v1/me", root2, nil), 200)
	e.want(e.do("PATCH", "/api/v1/users/"+me["user_id"].(string), e.admin, map[string]any{"role": "security"}), 200)
	if s := e.status("GET", "/api/v1/users", adminTok, nil); s != 401 {
		t.Errorf("administrator's token after demotion: %d, want 401", s)
	}
	wantAudit(t, e, "user.role user:"+id)
}

// TestLastAdminAndSelf: nobody locks the organisation or themselves out.
func TestLastAdminAndSelf(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	me := e.want(e.do("GET", "/api/v1/me", e.admin, nil), 200)
	self := me["user_id"].(string)
	for _, body := range []map[string]any{{"disabled": true}, {"role": "viewer"}} {
		if s := e.status("PATCH", "/api/v1/users/"+self, e.admin, body); s != 409 {
			t.Errorf("admin changes own account %v: %d, want 409", body, s)
		}
	}
	if s := e.status("DELETE", "/api/v1/users/"+self, e.admin, nil); s != 409 {
		t.Errorf("admin deletes own account: %d, want 409", s)
	}
	// A second admin may not remove the last other one either.
	u := e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": "b@example.com", "role": "admin", "password": memberPW}), 201)
	other := e.login("b@example.com", memberPW)
	e.want(e.do("PATCH", "/api/v1/users/"+self, other, map[string]any{"disabled": true}), 200)
	if s := e.status("DELETE", "/api/v1/users/"+u["id"].(string), e.admin, nil); s != 401 {
		t.Errorf("disabled admin's session: %d, want 401", s)
	}
	if s := e.status("PATCH", "/api/v1/users/"+u["id"].(string), other, map[string]any{"role": "viewer"}); s != 409 {
		t.Errorf("demoting the last enabled admin (self): %d, want 409", s)
	}
}

// TestPasswords: a change needs the current password and ends the other
// sessions; an administrator's reset ends all; tokens cannot change one.
func TestPasswords(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	id, s1, tok := e.member("ann@example.com")
	s2 := e.login("ann@example.com", memberPW)
	if s := e.status("POST", "/api/v1/me/password", s1, map[string]string{"current": "wrong wrong wrong", "password": "a brand new password"}); s != 403 {
		t.Errorf("wrong current password: %d, want 403", s)
	}
	if s := e.status("POST", "/api/v1/me/password", s1, map[string]string{"current": memberPW, "password": "short"}); s != 400 {
		t.Errorf("weak new password: %d, want 400", s)
	}
	if s := e.status("POST", "/api/v1/me/password", tok, map[string]string{"current": memberPW, "password": "a brand new password"}); s != 403 {
		t.Errorf("token changes a password: %d, want 403", s)
	}
	e.want(e.do("POST", "/api/v1/me/password", s1, map[string]string{"current": memberPW, "password": "a brand new password"}), 204)
	if s := e.status("GET", "/api/v1/me", s1, nil); s != 200 {
		t.Errorf("the session that changed the password: %d, want 200", s)
	}
	if s := e.status("GET", "/api/v1/me", s2, nil); s != 401 {
		t.Errorf("another session after a password change: %d, want 401", s)
	}
	if s := e.status("POST", "/api/v1/login", "", map[string]string{"email": "ann@example.com", "password": memberPW}); s != 401 {
		t.Errorf("old password after the change: %d", s)
	}
	s3 := e.login("ann@example.com", "a brand new password")
	e.want(e.do("POST", "/api/v1/users/"+id+"/password", e.admin, map[string]string{"password": "reset by the admin"}), 204)
	for _, s := range []string{s1, s3} {
		if st := e.status("GET", "/api/v1/me", s, nil); st != 401 {
			t.Errorf("session after an administrator's reset: %d, want 401", st)
		}
	}
	e.login("ann@example.com", "reset by the admin")
	if s := e.status("GET", "/api/v1/systems", tok, nil); s != 200 {
		t.Errorf("tokens survive a password change: %d", s)
	}
	wantAudit(t, e, "user.password user:"+id)
}

// TestTokenExpiry: tokens expire after 90 days by default, are flagged
// when expiring soon, carry Ward-Token-Expires, and an open stream ends
// at the expiry.
func TestTokenExpiry(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: func(c *server.Config) { c.StreamRecheck = 100 * time.Millisecond }})
	_, session, tok := e.member("ann@example.com")
	resp := e.do("GET", "/api/v1/systems", tok, nil)
	exp, err := time.Parse(time.RFC3339, resp.Header.Get("Ward-Token-Expires"))
	if err != nil || !exp.Equal(e.clock.Now().Add(90*24*time.Hour)) {
		t.Errorf("Ward-Token-Expires %q, want 90 days from now (%v)", resp.Header.Get("Ward-Token-Expires"), err)
	}
	short := e.want(e.do("POST", "/api/v1/tokens", session, map[string]any{"name": "short", "team": "team-a", "expires_in_days": 3}), 201)
	if short["expiring_soon"] != true {
		t.Errorf("a 3-day token is not flagged expiring soon: %v", short)
	}
	if s := e.status("POST", "/api/v1/tokens", session, map[string]any{"name": "long", "team": "team-a", "expires_in_days": 4000}); s != 400 {
		t.Errorf("a token for 4000 days: %d, want 400", s)
	}
	e.pushA(tok)
	stream, stop := e.openStream(tok)
	defer stop()
	e.clock.Add(80 * 24 * time.Hour)
	session = e.login("ann@example.com", memberPW) // the old session expired
	// The list is by creation time, then id: the member's token and
	// "short" may share a millisecond, so it is found by name.
	toks := e.want(e.do("GET", "/api/v1/tokens", session, nil), 200)["items"].([]any)
	var first map[string]any
	for _, x := range toks {
		if m := x.(map[string]any); m["name"] != "short" {
			first = m
			break
		}
	}
	if first["expiring_soon"] != true {
		t.Errorf("80 days on, the token is not flagged expiring soon: %v", first)
	}
	e.clock.Add(10*24*time.Hour + time.Second)
	closesWithin(t, "stream of an expired token", stream, 2*time.Second)
	status, data := e.call("GET", "/api/v1/systems", tok, nil)
	if status != 401 || !strings.Contains(string(data), "token_expired") {
		t.Errorf("expired token: %d %s", status, data)
	}
}

// TestRevokedTokenStream: revoking a token closes its open streams at once.
func TestRevokedTokenStream(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	_, session, tok := e.member("ann@example.com")
	e.pushA(tok)
	stream, stop := e.openStream(tok)
	defer stop()
	toks := e.want(e.do("GET", "/api/v1/tokens", session, nil), 200)["items"].([]any)
	start := time.Now()
	e.want(e.do("DELETE", "/api/v1/tokens/"+toks[0].(map[string]any)["id"].(string), session, nil), 204)
	closesWithin(t, "stream of a revoked token", stream, time.Second)
	t.Logf("closed %s after the revocation", time.Since(start))
}

// TestStreamsPerAccount: one account cannot hold every stream.
func TestStreamsPerAccount(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: func(c *server.Config) { c.MaxStreamsPerAccount = 2 }})
	_, session, tok := e.member("ann@example.com")
	e.pushA(tok)
	var stops []context.CancelFunc
	defer func() {
		for _, s := range stops {
			s()
		}
	}()
	for i := range 2 {
		resp, stop := e.openStream(tok)
		stops = append(stops, stop)
		if resp.StatusCode != 200 {
			t.Fatalf("stream %d: %d", i, resp.StatusCode)
		}
	}
	// The same account through its session: refused too.
	resp, stop := e.openStream(session)
	stops = append(stops, stop)
	data, _ := io.ReadAll(resp.Body)
	wantError(t, "third stream of one account", resp, data, 429, "too_many_streams")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Others still get theirs.
	admin, stop := e.openStream(e.admin)
	stops = append(stops, stop)
	if admin.StatusCode != 200 {
		t.Errorf("another account's stream: %d", admin.StatusCode)
	}
}
