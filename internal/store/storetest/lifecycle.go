package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// testUserLifecycle: disable ends sessions and keeps tokens, enable brings
// the account back, a password change keeps only the named session, and
// delete removes the account and its sessions, revokes its tokens, keeps
// what it authored and records who it was.
func testUserLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "setup"))
	must(s.CreateUser(ctx, store.User{ID: "u1", Email: "ann@example.com", Role: store.RoleMember, TeamID: "pay", PasswordHash: "$argon2id$old"}, "setup"))
	must(s.CreateUser(ctx, store.User{ID: "u2", Email: "bo@example.com", Role: store.RoleViewer}, "setup"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	session := func(h, user string) {
		t.Helper()
		if err := s.CreateSession(ctx, store.Session{IDHash: h, UserID: user, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	gone := func(h string) bool {
		_, err := s.GetSession(ctx, h)
		return errors.Is(err, store.ErrNotFound)
	}
	session("s1", "u1")
	session("s2", "u1")
	session("s3", "u2")
	must(s.CreateToken(ctx, store.Token{ID: "t1", Name: "ci", TeamID: "pay", Role: store.RoleMember, Hash: "h1", CreatedBy: "user:u1", ExpiresAt: now.Add(time.Hour)}, "user:u1"))
	must(s.CreateToken(ctx, store.Token{ID: "t2", Name: "other", TeamID: "pay", Role: store.RoleMember, Hash: "h2", CreatedBy: "user:u2"}, "user:u2"))

	u := must(s.SetUserDisabled(ctx, "u1", true, "user:admin"))
	if !u.Disabled {
		t.Errorf("disable: %+v", u)
	}
	if !gone("s1") || !gone("s2") || gone("s3") {
		t.Error("disabling u1 must end u1's sessions and only those")
	}
	if tok := must(s.GetTokenByHash(ctx, "h1")); tok.Revoked {
		t.Error("disabling must keep the account's tokens (the server refuses them while it is disabled)")
	}
	if u := must(s.SetUserDisabled(ctx, "u1", false, "user:admin")); u.Disabled {
		t.Errorf("enable: %+v", u)
	}
	if _, err := s.SetUserDisabled(ctx, "nope", true, "user:admin"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disable a missing account: %v", err)
	}

	session("s4", "u1")
	session("s5", "u1")
	if err := s.SetUserPassword(ctx, "u1", "$argon2id$new", "s4", "change", "user:u1"); err != nil {
		t.Fatal(err)
	}
	if got := must(s.GetUser(ctx, "u1")); got.PasswordHash != "$argon2id$new" {
		t.Errorf("password not stored: %q", got.PasswordHash)
	}
	if gone("s4") || !gone("s5") {
		t.Error("a password change keeps the named session and ends the others")
	}
	if err := s.SetUserPassword(ctx, "u1", "$argon2id$reset", "", "reset", "user:admin"); err != nil {
		t.Fatal(err)
	}
	if !gone("s4") {
		t.Error("a reset ends every session")
	}
	if err := s.SetUserPassword(ctx, "nope", "x", "", "reset", "user:admin"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reset a missing account: %v", err)
	}

	must3(s.PushVersion(ctx, store.Push{SystemID: "shop", TeamID: "pay", Name: "Shop", YAML: []byte("a: 1\n"), Result: []byte(`{}`), Author: "user:u1", Message: "m"}))
	session("s6", "u1")
	if err := s.DeleteUser(ctx, "u1", "user:admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetUser(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted account: %v", err)
	}
	if !gone("s6") || gone("s3") {
		t.Error("deleting u1 must end u1's sessions and only those")
	}
	if tok := must(s.GetTokenByHash(ctx, "h1")); !tok.Revoked {
		t.Error("deleting an account must revoke the tokens it created")
	}
	if tok := must(s.GetTokenByHash(ctx, "h2")); tok.Revoked {
		t.Error("deleting u1 revoked another account's token")
	}
	if v := must(s.GetVersion(ctx, "shop", 1)); v.Author != "user:u1" {
		t.Errorf("the deleted account's version changed: author %q", v.Author)
	}
	if err := s.DeleteUser(ctx, "u1", "user:admin"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	// The email is free again.
	must(s.CreateUser(ctx, store.User{ID: "u3", Email: "ann@example.com", Role: store.RoleViewer}, "setup"))

	evs := must(s.Audit(ctx, 0, store.Page{Limit: 500}))
	seen := map[string]string{}
	for _, e := range evs {
		if e.Object == "user:u1" {
			seen[e.Action] += e.Detail + ";"
		}
	}
	for action, detail := range map[string]string{"user.disable": ";", "user.enable": ";", "user.password": "change;reset;", "user.delete": "ann@example.com;"} {
		if seen[action] != detail {
			t.Errorf("audit %s of user:u1: %q, want %q", action, seen[action], detail)
		}
	}
}

// testTokenExpiry: a token keeps its expiry; Expired and Creator read it.
func testTokenExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	exp := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	must(s.CreateToken(ctx, store.Token{ID: "t1", Name: "ci", TeamID: "pay", Role: store.RoleMember, Hash: "h1", CreatedBy: "user:u9", ExpiresAt: exp}, "user:u9"))
	must(s.CreateToken(ctx, store.Token{ID: "t2", Name: "old", TeamID: "pay", Role: store.RoleMember, Hash: "h2", CreatedBy: "setup"}, "setup"))
	got := must(s.GetTokenByHash(ctx, "h1"))
	if !got.ExpiresAt.Equal(exp) || got.Creator() != "u9" {
		t.Errorf("token = %+v", got)
	}
	if got.Expired(exp.Add(-time.Millisecond)) || !got.Expired(exp) {
		t.Error("Expired: a token stops at its expiry")
	}
	never := must(s.GetTokenByHash(ctx, "h2"))
	if !never.ExpiresAt.IsZero() || never.Expired(exp.AddDate(100, 0, 0)) || never.Creator() != "" {
		t.Errorf("token without expiry = %+v", never)
	}
	list := must(s.ListTokens(ctx, "pay"))
	if len(list) != 2 || !list[0].ExpiresAt.Equal(exp) {
		t.Errorf("ListTokens = %+v", list)
	}
}

// testDiffCache: a stored diff comes back; storing it again keeps the first.
func testDiffCache(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "setup"))
	must3(s.PushVersion(ctx, push("shop", "pay", "a: 1\n")))
	k := store.DiffKey{SystemID: "shop", From: 1, To: 2, Engine: "e1"}
	if _, err := s.GetDiff(ctx, k); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing diff: %v", err)
	}
	if err := s.PutDiff(ctx, k, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDiff(ctx, k, []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	if got := string(must(s.GetDiff(ctx, k))); got != `{"a":1}` {
		t.Errorf("GetDiff = %s", got)
	}
	k.Engine = "e2"
	if _, err := s.GetDiff(ctx, k); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another engine's diff: %v", err)
	}
}
