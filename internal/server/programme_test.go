package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// programmeDemo is a server with ward serve --demo's data: the examples,
// the review queue, the demo accounts and the programme's teams.
type programmeDemo struct {
	t   *testing.T
	st  store.Store
	s   *server.Server
	srv *httptest.Server
	pw  string
}

func newProgrammeDemo(t *testing.T) *programmeDemo {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := server.New(server.Config{Version: "test", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	loadProgrammeDemo(t, s)
	d := &programmeDemo{t: t, st: st, s: s, pw: "demo password 1234"}
	if _, err := s.LoadDemoAccounts(t.Context(), d.pw); err != nil {
		t.Fatal(err)
	}
	d.srv = httptest.NewServer(s)
	t.Cleanup(d.srv.Close)
	return d
}

// loadProgrammeDemo loads what ward serve --demo loads.
func loadProgrammeDemo(t testing.TB, s *server.Server) {
	t.Helper()
	for _, ex := range []string{"shop", "events", "admin-agent"} {
		if err := s.LoadDemo(t.Context(), "demo", server.Bundle{Main: "ward.yaml", Files: bundle(t, "../../examples/"+ex)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LoadDemoReviews(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second time changes nothing
		if err := s.LoadDemoProgramme(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// login signs in and returns the session cookie.
func (d *programmeDemo) login(email string) *http.Cookie {
	d.t.Helper()
	resp, err := http.Post(d.srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+d.pw+`"}`))
	if err != nil {
		d.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c
		}
	}
	d.t.Fatalf("no session for %s (%d)", email, resp.StatusCode)
	return nil
}

func (d *programmeDemo) get(c *http.Cookie, path string) (int, string) {
	d.t.Helper()
	req, _ := http.NewRequest("GET", d.srv.URL+path, nil)
	req.AddCookie(c)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestProgrammeDemo(t *testing.T) {
	d := newProgrammeDemo(t)
	sec := d.login("security@demo.example")
	code, body := d.get(sec, "/api/v1/programme/teams")
	if code != 200 {
		t.Fatalf("teams: %d %s", code, body)
	}
	var teams struct {
		Items []struct {
			Team    struct{ ID string }
			Phase   string
			Open    *struct{ To string } `json:"open_proposal"`
			Escapes int
		}
	}
	if err := json.Unmarshal([]byte(body), &teams); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range teams.Items {
		to := ""
		if x.Open != nil {
			to = x.Open.To
		}
		got[x.Team.ID] = x.Phase + ">" + to
	}
	want := map[string]string{"payments": "review>security_optional", "storefront": "observation>review", "platform": "observation>training",
		"growth": "training>", "demo": "traditional>"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("team %s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	for _, p := range []string{"/programme", "/programme/teams/payments", "/programme/findings", "/programme/leadership", "/programme/summary"} {
		if code, body := d.get(sec, p); code != 200 {
			t.Errorf("%s: %d\n%.2000s", p, code, body)
		}
	}
	code, body = d.get(sec, "/api/v1/programme/findings?catch=escape")
	if code != 200 || !strings.Contains(body, `"catch":"escape"`) {
		t.Errorf("escapes: %d %.500s", code, body)
	}
	for _, c := range []string{"known", "engine"} {
		if _, body := d.get(sec, "/api/v1/programme/findings?catch="+c); !strings.Contains(body, `"catch":"`+c+`"`) {
			t.Errorf("no demo finding the model answers %s", c)
		}
	}
	code, body = d.get(d.login("viewer@demo.example"), "/api/v1/programme/leadership?format=csv")
	if code != 200 || !strings.Contains(body, "section,team,item") || !strings.Contains(body, "avoided vs fixing in production") {
		t.Errorf("csv: %d %.500s", code, body)
	}
	_ = url.Values{}
}
