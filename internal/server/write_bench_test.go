package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/server"
)

// BenchmarkAPIWrites measures the writes of the load benchmark
// (cmd/ward-load) one at a time over HTTP on SQLite, with the shop example
// pushed once by a CI-like client (no base version):
//
//   - push-new: every push is content the server has not seen (the model
//     with a new comment), so it is merged, analysed and stored;
//   - push-same: the same model again, as CI pushes an unchanged model:
//     answered unchanged;
//   - push-revert: two models in turn, each push a new version whose
//     content was analysed before (the analysis memo);
//   - decision-new: a decision with a new reason each time (an edit of
//     the model, analysed and stored).
//
// cpu-ms/op is the process's CPU (server and client) per write: on a
// shared machine wall time swings with the load, CPU time much less.
//
//	go test ./internal/server -run '^$' -bench APIWrites -benchmem
func BenchmarkAPIWrites(b *testing.B) {
	st := benchStore(b)
	s := server.New(server.Config{SetupToken: setupToken, AnalysesPerMinute: 1 << 30, AnalysesBurst: 1 << 30}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	files := bundle(b, "../../examples/shop")
	if err := s.LoadDemo(b.Context(), "storefront", server.Bundle{Main: "ward.yaml", Files: files}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.LoadDemoAccounts(b.Context(), "benchmark password"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	admin := benchLogin(b, srv.URL, "admin@demo.example")
	post := func(b *testing.B, path string, body any) {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: admin})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			b.Fatalf("POST %s: %d %s", path, resp.StatusCode, msg)
		}
	}
	var finding string // a generated finding to decide on
	{
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/findings?system=larkspur-shop&status=open&limit=100", nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: admin})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var list struct{ Items []struct{ ID string } }
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		for _, f := range list.Items {
			if strings.Contains(f.ID, ":") && finding == "" {
				finding = f.ID
			}
		}
		if err != nil || finding == "" {
			b.Fatalf("no generated finding to decide on (%v)", err)
		}
	}
	const push = "/api/v1/systems/larkspur-shop/versions"
	withComment := func(c string) map[string]string {
		out := map[string]string{}
		for k, v := range files {
			out[k] = v
		}
		out["ward.yaml"] += "# " + c + "\n"
		return out
	}
	var n int
	cases := []struct {
		name string
		body func() (string, any)
	}{
		{"push-new", func() (string, any) { n++; return push, map[string]any{"files": withComment(fmt.Sprint(n))} }},
		{"push-same", func() (string, any) { return push, map[string]any{"files": files} }},
		{"push-revert", func() (string, any) {
			n++
			return push, map[string]any{"files": withComment([]string{"a", "b"}[n%2])}
		}},
		// A decision, then a push (without a base) of new content that
		// merges it: two writes per op, as CI pushes after someone
		// decided on the server.
		{"decision+push-new", func() (string, any) {
			n++
			post(b, "/api/v1/systems/larkspur-shop/decisions", map[string]any{"finding": finding, "status": []string{"accepted", "false_positive"}[n%2],
				"reason": fmt.Sprintf("benchmark %d", n), "owner": "dana", "expires": "2030-01-01"})
			return push, map[string]any{"files": withComment(fmt.Sprint(n))}
		}},
		{"decision-new", func() (string, any) {
			n++
			return "/api/v1/systems/larkspur-shop/decisions", map[string]any{"finding": finding, "status": "accepted",
				"reason": fmt.Sprintf("benchmark %d", n), "owner": "dana", "expires": "2030-01-01"}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			p, body := c.body()
			post(b, p, body) // the first of its kind (e.g. the content the others repeat)
			cpu := cpuclock.Process()
			for b.Loop() {
				p, body := c.body()
				post(b, p, body)
			}
			b.ReportMetric(float64(cpuclock.Process()-cpu)/float64(time.Millisecond)/float64(max(b.N, 1)), "cpu-ms/op")
		})
	}
}
