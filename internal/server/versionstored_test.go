package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestVersionServedAsStored: a version this process has just stored is
// served from memory (versioncache.go, putStored) byte for byte as a
// server that never saw it reads it from the database, ETag included;
// "latest" after a decision is the version with the decision, never the
// one cached before it; and If-None-Match with the old ETag is not
// answered 304 once latest has moved.
func TestVersionServedAsStored(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "ward.db")
	e := newEnvAt(t, dsn)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	files := bundle(t, "../../examples/shop")
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", e.admin, map[string]any{"team": "storefront", "message": "first <&>", "files": files}), 201)

	// A second server on the same database, with nothing cached.
	st, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cold := httptest.NewServer(server.New(server.Config{Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }},
		st, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(cold.Close)
	get := func(base, path, etag string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+path, nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.admin})
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag"), body
	}
	same := func(path string) (string, []byte) {
		t.Helper()
		hs, hetag, hot := get(e.srv.URL, path, "")
		cs, cetag, cb := get(cold.URL, path, "")
		if hs != 200 || cs != 200 || hetag != cetag || !bytes.Equal(hot, cb) {
			t.Fatalf("GET %s: stored %d %s (%d bytes), read back %d %s (%d bytes); want the same bytes", path, hs, hetag, len(hot), cs, cetag, len(cb))
		}
		return hetag, hot
	}
	etag1, _ := same("/api/v1/systems/larkspur-shop/versions/latest")
	same("/api/v1/systems/larkspur-shop/versions/1")
	if s, _, _ := get(e.srv.URL, "/api/v1/systems/larkspur-shop/versions/latest", etag1); s != http.StatusNotModified {
		t.Fatalf("If-None-Match of the latest version: %d, want 304", s)
	}

	list := e.want(e.do("GET", "/api/v1/findings?system=larkspur-shop&status=open", e.admin, nil), 200)
	id := list["items"].([]any)[0].(map[string]any)["id"].(string)
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/decisions", e.admin,
		map[string]any{"finding": id, "status": "accepted", "reason": "a compensating control", "owner": "dana", "expires": "2027-02-01"}), 201)
	etag2, body := same("/api/v1/systems/larkspur-shop/versions/latest")
	if etag2 == etag1 || !bytes.Contains(body, []byte(`"version":2}`)) || !strings.Contains(string(body), `"status":"accepted"`) {
		t.Fatalf("latest after the decision: ETag %s (before %s), %d bytes; want version 2 with the decision", etag2, etag1, len(body))
	}
	if s, _, _ := get(e.srv.URL, "/api/v1/systems/larkspur-shop/versions/latest", etag1); s != http.StatusOK {
		t.Fatalf("If-None-Match with the ETag of the version before: %d, want 200", s)
	}
}
