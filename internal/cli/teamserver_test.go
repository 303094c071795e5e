package cli_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// teamServer is a real Ward server (SQLite) with an administrator signed
// in and a team, storefront, with an API token: what the server commands'
// tests push to.
type teamServer struct {
	t     *testing.T
	srv   *httptest.Server
	admin string // the administrator's session cookie
	token string // storefront's API token
}

func newTeamServer(t *testing.T) *teamServer {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := server.New(server.Config{SetupToken: "setup", Version: "test", Now: time.Now}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := &teamServer{t: t, srv: httptest.NewServer(h)}
	t.Cleanup(ts.srv.Close)
	ts.admin = ts.call("/api/v1/setup", "", map[string]string{"token": "setup", "email": "a@example.com", "password": "a long enough password"})["cookie"].(string)
	ts.call("/api/v1/teams", ts.admin, map[string]string{"id": "storefront", "name": "Storefront"})
	ts.token = ts.call("/api/v1/tokens", ts.admin, map[string]string{"name": "ci", "team": "storefront"})["token"].(string)
	return ts
}

// call POSTs body as JSON (with the session cookie, when given) and
// returns the decoded answer, the session cookie set under "cookie"; an
// answer of 300 or more fails the test.
func (ts *teamServer) call(path, cookie string, body any) map[string]any {
	ts.t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", ts.srv.URL+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		ts.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			out["cookie"] = c.Value
		}
	}
	return out
}
