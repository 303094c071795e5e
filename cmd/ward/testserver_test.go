package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/rogpeppe/go-internal/testscript"

	wardserver "github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// cmdTestServer is the script command ward-test-server: it starts a real
// Ward server (SQLite in $WORK) for the rest of the script, creates the
// first administrator (admin@example.com, password $ADMIN_PASSWORD) and
// sets WARD_SERVER.
func cmdTestServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: ward-test-server")
	}
	st, err := sqlstore.Open(context.Background(), ts.MkAbs("ward.db"))
	ts.Check(err)
	const setup = "script-setup-token"
	s := wardserver.New(wardserver.Config{SetupToken: setup, Version: "script"}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s)
	ts.Defer(func() { s.CloseStreams(); srv.Close(); st.Close() })
	const pw = "admin password for scripts"
	body := fmt.Sprintf(`{"token":%q,"email":"admin@example.com","name":"Ada","password":%q}`, setup, pw)
	resp, err := http.Post(srv.URL+"/api/v1/setup", "application/json", bytes.NewReader([]byte(body)))
	ts.Check(err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		ts.Fatalf("setup: HTTP %d", resp.StatusCode)
	}
	ts.Setenv("WARD_SERVER", srv.URL)
	ts.Setenv("ADMIN_PASSWORD", pw)
	ts.Setenv("ADMIN_TOKEN", adminToken(ts, srv.URL, pw))
}

// adminToken signs the administrator in and makes an administrator's API
// token, for scripts that push models (set WARD_TOKEN=$ADMIN_TOKEN).
func adminToken(ts *testscript.TestScript, server, pw string) string {
	body := fmt.Sprintf(`{"email":"admin@example.com","password":%q}`, pw)
	resp, err := http.Post(server+"/api/v1/login", "application/json", bytes.NewReader([]byte(body)))
	ts.Check(err)
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == wardserver.SessionCookie {
			session = c
		}
	}
	if session == nil {
		ts.Fatalf("login: HTTP %d, no session", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", server+"/api/v1/tokens", bytes.NewReader([]byte(`{"name":"script","role":"admin"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(session)
	resp, err = http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	var out struct{ Token string }
	ts.Check(json.NewDecoder(resp.Body).Decode(&out))
	if out.Token == "" {
		ts.Fatalf("admin token: HTTP %d", resp.StatusCode)
	}
	return out.Token
}
