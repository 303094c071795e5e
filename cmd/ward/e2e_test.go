package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildWard builds the ward binary once per test run.
func buildWard(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ward")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a running `ward serve`.
type server struct {
	url, setup string
	cmd        *exec.Cmd
	stderr     *bytes.Buffer
}

func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--analyses-per-minute", "1000000"}, args...)...)
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urlRE := regexp.MustCompile(`listening on (http://\S+)`)
	tokRE := regexp.MustCompile(`"token":"([^"]+)"`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for s.url == "" || s.setup == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("ward serve exited early:\n%s", s.stderr)
			}
			if m := urlRE.FindStringSubmatch(l); m != nil {
				s.url = m[1]
			}
			if m := tokRE.FindStringSubmatch(l); m != nil {
				s.setup = m[1]
			}
		case <-deadline:
			t.Fatalf("ward serve did not print its URL and setup token:\n%s", s.stderr)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

func (s *server) post(t *testing.T, path, cookie string, body any) (map[string]any, *http.Response) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-ward_session", Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return out, resp
}

// TestServePushPull runs ward serve as a user would, pushes the examples
// with the CLI, pulls one back, and stops the server gracefully.
func TestServePushPull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildWard(t)
	s := startServer(t, bin)
	_, resp := s.post(t, "/api/v1/setup", "", map[string]string{"token": s.setup, "email": "admin@example.com", "password": "a long enough password"})
	var session string
	for _, c := range resp.Cookies() {
		session = c.Value
	}
	s.post(t, "/api/v1/teams", session, map[string]string{"id": "examples", "name": "Examples"})
	tok, _ := s.post(t, "/api/v1/tokens", session, map[string]string{"name": "e2e", "team": "examples"})
	env := append(os.Environ(), "WARD_SERVER="+s.url, "WARD_TOKEN="+tok["token"].(string))
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ward %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// Push copies: push writes .ward-base beside the model.
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	for _, ex := range []string{"shop", "events", "admin-agent"} {
		out := run(root, "push", "examples/"+ex, "-m", "e2e")
		if !strings.Contains(out, "version 1") {
			t.Errorf("push %s: %s", ex, out)
		}
	}
	if out := run(root, "push", "examples/shop"); !strings.Contains(out, "unchanged") {
		t.Errorf("second push of an unchanged model: %s", out)
	}
	dir := t.TempDir()
	run(dir, "pull", "larkspur-shop", "--dir", "shop")
	for _, f := range []string{"ward.yaml", "threats.yaml"} {
		want, _ := os.ReadFile(filepath.Join(root, "examples/shop", f))
		got, err := os.ReadFile(filepath.Join(dir, "shop", f))
		if err != nil || !bytes.Equal(want, got) {
			t.Errorf("pulled %s differs from the pushed one (%v)", f, err)
		}
	}
	// The pulled model checks like the original.
	cmd := exec.Command(bin, "check", "--fail-on", "none", "shop")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("check of the pulled model: %v\n%s", err, out)
	}
	// An open event stream must not hold up the shutdown (it used to take
	// the whole grace period and end in an error).
	req, _ := http.NewRequest("GET", s.url+"/api/v1/systems/larkspur-shop/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok["token"].(string))
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", err, stream)
	}
	defer stream.Body.Close()
	stream.Body.Read(make([]byte, 64))
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ward serve did not stop cleanly: %v\n%s", err, s.stderr)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("ward serve took %s to stop with an event stream open, want under 3s", d)
		}
	case <-time.After(20 * time.Second):
		t.Error("ward serve did not stop within 20s of SIGTERM")
	}
	if strings.Contains(s.stderr.String(), tok["token"].(string)) || strings.Contains(s.stderr.String(), "Larkspur") {
		t.Error("the server log contains a token or model contents")
	}
}
