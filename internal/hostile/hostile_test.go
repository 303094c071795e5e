//go:build hostile

package hostile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/wardtm/ward/internal/synth"
)

var wardBin string

// row is one line of the closing table.
type row struct{ name, bound, measured, verdict string }

var (
	tableMu sync.Mutex
	table   []row
)

func record(t *testing.T, bound, measured string) {
	t.Helper()
	verdict := "ok"
	if t.Failed() {
		verdict = "FAIL"
	}
	tableMu.Lock()
	table = append(table, row{t.Name(), bound, measured, verdict})
	tableMu.Unlock()
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ward-hostile-")
	if err != nil {
		panic(err)
	}
	wardBin = filepath.Join(dir, "ward")
	if out, err := exec.Command("go", "build", "-o", wardBin, "../../cmd/ward").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ward: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if srv != nil { // a run of some cases only: stop the server here
		srv.cmd.Process.Signal(syscall.SIGTERM)
		srv.cmd.Wait()
		os.RemoveAll(srv.dir)
	}
	os.RemoveAll(dir)
	var b strings.Builder
	b.WriteString("| case | bound | measured | |\n|---|---|---|---|\n")
	for _, r := range table {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.name, r.bound, r.measured, r.verdict)
	}
	fmt.Print(b.String())
	if f := os.Getenv("WARD_HOSTILE_TABLE"); f != "" {
		os.WriteFile(f, []byte(b.String()), 0o644)
	}
	os.Exit(code)
}

// ---- the command line ----

type result struct {
	code           int
	stdout, stderr string
	wall           time.Duration
	rssMB          float64
}

// cli runs ward with args in dir (killing it after a minute).
func cli(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, wardBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ward %v: %v", args, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssMB = float64(ru.Maxrss) / 1024
	}
	return r
}

// within checks a run's exit code, time and peak memory, and records it.
func within(t *testing.T, r result, code int, say string, wall time.Duration, rssMB float64) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstderr: %.600s", r.code, code, r.stderr)
	}
	if say != "" && !strings.Contains(r.stderr, say) {
		t.Errorf("stderr does not say %q: %.600s", say, r.stderr)
	}
	if r.wall > wall {
		t.Errorf("took %s, bound %s", r.wall.Round(time.Millisecond), wall)
	}
	if r.rssMB > rssMB {
		t.Errorf("peak RSS %.0f MB, bound %.0f MB", r.rssMB, rssMB)
	}
	record(t, fmt.Sprintf("exit %d, ≤ %s, ≤ %.0f MB", code, wall, rssMB), fmt.Sprintf("exit %d, %s, %.0f MB", r.code, r.wall.Round(time.Millisecond), r.rssMB))
}

func write(t *testing.T, dir, name, s string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	os.MkdirAll(filepath.Dir(p), 0o700)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func aliasBomb() string {
	// Nine levels of ten: a billion "a"s if the decoder expanded them all,
	// used where the decoder must look inside (components).
	var b strings.Builder
	b.WriteString("ward: 1\nsystem: {id: s, name: S}\nx: [&x0 [a, a, a, a, a, a, a, a, a, a]")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, ", &x%d [%s]", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d, ", i-1), 10), ", "))
	}
	b.WriteString("]\ncomponents: *x8\n")
	return b.String()
}

func mergeBomb() string {
	var b strings.Builder
	b.WriteString("ward: 1\nsystem: {id: s, name: S}\nm0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d, *m%d, *m%d, *m%d, *m%d], k%d: 1}\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i)
	}
	b.WriteString("components:\n  - <<: *m11\n    id: a\n    kind: service\n")
	return b.String()
}

// withRules is a synthetic model of n components naming rules.yaml.
func withRules(n int) string {
	m := string(synth.Generate(n, synth.DefaultSeed))
	return strings.Replace(m, "ward: 1\n", "ward: 1\nrules: [rules.yaml]\n", 1)
}

func rulesFile(n int, when string) string {
	var b strings.Builder
	b.WriteString("ward_rules: 1\nrules:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: r-%d\n    title: Rule %d\n    category: tampering\n    on: component\n    when: %q\n    doc: d\n", i, i, when)
	}
	return b.String()
}

const heavyWhen = `[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15].all(i, [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15].all(j, [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15].all(k, component.id + string(i + j + k) != "")))`

func TestCLIAliasBomb(t *testing.T) {
	dir := t.TempDir()
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", aliasBomb())), 2, "ward.yaml:", 5*time.Second, 200)
}

func TestCLIMergeKeyBomb(t *testing.T) {
	dir := t.TempDir()
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", mergeBomb())), 2, "ward.yaml", 5*time.Second, 200)
}

func TestCLIHugeFile(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("ward: 1\nsystem: {id: s, name: S}\ndescription: |\n")
	line := "  " + strings.Repeat("x", 1022) + "\n"
	for range 65 << 10 { // 65 MiB
		f.WriteString(line)
	}
	f.Close()
	// The CLI takes up to 1 GiB unless told less; the server's bound is 64 MiB.
	within(t, cli(t, dir, "--max-input", "64MiB", "check", "ward.yaml"), 2, "over the 64 MiB limit", 10*time.Second, 300)
}

func TestCLIDeepNesting(t *testing.T) {
	dir := t.TempDir()
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", "ward: 1\nx: "+strings.Repeat("[", 200_000)+"\n")), 2, "ward.yaml", 5*time.Second, 300)
}

func TestCLISpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Skip(err)
	}
	write(t, dir, "inc.yaml", "ward: 1\ninclude: [pipe.yaml]\nsystem: {id: s, name: S}\n")
	write(t, dir, "rules.yaml", "ward: 1\nrules: [pipe.yaml]\nsystem: {id: s, name: S}\n")
	var worst result
	for _, args := range [][]string{{"check", "pipe.yaml"}, {"check", "inc.yaml"}, {"check", "rules.yaml"}, {"check", "--rules", "pipe.yaml", "inc.yaml"},
		{"import", "pipe.yaml"}, {"check", "/dev/zero"}, {"check", "/dev/null"}} {
		r := cli(t, dir, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "not a regular file") {
			t.Errorf("ward %v: exit %d: %s", args, r.code, r.stderr)
		}
		if r.wall > worst.wall {
			worst = r
		}
	}
	within(t, worst, 2, "", 2*time.Second, 100)
}

func TestCLISymlinkEscape(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "outside.yaml", "ward: 1\nsystem: {id: s, name: S}\n")
	os.Mkdir(filepath.Join(dir, "m"), 0o700)
	os.Symlink("../outside.yaml", filepath.Join(dir, "m", "ward.yaml"))
	os.Symlink("/etc/passwd", filepath.Join(dir, "m", "passwd.yaml"))
	write(t, dir, "m/inc.yaml", "ward: 1\ninclude: [passwd.yaml]\nsystem: {id: s, name: S}\n")
	within(t, cli(t, dir, "check", "m/ward.yaml"), 2, "outside the model's directory", 2*time.Second, 100)
	if r := cli(t, dir, "check", "m/inc.yaml"); r.code != 2 || !strings.Contains(r.stderr, "outside the model's directory") {
		t.Errorf("include linking to /etc/passwd: exit %d %s", r.code, r.stderr)
	}
}

func TestCLIUnicodeIDs(t *testing.T) {
	dir := t.TempDir()
	m := "ward: 1\nsystem: {id: s, name: S}\ncomponents:\n" +
		"  - {id: \"pay\u200bment\", kind: service}\n" + // zero-width space
		"  - {id: \"\u0440ay\", kind: service}\n" + // Cyrillic er
		"  - {id: \"a\u202eb\", kind: service}\n" + // right-to-left override
		"  - {id: \"caf\u0065\u0301\", kind: service}\n" // combining accent
	r := cli(t, dir, "check", write(t, dir, "ward.yaml", m))
	if n := strings.Count(r.stderr, "is not a valid id"); n != 4 {
		t.Errorf("%d ids refused, want 4: %s", n, r.stderr)
	}
	within(t, r, 2, "", 2*time.Second, 100)
}

func TestCLICELCostAttack(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "rules.yaml", rulesFile(3, heavyWhen))
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", withRules(2000))), 2, "rule cost", 15*time.Second, 500)
}

func TestCLI10kRules(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "rules.yaml", rulesFile(10_000, "true"))
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", withRules(200))), 2, "custom rules", 30*time.Second, 1024)
}

func TestCLIMillionFindings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "rules.yaml", rulesFile(400, "true"))
	within(t, cli(t, dir, "check", write(t, dir, "ward.yaml", withRules(2500))), 2, "findings", 30*time.Second, 1024)
}

// hostileNames has markup, terminal escapes and bidirectional overrides in
// every name and description.
const hostileNames = `ward: 1
system:
  id: hostile
  name: "Shop <script>alert(1)</script> \e[31mRED\e[0m \u202eevil"
  description: "<img src=x onerror=alert(1)> \e]0;pwned\a"
assets:
  - {id: cards, name: "Cards <iframe src=x>\e[2J", classification: restricted, data: [payment_card]}
boundaries:
  - {id: net, name: "Net \e]0;title\a", trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: web, name: "<script>web</script>\u0007", kind: service, boundary: net, stores: [cards]}
  - {id: db, name: "DB \e[2J | x", kind: datastore, boundary: dc, stores: [cards]}
flows:
  - {id: q, name: "q <a href=javascript:x>", from: web, to: db, carries: [cards], encryption: none}
`

// TestReportFormatsHostileNames: no format lets a name inject markup
// (where markup is rendered) or terminal control sequences (where text is
// shown): html, markdown and the trackers escape markup; every format but
// the JSON ones (which escape them as \u001b) shows control characters as
// escapes.
func TestReportFormatsHostileNames(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ward.yaml", hostileNames)
	formats := []string{"text", "markdown", "html", "json", "sarif", "csv", "github-issues", "jira"}
	start := time.Now()
	var worst result
	for _, f := range formats {
		r := cli(t, dir, "report", "--format", f, "ward.yaml")
		if r.code != 0 {
			t.Errorf("%s: exit %d %s", f, r.code, r.stderr)
			continue
		}
		if r.rssMB > worst.rssMB {
			worst = r
		}
		out := r.stdout
		for _, tag := range []string{"<script>alert", "<script>web", "<img src=x", "<iframe src=x", "<a href=javascript"} {
			if (f == "html" || f == "markdown") && strings.Contains(out, tag) {
				t.Errorf("%s: raw markup %q from a name", f, tag)
			}
		}
		// json and sarif are data: encoding/json escapes control
		// characters; a bidirectional override stays, for the consumer.
		data := f == "json" || f == "sarif"
		for _, c := range out {
			if unicode.IsControl(c) && c != '\n' && c != '\t' && c != '\r' || c == '\u202e' && !data {
				t.Errorf("%s: raw %U from a name", f, c)
				break
			}
		}
	}
	r := result{code: 0, wall: time.Since(start), rssMB: worst.rssMB}
	within(t, r, 0, "", 20*time.Second, 300)
}

// ---- the server ----

type server struct {
	url, admin, member, viewer string
	dir                        string // its data directory
	cmd                        *exec.Cmd
	mon                        *monitor
}

var (
	srvOnce sync.Once
	srv     *server
	srvErr  error
)

// theServer starts one ward serve for every server case (its peak memory
// and health are checked across all of them).
func theServer(t *testing.T) *server {
	t.Helper()
	srvOnce.Do(func() { srv, srvErr = startServer() })
	if srvErr != nil {
		t.Fatal(srvErr)
	}
	return srv
}

func startServer() (*server, error) {
	dir, err := os.MkdirTemp("", "ward-hostile-srv-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(wardBin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, dir: dir}
	urlRE, tokRE := regexp.MustCompile(`listening on (http://\S+)`), regexp.MustCompile(`"token":"([^"]+)"`)
	sc := bufio.NewScanner(stdout)
	setup := ""
	for (s.url == "" || setup == "") && sc.Scan() {
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			s.url = m[1]
		}
		if m := tokRE.FindStringSubmatch(sc.Text()); m != nil {
			setup = m[1]
		}
	}
	go io.Copy(io.Discard, stdout)
	if s.url == "" || setup == "" {
		return nil, fmt.Errorf("ward serve printed no URL or setup token")
	}
	st, body, hdr := s.do("POST", "/api/v1/setup", "", map[string]string{"token": setup, "email": "admin@example.com", "password": "admin password here"})
	if st != 200 {
		return nil, fmt.Errorf("setup: %d %s", st, body)
	}
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		s.admin = c.Value
	}
	s.do("POST", "/api/v1/teams", s.admin, map[string]string{"id": "t"})
	// The tokens belong to their own account, whose analysis rate the
	// floods spend; setup pushes go as the administrator.
	s.do("POST", "/api/v1/users", s.admin, map[string]string{"email": "ci@example.com", "role": "member", "team": "t", "password": "ci account password"})
	_, _, hdr = s.do("POST", "/api/v1/login", "", map[string]string{"email": "ci@example.com", "password": "ci account password"})
	var ci string
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		ci = c.Value
	}
	s.member = s.token(ci, "member")
	s.viewer = s.token(ci, "viewer")
	s.mon = startMonitor(s.url, cmd.Process.Pid)
	return s, nil
}

func (s *server) token(session, role string) string {
	_, body, _ := s.do("POST", "/api/v1/tokens", session, map[string]string{"name": role, "team": "t", "role": role})
	var out struct{ Token string }
	json.Unmarshal(body, &out)
	return "Bearer " + out.Token
}

func (s *server) do(method, path, auth string, body any) (int, []byte, http.Header) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		req.Header.Set("Authorization", auth)
	case auth != "":
		req.AddCookie(&http.Cookie{Name: "__Host-ward_session", Value: auth})
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return 0, []byte(err.Error()), nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, data, resp.Header
}

// system pushes a small model as a system named id (as the administrator)
// and returns its id.
func (s *server) system(t *testing.T, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  id: \S+`).ReplaceAllString(string(synth.Generate(5, 3)), "  id: "+id)
	st, body, _ := s.do("POST", "/api/v1/systems/"+id+"/versions", s.admin, push(map[string]string{"ward.yaml": m}))
	if st != 201 {
		t.Fatalf("push %s: %d %.300s", id, st, body)
	}
	return id
}

func push(files map[string]string) map[string]any {
	return map[string]any{"main": "ward.yaml", "files": files, "team": "t"}
}

// monitor polls /healthz and the server's peak resident memory.
type monitor struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  int
	pid       int
}

func startMonitor(url string, pid int) *monitor {
	m := &monitor{pid: pid}
	client := &http.Client{Timeout: 5 * time.Second}
	go func() {
		for {
			start := time.Now()
			resp, err := client.Get(url + "/healthz")
			d := time.Since(start)
			m.mu.Lock()
			if err != nil || resp.StatusCode != 200 {
				m.failures++
			} else {
				m.latencies = append(m.latencies, d)
			}
			m.mu.Unlock()
			if resp != nil {
				resp.Body.Close()
			}
			if err != nil && strings.Contains(err.Error(), "refused") {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return m
}

// peakMB is the server's peak resident memory so far (VmHWM).
func (m *monitor) peakMB() float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.pid))
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// quantiles summarises every probe so far.
func (m *monitor) quantiles() (p50, p95, worst time.Duration, n, failures int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := slices.Clone(m.latencies)
	slices.Sort(l)
	if len(l) == 0 {
		return 0, 0, 0, 0, m.failures
	}
	return l[len(l)/2], l[len(l)*95/100], l[len(l)-1], len(l), m.failures
}

func (m *monitor) probes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.latencies)
}

// since is health over the probes from the i-th on.
func (m *monitor) since(i int) (p99, worst time.Duration, n, failures int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := slices.Clone(m.latencies[min(i, len(m.latencies)):])
	slices.Sort(l)
	if len(l) == 0 {
		return 0, 0, 0, m.failures
	}
	return l[len(l)*99/100], l[len(l)-1], len(l), m.failures
}

// serverCase runs fn and checks its time bound and the server's memory
// bound, recording both.
func serverCase(t *testing.T, wall time.Duration, fn func(s *server) string) {
	s := theServer(t)
	first := s.mon.probes()
	start := time.Now()
	what := fn(s)
	d := time.Since(start)
	time.Sleep(60 * time.Millisecond) // one more probe
	p99, worst, _, _ := s.mon.since(first)
	peak := s.mon.peakMB()
	if d > wall {
		t.Errorf("took %s, bound %s", d.Round(time.Millisecond), wall)
	}
	if peak > 1024 {
		t.Errorf("server peak RSS %.0f MB, bound 1024 MB", peak)
	}
	record(t, fmt.Sprintf("≤ %s; server ≤ 1024 MB", wall), fmt.Sprintf("%s; %s; server peak %.0f MB; /healthz p99 %s, worst %s", what, d.Round(time.Millisecond), peak,
		p99.Round(time.Millisecond), worst.Round(time.Millisecond)))
}

func wantStatus(t *testing.T, what string, st int, body []byte, want int, code string) {
	t.Helper()
	if st != want || code != "" && !bytes.Contains(body, []byte(code)) {
		t.Errorf("%s: %d %.400s, want %d %s", what, st, body, want, code)
	}
}

func TestServerAliasBomb(t *testing.T) {
	serverCase(t, 5*time.Second, func(s *server) string {
		st, body, _ := s.do("POST", "/api/v1/systems/bomb/versions", s.member, push(map[string]string{"ward.yaml": aliasBomb()}))
		wantStatus(t, "alias bomb", st, body, 422, "invalid_model")
		return fmt.Sprint(st)
	})
}

func TestServer10kRulePush(t *testing.T) {
	serverCase(t, 30*time.Second, func(s *server) string {
		files := map[string]string{"ward.yaml": strings.Replace(withRules(100), "id: ", "id: ten-k-", 1), "rules.yaml": rulesFile(10_000, "true")}
		st, body, _ := s.do("POST", "/api/v1/systems/ten-k/versions", s.member, push(files))
		wantStatus(t, "10k rules", st, body, 422, "custom rules")
		return fmt.Sprintf("%d, %d KB body", st, len(files["rules.yaml"])>>10)
	})
}

func TestServerMillionFindingPush(t *testing.T) {
	serverCase(t, 60*time.Second, func(s *server) string {
		files := map[string]string{"ward.yaml": withRules(2500), "rules.yaml": rulesFile(400, "true")}
		st, body, _ := s.do("POST", "/api/v1/systems/x/versions", s.member, push(files))
		wantStatus(t, "1M findings", st, body, 422, "over_budget")
		return fmt.Sprint(st)
	})
}

func TestServerCELCostAttack(t *testing.T) {
	serverCase(t, 20*time.Second, func(s *server) string {
		files := map[string]string{"ward.yaml": withRules(2000), "rules.yaml": rulesFile(3, heavyWhen)}
		st, body, _ := s.do("POST", "/api/v1/systems/x/versions", s.member, push(files))
		wantStatus(t, "CEL cost", st, body, 422, "rule cost")
		return fmt.Sprint(st)
	})
}

// TestServerDiffFlood: a viewer asking for the diff of an 800-component model six
// times at once costs one computation; asking again costs none.
func TestServerDiffFlood(t *testing.T) {
	serverCase(t, 60*time.Second, func(s *server) string {
		m := string(synth.Generate(800, 7))
		id := regexp.MustCompile(`(?m)^  id: (\S+)`).FindStringSubmatch(m)[1]
		for i := range 2 {
			// force: the setup is not the case (a push without a base merges).
			req := push(map[string]string{"ward.yaml": m + fmt.Sprintf("\n# v%d\n", i)})
			req["force"] = true
			st, body, _ := s.do("POST", "/api/v1/systems/"+id+"/versions", s.admin, req)
			if st != 201 {
				t.Fatalf("push: %d %.300s", st, body)
			}
		}
		round := func() (time.Duration, []int) {
			var wg sync.WaitGroup
			statuses := make([]int, 6)
			start := time.Now()
			for i := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i], _, _ = s.do("GET", "/api/v1/systems/"+id+"/diff", s.viewer, nil)
				}()
			}
			wg.Wait()
			return time.Since(start), statuses
		}
		first, st1 := round()
		second, st2 := round()
		for _, st := range append(st1, st2...) {
			if st != 200 {
				t.Errorf("diff: %d", st)
			}
		}
		if second > time.Second {
			t.Errorf("six cached diffs took %s", second)
		}
		return fmt.Sprintf("6 parallel: %s, 6 more (stored): %s", first.Round(time.Millisecond), second.Round(time.Millisecond))
	})
}

// TestServerPushFlood: 40 pushes at once from one token are rate-limited
// or queued, never a 5xx.
func TestServerPushFlood(t *testing.T) {
	serverCase(t, 60*time.Second, func(s *server) string {
		base := string(synth.Generate(100, 11))
		id := regexp.MustCompile(`(?m)^  id: (\S+)`).FindStringSubmatch(base)[1]
		var wg sync.WaitGroup
		var mu sync.Mutex
		count := map[int]int{}
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, _, _ := s.do("POST", "/api/v1/systems/"+id+"/versions", s.member, push(map[string]string{"ward.yaml": base + fmt.Sprintf("\n# %d\n", i)}))
				mu.Lock()
				count[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		for st := range count {
			if st != 201 && st != 429 && st != 409 {
				t.Errorf("push flood: %d × %d", count[st], st)
			}
		}
		if count[429] == 0 {
			t.Error("40 pushes at once and none refused")
		}
		return fmt.Sprintf("201×%d 409×%d 429×%d", count[201], count[409], count[429])
	})
}

// TestServerStreamFlood: one token cannot hold every event stream.
func TestServerStreamFlood(t *testing.T) {
	serverCase(t, 30*time.Second, func(s *server) string {
		sys := s.system(t, "streams")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		open := func(auth string) int {
			req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/systems/"+sys+"/events", nil)
			if strings.HasPrefix(auth, "Bearer ") {
				req.Header.Set("Authorization", auth)
			} else {
				req.AddCookie(&http.Cookie{Name: "__Host-ward_session", Value: auth})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0
			}
			if resp.StatusCode != 200 {
				resp.Body.Close()
			}
			return resp.StatusCode
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		count := map[int]int{}
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := open(s.member)
				mu.Lock()
				count[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if count[200] > 8 || count[200]+count[429] != 100 {
			t.Errorf("100 streams from one token: %v", count)
		}
		if st := open(s.admin); st != 200 {
			t.Errorf("the administrator's stream during the flood: %d", st)
		}
		return fmt.Sprintf("200×%d 429×%d; admin 200", count[200], count[429])
	})
}

// TestServerStaleTokenStreams: revoking a token, or disabling its
// creator, closes its open streams at once.
func TestServerStaleTokenStreams(t *testing.T) {
	serverCase(t, 20*time.Second, func(s *server) string {
		st, body, _ := s.do("POST", "/api/v1/users", s.admin, map[string]string{"email": "ann@example.com", "role": "member", "team": "t", "password": "ann's long password"})
		var u struct{ ID string }
		json.Unmarshal(body, &u)
		_, _, hdr := s.do("POST", "/api/v1/login", "", map[string]string{"email": "ann@example.com", "password": "ann's long password"})
		var sess string
		for _, c := range (&http.Response{Header: hdr}).Cookies() {
			sess = c.Value
		}
		_, body, _ = s.do("POST", "/api/v1/tokens", sess, map[string]string{"name": "ann", "team": "t"})
		var tok struct{ ID, Token string }
		json.Unmarshal(body, &tok)
		sys := struct{ System string }{s.system(t, "stale")}
		stream := func(auth string) *http.Response {
			req, _ := http.NewRequest("GET", s.url+"/api/v1/systems/"+sys.System+"/events", nil)
			if strings.HasPrefix(auth, "Bearer ") {
				req.Header.Set("Authorization", auth)
			} else {
				req.AddCookie(&http.Cookie{Name: "__Host-ward_session", Value: auth})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("stream: %v %v", err, resp)
			}
			resp.Body.Read(make([]byte, 64))
			return resp
		}
		closed := func(resp *http.Response) time.Duration {
			start := time.Now()
			done := make(chan struct{})
			go func() { io.Copy(io.Discard, resp.Body); close(done) }()
			select {
			case <-done:
				return time.Since(start)
			case <-time.After(5 * time.Second):
				resp.Body.Close()
				return 5 * time.Second
			}
		}
		a := stream("Bearer " + tok.Token)
		s.do("DELETE", "/api/v1/tokens/"+tok.ID, sess, nil)
		revoked := closed(a)
		b := stream(sess)
		s.do("PATCH", "/api/v1/users/"+u.ID, s.admin, map[string]any{"disabled": true})
		disabled := closed(b)
		if revoked > time.Second || disabled > time.Second {
			t.Errorf("streams closed %s after revocation, %s after disabling; want ≤ 1 s", revoked, disabled)
		}
		_ = st
		return fmt.Sprintf("closed %s after revoke, %s after disable", revoked.Round(time.Millisecond), disabled.Round(time.Millisecond))
	})
}

// TestServerThrottleBypass (after every case that signs in: it leaves
// the address throttled): signing in to one's own account between
// guesses does not reset the address's count.
func TestServerThrottleBypass(t *testing.T) {
	serverCase(t, 30*time.Second, func(s *server) string {
		s.do("POST", "/api/v1/users", s.admin, map[string]string{"email": "mallory@example.com", "role": "viewer", "password": "mallory's password"})
		for i := range 40 {
			st, _, _ := s.do("POST", "/api/v1/login", "", map[string]string{"email": fmt.Sprintf("v%d@example.com", i), "password": "guess guess guess"})
			if st == 429 {
				if i > 10 {
					t.Errorf("throttled after %d guesses, want ≤ 10", i)
				}
				return fmt.Sprintf("throttled after %d guesses", i)
			}
			s.do("POST", "/api/v1/login", "", map[string]string{"email": "mallory@example.com", "password": "mallory's password"})
		}
		t.Error("40 guesses, never throttled")
		return "never throttled"
	})
}

// TestServerHealthThroughout runs last (by name order it follows the
// others): /healthz kept answering during every case. The bounds are set
// against an orchestrator's liveness probe (a 1 s timeout by default), not
// against an idle machine: on two cores the attacker's work, the test's own
// client and the probe share the CPU, so a few probes wait for a core while a
// large model is analysed (seen: 20–120 ms for 1–2 probes in 120). What must
// hold is that typical probes stay fast, almost all stay under 100 ms, none
// fails and none comes near the probe timeout.
func TestServerZHealthThroughout(t *testing.T) {
	s := theServer(t)
	p50, p95, worst, n, failures := s.mon.quantiles()
	if p50 > 50*time.Millisecond || p95 > 100*time.Millisecond || worst > time.Second || failures > 0 {
		t.Errorf("/healthz: p50 %s, p95 %s, worst %s over %d probes, %d failed; want p50 ≤ 50 ms, p95 ≤ 100 ms, worst ≤ 1 s, none failed",
			p50, p95, worst, n, failures)
	}
	peak := s.mon.peakMB()
	if peak > 1024 {
		t.Errorf("server peak RSS %.0f MB", peak)
	}
	record(t, "/healthz p50 ≤ 50 ms, p95 ≤ 100 ms, worst ≤ 1 s, no failure; peak ≤ 1024 MB",
		fmt.Sprintf("p50 %s, p95 %s, worst %s, %d probes, %d failed; peak %.0f MB", p50.Round(time.Millisecond), p95.Round(time.Millisecond),
			worst.Round(time.Millisecond), n, failures, peak))
}
