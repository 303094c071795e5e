package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// This file holds the fault test and the helpers the replica and load
// tests share: starting ward serve without waiting for a setup token,
// PostgreSQL schemas per test, and an HTTP client usable from goroutines.

// launchWard starts `ward serve` and waits for its URL (and, when
// wantSetup, its one-time setup token). It does not call t.Fatal, so it
// can run in goroutines.
func launchWard(t *testing.T, bin string, wantSetup bool, args ...string) (*server, error) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--analyses-per-minute", "1000000"}, args...)...)
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = &lockedWriter{w: s.stderr}
	if err := cmd.Start(); err != nil {
		return nil, err
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
	deadline := time.After(60 * time.Second)
	for s.url == "" || wantSetup && s.setup == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				return nil, fmt.Errorf("ward serve %v exited early:\n%s", args, s.stderr)
			}
			if m := urlRE.FindStringSubmatch(l); m != nil {
				s.url = m[1]
			}
			if m := tokRE.FindStringSubmatch(l); m != nil {
				s.setup = m[1]
			}
		case <-deadline:
			return nil, fmt.Errorf("ward serve %v did not print its URL and setup token:\n%s", args, s.stderr)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s, nil
}

func startWard(t *testing.T, bin string, wantSetup bool, args ...string) *server {
	t.Helper()
	s, err := launchWard(t, bin, wantSetup, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lockedWriter lets the test read a process's stderr while it writes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// testPostgres returns the PostgreSQL URL of WARD_TEST_POSTGRES. In CI (CI
// set) PostgreSQL is required: a missing server fails the test.
func testPostgres(t *testing.T) string {
	t.Helper()
	url := os.Getenv("WARD_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but WARD_TEST_POSTGRES is not: PostgreSQL is required in CI")
		}
		t.Skip("WARD_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return url
}

var schemaSeq atomic.Int64

// freshSchema creates an empty schema for one test and returns a URL using
// it (search_path), dropped at the end of the test.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := testPostgres(t)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema := fmt.Sprintf("ward_e2e_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", base, err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", base); err == nil {
			db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// client calls a server's API; auth is a session cookie value or "Bearer …".
type client struct {
	url  string
	auth string
}

var httpc = &http.Client{Timeout: 30 * time.Second}

func (c client) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(c.auth, "Bearer ") {
		req.Header.Set("Authorization", c.auth)
	} else if c.auth != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-ward_session", Value: c.auth})
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// must calls the API from the test goroutine, failing unless the status is want.
func (c client) must(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	status, data, err := c.do(method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// setupOrg creates the administrator through s's setup token, a team and a
// member token for it; it returns the admin's session and the token.
func setupOrg(t *testing.T, s *server, team string) (admin, token string) {
	t.Helper()
	_, resp := s.post(t, "/api/v1/setup", "", map[string]string{"token": s.setup, "email": "admin@example.com", "password": "a long enough password"})
	for _, c := range resp.Cookies() {
		admin = c.Value
	}
	s.post(t, "/api/v1/teams", admin, map[string]string{"id": team, "name": team})
	tok, _ := s.post(t, "/api/v1/tokens", admin, map[string]string{"name": "test", "team": team})
	return admin, "Bearer " + tok["token"].(string)
}

var shopBase = sync.OnceValues(func() (map[string]string, error) {
	files := map[string]string{}
	for _, f := range []string{"ward.yaml", "threats.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "shop", f))
		if err != nil {
			return nil, err
		}
		files[f] = string(data)
	}
	return files, nil
})

// shopFiles returns the shop example as system id, with a marker comment
// making the model distinct. It may be called from any goroutine.
func shopFiles(t *testing.T, id, marker string) map[string]string {
	base, err := shopBase()
	if err != nil {
		t.Error(err)
		return nil
	}
	files := map[string]string{"threats.yaml": base["threats.yaml"]}
	files["ward.yaml"] = strings.Replace(base["ward.yaml"], "\n  id: larkspur-shop\n", "\n  id: "+id+"\n", 1) + "# " + marker + "\n"
	return files
}

type ack struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Created bool   `json:"created"`
}

// versions lists every stored version of a system: number → sha256.
func versions(t *testing.T, c client, system string) map[int]string {
	t.Helper()
	out := map[int]string{}
	for off := 0; ; off += 500 {
		var page struct {
			Items []struct {
				Version int    `json:"version"`
				SHA256  string `json:"sha256"`
			} `json:"items"`
			Total int `json:"total"`
		}
		c.must(t, "GET", fmt.Sprintf("/api/v1/systems/%s/versions?limit=500&offset=%d", system, off), nil, 200, &page)
		for _, v := range page.Items {
			out[v.Version] = v.SHA256
		}
		if off+500 >= page.Total {
			return out
		}
	}
}

// openFinding returns a generated finding of system that no decision
// covers yet.
func openFinding(t *testing.T, c client, system string) string {
	t.Helper()
	var fl struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.must(t, "GET", "/api/v1/findings?status=open&limit=200&system="+system, nil, 200, &fl)
	for _, f := range fl.Items {
		if strings.Contains(f.ID, ":") {
			return f.ID
		}
	}
	t.Fatalf("%s has no open generated finding", system)
	return ""
}

// TestFaultKill kills ward serve (SIGKILL) in the middle of a stream of
// writes, restarts it on the same database and checks that every
// acknowledged write is there and the store is consistent; several times.
func TestFaultKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildWard(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		faultKill(t, bin, "sqlite", filepath.Join(t.TempDir(), "ward.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		faultKill(t, bin, "pgx", freshSchema(t))
	})
}

func faultKill(t *testing.T, bin, driver, db string) {
	const (
		rounds  = 3
		writers = 6
		nsys    = 4
	)
	args := []string{"--db", db, "--log-level", "warn"}
	s := startWard(t, bin, true, args...)
	admin, token := setupOrg(t, s, "fault")
	systems := make([]string, nsys)
	findings := make([]string, nsys)
	acked := make([]map[int]string, nsys) // per system: version → sha256 acknowledged
	var mu sync.Mutex
	api := client{s.url, token}
	for i := range systems {
		systems[i] = fmt.Sprintf("fault-%d", i)
		var a ack
		api.must(t, "POST", "/api/v1/systems/"+systems[i]+"/versions", map[string]any{"team": "fault", "main": "ward.yaml", "files": shopFiles(t, systems[i], "seed")}, 201, &a)
		acked[i] = map[int]string{a.Version: a.SHA256}
		findings[i] = openFinding(t, api, systems[i])
	}
	var seq atomic.Int64
	total := 0
	for round := range rounds {
		api := client{s.url, token}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var count atomic.Int64
		for w := range writers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
				for {
					select {
					case <-stop:
						return
					default:
					}
					i := rng.IntN(nsys)
					n := seq.Add(1)
					path, body := "/api/v1/systems/"+systems[i]+"/versions", any(map[string]any{"team": "fault", "message": fmt.Sprint("write ", n), "main": "ward.yaml",
						"files": shopFiles(t, systems[i], fmt.Sprint("write ", n))})
					if n%3 == 0 {
						path, body = "/api/v1/systems/"+systems[i]+"/decisions", map[string]any{"finding": findings[i], "status": "accepted",
							"reason": fmt.Sprint("decision ", n), "owner": "fault", "expires": "2030-01-01"}
					}
					status, data, err := api.do("POST", path, body)
					if err != nil {
						continue // the server is down: not acknowledged
					}
					if status == http.StatusConflict || status >= 500 {
						continue // refused (a concurrent decision on the same revision) or failed: not acknowledged
					}
					var a ack
					if status/100 != 2 || json.Unmarshal(data, &a) != nil || a.Version < 1 {
						t.Errorf("%s: %d %s", path, status, data)
						continue
					}
					mu.Lock()
					acked[i][a.Version] = a.SHA256
					mu.Unlock()
					count.Add(1)
				}
			})
		}
		// Kill at a random point of the stream: after a random number of
		// acknowledged writes, plus a random fraction of a write.
		want, until := int64(3+rand.IntN(12)), time.Now().Add(10*time.Second)
		for count.Load() < want && time.Now().Before(until) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		s.cmd.Wait()
		close(stop)
		wg.Wait()
		total += int(count.Load())
		t.Logf("round %d: killed after %d acknowledged writes", round+1, count.Load())
		checkStore(t, driver, db, systems)
		s = startWard(t, bin, false, args...)
		c := client{s.url, admin}
		checkAcked(t, c, systems, acked)
	}
	if total == 0 {
		t.Error("no write was acknowledged before the kills: the test proved nothing")
	}
}

// checkAcked checks through the restarted server that every acknowledged
// version is stored with its SHA-256, that version numbers are gapless,
// that the audit log has an entry per version and that the findings of
// each system are those of its latest version.
func checkAcked(t *testing.T, c client, systems []string, acked []map[int]string) {
	t.Helper()
	audited := map[string]string{}
	for after := int64(0); ; {
		var page struct {
			Items []struct {
				Seq    int64  `json:"seq"`
				Action string `json:"action"`
				Object string `json:"object"`
				Detail string `json:"detail"`
			} `json:"items"`
		}
		c.must(t, "GET", fmt.Sprintf("/api/v1/audit?limit=500&after=%d", after), nil, 200, &page)
		for _, e := range page.Items {
			if e.Action == "version.push" {
				if _, dup := audited[e.Object]; dup {
					t.Errorf("audit: two entries for %s", e.Object)
				}
				audited[e.Object] = e.Detail
			}
			after = e.Seq
		}
		if len(page.Items) < 500 {
			break
		}
	}
	for i, id := range systems {
		var sys struct {
			Latest int `json:"latest"`
		}
		c.must(t, "GET", "/api/v1/systems/"+id, nil, 200, &sys)
		stored := versions(t, c, id)
		if len(stored) != sys.Latest {
			t.Errorf("%s: %d versions stored but latest is %d", id, len(stored), sys.Latest)
		}
		for n := 1; n <= sys.Latest; n++ {
			sum, ok := stored[n]
			if !ok {
				t.Errorf("%s: version %d is missing (a gap)", id, n)
				continue
			}
			if audited[fmt.Sprintf("system:%s@%d", id, n)] != sum {
				t.Errorf("%s: version %d has no audit entry with its SHA-256", id, n)
			}
		}
		for n, sum := range acked[i] {
			if stored[n] != sum {
				t.Errorf("%s: acknowledged version %d (sha256 %.12s) is lost or changed (stored %.12q)", id, n, sum, stored[n])
			}
		}
		var fl struct {
			Items []struct {
				Version int `json:"version"`
			} `json:"items"`
			Total int `json:"total"`
		}
		c.must(t, "GET", "/api/v1/findings?limit=500&system="+id, nil, 200, &fl)
		if fl.Total == 0 {
			t.Errorf("%s: no findings rows", id)
		}
		for _, f := range fl.Items {
			if f.Version != sys.Latest {
				t.Errorf("%s: a finding of version %d, but latest is %d", id, f.Version, sys.Latest)
				break
			}
		}
	}
}

// checkStore opens the database directly (the server is dead) and checks
// its consistency: SQLite's integrity check, each version's SHA-256
// against its content, each system's latest against its versions, and
// findings rows of latest versions only.
func checkStore(t *testing.T, driver, dsn string, systems []string) {
	t.Helper()
	if driver == "sqlite" {
		dsn = "file:" + dsn + "?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if driver == "sqlite" {
		var res string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
			t.Errorf("PRAGMA integrity_check: %q %v", res, err)
		}
		if err := db.QueryRow(`PRAGMA foreign_key_check`).Scan(new(any), new(any), new(any), new(any)); err != sql.ErrNoRows {
			t.Errorf("PRAGMA foreign_key_check found a violation (%v)", err)
		}
	}
	rows, err := db.Query(`SELECT system_id, number, sha256, yaml FROM versions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sum, y string
		var n int
		if err := rows.Scan(&id, &n, &sum, &y); err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256([]byte(y))
		if hex.EncodeToString(d[:]) != sum {
			t.Errorf("%s@%d: stored content does not match its SHA-256", id, n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var bad int
	if err := db.QueryRow(`SELECT COUNT(*) FROM systems s WHERE s.latest <> (SELECT COUNT(*) FROM versions v WHERE v.system_id = s.id)
		OR s.latest <> (SELECT COALESCE(MAX(number), 0) FROM versions v WHERE v.system_id = s.id)`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d systems whose latest disagrees with their versions (%v)", bad, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM findings f JOIN systems s ON s.id = f.system_id WHERE f.version <> s.latest`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d findings rows are not of their system's latest version (%v)", bad, err)
	}
	var pushes, nversions int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'version.push'`).Scan(&pushes); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM versions`).Scan(&nversions); err != nil {
		t.Fatal(err)
	}
	if pushes != nversions {
		t.Errorf("%d version.push audit entries for %d versions", pushes, nversions)
	}
}
