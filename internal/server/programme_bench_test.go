package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/server"
)

// BenchmarkProgramme measures the programme's pages on the demo data,
// importing 10,000 outside findings (each checked against its model), and
// the pages again with the imported findings:
//
//	go test ./internal/server -run '^$' -bench Programme -benchtime 5x
func BenchmarkProgramme(b *testing.B) {
	st := benchStore(b)
	s := server.New(server.Config{Version: "bench", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20, MaxBodyBytes: 64 << 20}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	loadProgrammeDemo(b, s)
	const pw = "benchmark password"
	if _, err := s.LoadDemoAccounts(b.Context(), pw); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"email":"security@demo.example","password":"`+pw+`"}`))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Cookies()[0]
	call := func(b *testing.B, method, path string, body any) []byte {
		var rd io.Reader
		if body != nil {
			data, _ := json.Marshal(body)
			rd = strings.NewReader(string(data))
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %.300s", method, path, resp.StatusCode, out)
		}
		return out
	}
	pages := func(when string) {
		for _, p := range []string{"/programme", "/programme/teams/payments", "/programme/leadership", "/programme/summary", "/programme/findings", "/api/v1/programme/leadership?format=csv"} {
			b.Run(when+strings.NewReplacer("/", "_").Replace(p), func(b *testing.B) {
				for b.Loop() {
					call(b, "GET", p, nil)
				}
			})
		}
	}
	pages("demo")
	b.Run("import10k", func(b *testing.B) {
		run := 0
		for b.Loop() {
			run++
			var csv strings.Builder
			csv.WriteString(programme.Header + "\n")
			for i := range 10_000 {
				fmt.Fprintf(&csv, "pen_test,B%d-%d,Finding %d,%s,2026-%02d-%02d,larkspur-shop,%s,%s,,,%d\n", run, i, i, programme.Severities[i%4],
					i%11+1, i%28+1, []string{"web", "checkout", "orders-db", "auth"}[i%4], programme.Categories[i%6], i%900)
			}
			out := call(b, "POST", "/api/v1/programme/findings", map[string]any{"content": csv.String(), "format": "csv", "file": "bench.csv"})
			if !strings.Contains(string(out), `"new":10000`) {
				b.Fatalf("%.300s", out)
			}
		}
	})
	pages("after-import")
}

// BenchmarkSnapshotRisk: the periodic job's snapshot step on the demo
// data, when this week's snapshots are missing (the leadership view's
// work) and when they are there already (every other hourly run).
func BenchmarkSnapshotRisk(b *testing.B) {
	st := benchStore(b)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	s := server.New(server.Config{Version: "bench", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20, Now: func() time.Time { return now }}, st,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	loadProgrammeDemo(b, s)
	b.Run("missing", func(b *testing.B) {
		for b.Loop() {
			now = now.AddDate(0, 0, 7) // a new week each time
			if n, err := s.SnapshotRisk(b.Context()); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("taken", func(b *testing.B) {
		for b.Loop() {
			if n, err := s.SnapshotRisk(b.Context()); err != nil || n != 0 {
				b.Fatal(n, err)
			}
		}
	})
}
