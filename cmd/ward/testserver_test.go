package main

import (
	"bytes"
	"context"
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
}
