package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
)

// BenchmarkReviewPages measures the design-review loads — the queue page
// and API, security's home with the queue card, a system page with its
// badge, the badge API — on 50 systems, 30 of them approved and 20 with an
// open request (SQLite, over HTTP); p50/p95 reported:
//
//	go test ./internal/server -run '^$' -bench ReviewPages -benchtime 200x
func BenchmarkReviewPages(b *testing.B) {
	st := benchStore(b)
	s := server.New(server.Config{}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	files := bundle(b, "../../examples/shop")
	for i := range 50 {
		fs := map[string]string{}
		for k, v := range files {
			fs[k] = strings.Replace(v, "id: larkspur-shop", fmt.Sprintf("id: shop-%02d", i), 1)
		}
		if err := s.LoadDemo(b.Context(), "demo", server.Bundle{Main: "ward.yaml", Files: fs}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.LoadDemoAccounts(b.Context(), "benchmark password"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	login := func(email string) string { return benchLogin(b, srv.URL, email) }
	member, security := login("member@demo.example"), login("security@demo.example")
	call := func(method, path, who string, body any) map[string]any {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: who})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	for i := range 50 {
		id := call("POST", "/api/v1/reviews", member, map[string]any{"system": fmt.Sprintf("shop-%02d", i), "answers": sensitive})["id"].(string)
		if i < 30 {
			for _, a := range []string{"triage", "start", "approve"} {
				call("POST", "/api/v1/reviews/"+id+"/actions", security, map[string]any{"action": a})
			}
		}
	}
	call("PUT", "/api/v1/reviews/capacity", security, map[string]any{"hours": 40})
	loads := []string{"/review", "/api/v1/reviews", "/", "/systems/shop-07", "/api/v1/systems/shop-07/review", "/api/v1/reviews/reminders"}
	get := func(path string) time.Duration {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: security})
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return time.Since(start)
	}
	for _, p := range loads { // warm up
		get(p)
	}
	per := map[string][]time.Duration{}
	var all []time.Duration
	i := 0
	for b.Loop() {
		p := loads[i%len(loads)]
		d := get(p)
		per[p], all = append(per[p], d), append(all, d)
		i++
	}
	pct := func(ts []time.Duration, p float64) float64 {
		slices.Sort(ts)
		return float64(ts[min(len(ts)-1, int(p*float64(len(ts))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(all, 0.50), "p50-ms")
	b.ReportMetric(pct(all, 0.95), "p95-ms")
	for _, p := range loads {
		if len(per[p]) > 0 {
			b.Logf("%-34s p50 %6.1f ms  p95 %6.1f ms", p, pct(per[p], 0.5), pct(per[p], 0.95))
		}
	}
}
