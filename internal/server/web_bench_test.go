package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// BenchmarkWebPages measures page loads on the demo data grown to 50
// systems (the three examples, each copied under new ids into three
// teams) with a real SQLite store over HTTP: the home page of each role,
// the systems and findings lists, a gap list and a system page. It reports
// the 50th and 95th percentile of a load, after one warm-up round (the
// first load of a version decodes its result and draws its diagram).
//
//	go test ./internal/server -run '^$' -bench WebPages -benchtime 200x
func BenchmarkWebPages(b *testing.B) {
	dir := b.TempDir()
	st, err := sqlstore.Open(b.Context(), filepath.Join(dir, "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s := server.New(server.Config{SetupToken: setupToken}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	examples := map[string]string{"shop": "larkspur-shop", "events": "fulfilment-pipeline", "admin-agent": "helpdesk-copilot"}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range examples {
			if !yield(k) {
				return
			}
		}
	})
	var systems []string
	for i := 0; len(systems) < 50; i++ {
		ex := names[i%len(names)]
		files := bundle(b, "../../examples/"+ex)
		id := fmt.Sprintf("%s-%02d", examples[ex], i)
		for k, v := range files {
			files[k] = strings.Replace(v, "id: "+examples[ex], "id: "+id, 1)
		}
		if err := s.LoadDemo(b.Context(), fmt.Sprintf("team-%d", i%3), server.Bundle{Main: "ward.yaml", Files: files}); err != nil {
			b.Fatal(err)
		}
		systems = append(systems, id)
	}
	if _, err := s.LoadDemoAccounts(b.Context(), "benchmark password"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	login := func(email string) string { return benchLogin(b, srv.URL, email) }
	admin, member := login("admin@demo.example"), login("member@demo.example")
	type load struct{ path, who string }
	get := func(b *testing.B, l load) time.Duration {
		req, _ := http.NewRequest("GET", srv.URL+l.path, nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: l.who})
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", l.path, resp.StatusCode)
		}
		return d
	}
	var pages []load
	for _, x := range systems[:10] {
		pages = append(pages, load{"/systems/" + x, admin})
	}
	for _, c := range []struct {
		name  string
		loads []load
	}{
		{"home-admin", []load{{"/", admin}}},
		{"home-member", []load{{"/", member}}},
		{"systems", []load{{"/systems", admin}}},
		{"findings", []load{{"/findings?status=open", admin}, {"/findings?q=token&severity=high", member}}},
		{"gaps", []load{{"/gaps/questions", admin}, {"/gaps/unmitigated", member}}},
		{"system-page", pages},
	} {
		b.Run(c.name, func(b *testing.B) {
			for _, l := range c.loads { // warm up: decode results, draw diagrams
				get(b, l)
			}
			var times []time.Duration
			i := 0
			for b.Loop() {
				times = append(times, get(b, c.loads[i%len(c.loads)]))
				i++
			}
			slices.Sort(times)
			pct := func(p float64) float64 {
				return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}

// benchLogin signs a demo account in with the benchmarks' password and
// returns its session cookie.
func benchLogin(b *testing.B, url, email string) string {
	b.Helper()
	resp, err := noFollow.PostForm(url+"/login", map[string][]string{"email": {email}, "password": {"benchmark password"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c.Value
		}
	}
	b.Fatalf("sign-in of %s: %d", email, resp.StatusCode)
	return ""
}
