package cli_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cli"
	"github.com/wardtm/ward/internal/server"
)

// TestPushRetriesBusy: a push answered 429 "busy" (the server's analysis
// queue is full) is retried after Retry-After and lands once; a server
// that stays busy ends the push with exit 1 (not 2: the model was not
// refused) after a bounded number of tries.
func TestPushRetriesBusy(t *testing.T) {
	ts := newTeamServer(t)
	real, admin, tok := ts.srv, ts.admin, ts.token
	target, _ := url.Parse(real.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var busy, pushes atomic.Int64 // busy: how many pushes to refuse first
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/versions") {
			pushes.Add(1)
			if busy.Add(-1) >= 0 {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"error":{"code":"busy","message":"the server is analysing as many models as it can; try again shortly"}}`)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()

	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "shop"), os.DirFS("../../examples/shop")); err != nil {
		t.Fatal(err)
	}
	ward := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, Now: time.Now,
			Getenv: func(k string) string { return map[string]string{"WARD_SERVER": srv.URL, "WARD_TOKEN": tok}[k] }})
		return code, stdout.String() + stderr.String()
	}

	busy.Store(2)
	code, out := ward("push", "shop", "--team", "storefront")
	if code != 0 || strings.Count(out, "the server is busy (HTTP 429); retrying in 1s") != 2 || pushes.Load() != 3 {
		t.Fatalf("push through two busy answers: exit %d, %d tries\n%s", code, pushes.Load(), out)
	}
	var sys struct {
		Latest int `json:"latest"`
	}
	req, _ := http.NewRequest("GET", real.URL+"/api/v1/systems/larkspur-shop", nil)
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: admin})
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = json.NewDecoder(resp.Body).Decode(&sys)
		resp.Body.Close()
	}
	if sys.Latest != 1 {
		t.Errorf("after the retried push the system's latest version is %d, want 1", sys.Latest)
	}

	pushes.Store(0)
	busy.Store(100)
	code, out = ward("push", "shop", "--team", "storefront")
	if code != 1 || pushes.Load() != 4 || !strings.Contains(out, "try again shortly") {
		t.Errorf("push to a server that stays busy: exit %d after %d tries, want 1 after 4\n%s", code, pushes.Load(), out)
	}
}
