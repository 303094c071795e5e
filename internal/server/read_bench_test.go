package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// BenchmarkAPIReads measures the JSON API reads of the load benchmark
// (cmd/ward-load) one at a time over HTTP on SQLite, with the three
// examples loaded: a version with its analysis (served from the stored
// bytes), the same with ?pretty (decoded and indented: the encoding path
// every version read took before), a system, and a team's findings list.
// Time per read is what one read costs the server plus the loopback round
// trip.
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
	for _, c := range []struct{ name, path string }{
		{"version", "/api/v1/systems/larkspur-shop/versions/latest"},
		{"version-pretty", "/api/v1/systems/larkspur-shop/versions/latest?pretty"},
		{"system", "/api/v1/systems/larkspur-shop"},
		{"findings", "/api/v1/findings?team=storefront&severity=medium"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for b.Loop() {
				req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
				req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: admin})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", c.path, resp.StatusCode)
				}
			}
			b.SetBytes(n)
		})
	}
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
