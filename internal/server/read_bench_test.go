package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// BenchmarkAPIReads measures the JSON API reads of the load benchmark
// (cmd/ward-load) one at a time over HTTP on SQLite, with the three
// examples loaded and an API token of the team, as ward-load sends: a
// version with its analysis (served from the stored bytes; the first and
// the latest), the same with ?pretty (decoded and indented: the encoding
// path every version read took before), a system, and a team's findings
// list with each of ward-load's filters in turn. Time per read is what one
// read costs the server plus the loopback round trip; cpu-ms/op is the
// process's CPU (server and client) per read, steadier than time on a
// shared machine.
//
//	go test ./internal/server -run '^$' -bench APIReads -benchmem
func BenchmarkAPIReads(b *testing.B) {
	st := benchStore(b)
	s := server.New(server.Config{SetupToken: setupToken}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for ex, team := range map[string]string{"shop": "storefront", "events": "fulfilment", "admin-agent": "support"} {
		if err := s.LoadDemo(b.Context(), team, server.Bundle{Main: "ward.yaml", Files: bundle(b, "../../examples/"+ex)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.LoadDemoAccounts(b.Context(), "benchmark password"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	admin := benchLogin(b, srv.URL, "admin@demo.example")
	token := benchToken(b, srv.URL, admin, "storefront")
	// The findings filters of cmd/ward-load.
	filters := []string{"severity=high&status=open", "severity=medium", "data=pii", "status=accepted", "sort=system&limit=20", "severity=critical&sort=id"}
	var i int
	for _, c := range []struct {
		name string
		path func() string
	}{
		{"version", func() string { return "/api/v1/systems/larkspur-shop/versions/latest" }},
		{"version-1", func() string { return "/api/v1/systems/larkspur-shop/versions/1" }},
		{"version-pretty", func() string { return "/api/v1/systems/larkspur-shop/versions/latest?pretty" }},
		{"system", func() string { return "/api/v1/systems/larkspur-shop" }},
		{"findings", func() string { i++; return "/api/v1/findings?team=storefront&" + filters[i%len(filters)] }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			cpu := cpuclock.Process()
			for b.Loop() {
				path := c.path()
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
			}
			b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
			b.SetBytes(n)
		})
	}
}

// benchToken creates an API token of team with the administrator's
// session.
func benchToken(b *testing.B, url, session, team string) string {
	b.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/tokens", strings.NewReader(`{"name":"bench","team":"`+team+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		b.Fatalf("token for %s: %d %v", team, resp.StatusCode, err)
	}
	return out.Token
}

// benchStore opens a SQLite store in the benchmark's temporary directory,
// closed when it ends.
func benchStore(b *testing.B) *sqlstore.DB {
	b.Helper()
	st, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}
