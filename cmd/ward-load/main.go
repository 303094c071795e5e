// Command ward-load is Ward's load benchmark. It starts a Ward server
// in-process on the loopback interface (or targets one with -server), seeds
// teams, API tokens and systems, then runs N concurrent clients for a fixed
// time, each mixing reads (the findings list with filters, a system, a
// version with its analysis) and writes (pushes of new model versions and
// decisions on findings). It measures the latency of every request by kind
// (exact percentiles over all samples), the throughput and the failed
// requests, and afterwards checks that every acknowledged write is stored:
// the version exists with the acknowledged SHA-256 and each system's version
// numbers are gapless. A 429 answer is retried after its Retry-After as the
// CLI retries it (at most 3 times, 30 s in all); such requests count once,
// with their waits, and are reported as retried, not as failures. -content
// same pushes the seeded model unchanged, as CI does, instead of new
// content each time; -content varied a different model each time (the
// default's pushes differ by a comment only). After the run it prints
// where the server's pushes and edits spent their time (/metrics). -rate runs an open loop instead of the clients'
// closed one: requests arrive at random (or, with -arrivals fixed, evenly)
// at a given rate, whatever the latency, which measures the rate up to
// which the latency targets hold. It prints what Little's law says of the
// run (the closed loop's mean latency is clients ÷ throughput, and at least
// clients × CPU per request ÷ cores) and how long goroutines waited for a
// core.
//
// It exits 1 when the read p99 exceeds -max-read-p99, the write p99
// exceeds -max-write-p99 (when set), or when any write failed or was lost
// (or any read failed), so it can gate CI.
//
//	go run ./cmd/ward-load                                  # SQLite in a temporary directory
//	go run ./cmd/ward-load -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./cmd/ward-load -clients 20 -duration 3s         # a quick smoke run
//	go run ./cmd/ward-load -rate 300 -clients 1000 -systems 200  # open loop
//	go run ./cmd/ward-load -server http://127.0.0.1:8080 -setup-token ...
//
// See docs/server.md ("Load benchmark").
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/cpuclock"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

type config struct {
	db          string
	serverURL   string
	setupToken  string
	adminEmail  string
	adminPass   string
	clients     int
	duration    time.Duration
	readRatio   float64
	teams       int
	systems     int
	think       time.Duration
	maxReadP99  time.Duration
	maxFailures int
	timeout     time.Duration
	example     string
	content     string
	rate        float64
	arrivals    string
	maxWriteP99 time.Duration
	maxAnalyses int
	handOver    bool
	yieldWrites bool
	queueWait   time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.db, "db", "", "database of the in-process server: a SQLite file or a postgres:// URL (default: SQLite in a temporary directory)")
	flag.StringVar(&c.serverURL, "server", "", "`URL` of a running ward serve to target instead of starting one (loopback only)")
	flag.StringVar(&c.setupToken, "setup-token", "", "with -server: the one-time setup token of a fresh server, to create the administrator")
	flag.StringVar(&c.adminEmail, "admin-email", "", "with -server: an administrator's email (instead of -setup-token)")
	flag.StringVar(&c.adminPass, "admin-password", os.Getenv("WARD_LOAD_ADMIN_PASSWORD"), "with -server: the administrator's password (WARD_LOAD_ADMIN_PASSWORD)")
	flag.IntVar(&c.clients, "clients", 200, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long the clients run")
	flag.Float64Var(&c.readRatio, "read-ratio", 0.9, "share of requests that are reads (0..1)")
	flag.IntVar(&c.teams, "teams", 4, "teams to seed")
	flag.IntVar(&c.systems, "systems", 0, "systems to seed (default: one per client, so each system has one writer)")
	flag.DurationVar(&c.think, "think", 0, "mean pause between a client's requests (exponentially distributed; 0 = none, closed loop)")
	flag.Float64Var(&c.rate, "rate", 0, "open loop: requests a second in all, arriving at random (Poisson), whatever the answers' latency; -clients bounds those in flight, and a request's latency counts from its arrival, its wait for a free client included (0 = closed loop)")
	flag.StringVar(&c.arrivals, "arrivals", arrivalsPoisson, "with -rate: when requests arrive: "+arrivalsPoisson+" (at random, exponential gaps of mean 1/rate) or "+arrivalsFixed+" (one every 1/rate seconds)")
	flag.IntVar(&c.maxAnalyses, "max-analyses", 0, "the in-process server's --max-analyses (0: its default, the cores less one)")
	flag.BoolVar(&c.handOver, "handover", false, "the in-process server stores versions off the analysis slot on SQLite too (server.Config.HandOver)")
	flag.BoolVar(&c.yieldWrites, "yield-writes", false, "the in-process server's writes give up their core between their steps, so reads run first (server.Config.YieldWrites)")
	flag.DurationVar(&c.queueWait, "queue-wait", 0, "the in-process server's bound on a write's expected wait in the analysis queue, past which it answers 429 at once (server.Config.AnalysisQueueWait; 0: its default, half the request timeout); refused writes are retried after their Retry-After and count with their waits, and the report gives the writes answered at once apart")
	flag.DurationVar(&c.maxReadP99, "max-read-p99", 50*time.Millisecond, "fail when the p99 of reads exceeds this")
	flag.DurationVar(&c.maxWriteP99, "max-write-p99", 0, "fail when the p99 of writes (pushes and decisions) exceeds this (0: not checked)")
	flag.IntVar(&c.maxFailures, "max-failures", 0, "fail when more requests than this failed")
	flag.DurationVar(&c.timeout, "timeout", 70*time.Second, "timeout of one request (default: longer than the server's request timeout of 1 minute, so the server's bounds decide, as for the CLI, which sets none)")
	flag.StringVar(&c.example, "example", "shop", "embedded example model the systems are made from")
	flag.StringVar(&c.content, "content", contentUnique, "what a push sends: "+contentUnique+" (the model with a new comment, so every push is content the server has never seen and analyses), "+contentVaried+" (as "+contentUnique+", and the system's name changed too, so that each push is a different model, not only different bytes) or "+contentSame+" (the model as seeded, as CI pushes an unchanged model; the server merges the decisions made since, so such a push is usually unchanged)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server included when in-process) to `file`")
	blockprofile := flag.String("blockprofile", "", "write a profile of where goroutines waited (channels, locks, select; server included when in-process) to `file`")
	mutexprofile := flag.String("mutexprofile", "", "write a profile of contended mutexes (server included when in-process) to `file`")
	flag.Parse()
	if *blockprofile != "" {
		runtime.SetBlockProfileRate(int(100 * time.Microsecond)) // waits of 100 µs and more, sampled below
	}
	if *mutexprofile != "" {
		runtime.SetMutexProfileFraction(10)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ward-load:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, c, os.Stdout)
	pprof.StopCPUProfile()
	if *blockprofile != "" {
		writeProfile("block", *blockprofile)
	}
	if *mutexprofile != "" {
		writeProfile("mutex", *mutexprofile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ward-load:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// writeProfile writes the named runtime profile (block, mutex) to file.
func writeProfile(name, file string) {
	f, err := os.Create(file)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ward-load:", err)
	}
}

// run runs the benchmark and reports whether it met the thresholds.
func run(ctx context.Context, c config, out io.Writer) (bool, error) {
	if c.clients < 1 || c.duration <= 0 || c.readRatio < 0 || c.readRatio > 1 || c.teams < 1 {
		return false, errors.New("-clients, -duration and -teams must be positive and -read-ratio within 0..1")
	}
	if c.systems <= 0 {
		c.systems = c.clients
	}
	if c.rate < 0 || (c.rate > 0 && c.think > 0) {
		return false, errors.New("-rate must be positive, and -think is for the closed loop only")
	}
	if c.arrivals == "" {
		c.arrivals = arrivalsPoisson
	}
	if c.arrivals != arrivalsPoisson && c.arrivals != arrivalsFixed {
		return false, fmt.Errorf("-arrivals %q: want %s or %s", c.arrivals, arrivalsPoisson, arrivalsFixed)
	}
	if c.arrivals == arrivalsFixed && c.rate == 0 {
		return false, errors.New("-arrivals " + arrivalsFixed + " is for the open loop (-rate) only")
	}
	if c.maxWriteP99 < 0 {
		return false, errors.New("-max-write-p99 must not be negative")
	}
	if c.content != contentUnique && c.content != contentSame && c.content != contentVaried {
		return false, fmt.Errorf("-content %q: want %s, %s or %s", c.content, contentUnique, contentSame, contentVaried)
	}
	base, files, err := exampleBundle(c.example)
	if err != nil {
		return false, err
	}
	if _, ok := renamed(files["ward.yaml"], base, "x"); c.content == contentVaried && !ok {
		return false, fmt.Errorf("-content %s: example %s has no plain system name right after its system id to vary", contentVaried, c.example)
	}
	l := &loader{c: c, baseFiles: files, baseID: base, run: fmt.Sprintf("%x", rand.Uint32())}
	l.http = &http.Client{Timeout: c.timeout, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: c.clients * 2, MaxIdleConnsPerHost: c.clients * 2, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	dialect := "external"
	if c.serverURL == "" {
		stopServer, d, err := l.startInProcess(ctx)
		if err != nil {
			return false, err
		}
		defer stopServer()
		dialect = d
	} else {
		if err := loopbackOnly(c.serverURL); err != nil {
			return false, err
		}
		l.url = strings.TrimRight(c.serverURL, "/")
		if err := l.adminLogin(ctx); err != nil {
			return false, err
		}
	}
	seedStart := time.Now()
	if err := l.seed(ctx); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	who := fmt.Sprintf("%d clients", c.clients)
	if c.rate > 0 {
		who = fmt.Sprintf("open loop at %g requests/s, %s arrivals (at most %d in flight)", c.rate, c.arrivals, c.clients)
	}
	fmt.Fprintf(out, "ward-load: %s, %s for %s, %.0f%% reads, %d teams, %d systems (seeded in %s), pushes %s, GOMAXPROCS %d\n",
		dialect, who, c.duration, c.readRatio*100, c.teams, c.systems, time.Since(seedStart).Round(time.Millisecond), c.content, runtime.GOMAXPROCS(0))

	var res results
	before := l.metricsNow(ctx)
	cpu0, sched0 := cpuclock.Process(), schedHist()
	if c.rate > 0 {
		res = l.driveOpen(ctx)
	} else {
		res = l.drive(ctx)
	}
	res.cpu = cpuclock.Process() - cpu0
	res.sched50, res.sched99, res.schedN = schedQuantiles(sched0, schedHist())
	lost, verr := l.verify(ctx)
	ok := report(out, c, res, lost, verr)
	l.serverGauges(ctx, out, before)
	return ok, nil
}

// loopbackOnly refuses to aim the benchmark at anything but this machine.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-server: %w", err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-server %s: the benchmark only targets loopback addresses", raw)
}

// exampleBundle returns the files of an embedded example and its system id.
func exampleBundle(name string) (string, map[string]string, error) {
	entries, err := fs.ReadDir(examples.FS, name)
	if err != nil {
		return "", nil, fmt.Errorf("-example %s: %w", name, err)
	}
	files := map[string]string{}
	for _, e := range entries {
		data, err := fs.ReadFile(examples.FS, path.Join(name, e.Name()))
		if err != nil {
			return "", nil, err
		}
		files[e.Name()] = string(data)
	}
	main := files["ward.yaml"]
	i := strings.Index(main, "\nsystem:\n  id: ")
	if i < 0 {
		return "", nil, fmt.Errorf("example %s: no system id", name)
	}
	rest := main[i+len("\nsystem:\n  id: "):]
	return strings.TrimSpace(rest[:strings.IndexByte(rest, '\n')]), files, nil
}

type loader struct {
	c         config
	http      *http.Client
	url       string
	admin     string // session cookie value
	run       string
	baseID    string
	baseFiles map[string]string

	teams   []string
	tokens  []string // per team
	systems []*system
}

type system struct {
	id      string
	team    int
	finding string // a generated finding to decide on

	// writing is held by the open loop's write to the system, so that
	// each system has one writer at a time, as in the closed loop.
	writing sync.Mutex

	mu    sync.Mutex
	acked map[int]string // version number → sha256, acknowledged by the server
}

// startInProcess opens the store and serves it on 127.0.0.1.
func (l *loader) startInProcess(ctx context.Context) (func(), string, error) {
	dsn := l.c.db
	cleanup := func() {}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "ward-load-*")
		if err != nil {
			return nil, "", err
		}
		dsn = filepath.Join(dir, "ward.db")
		cleanup = func() { os.RemoveAll(dir) }
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		cleanup()
		return nil, "", err
	}
	var broker server.Broker
	var closeBroker func() error
	if st.Dialect() == sqlstore.Postgres {
		b, err := sqlstore.NewBroker(ctx, dsn, logger)
		if err != nil {
			st.Close()
			cleanup()
			return nil, "", err
		}
		broker, closeBroker = b, b.Close
	}
	// An administrator for this run, created directly in the store so a
	// database that already has accounts can be reused.
	l.c.adminEmail = "load-" + l.run + "@example.com"
	l.c.adminPass = "load-benchmark-" + l.run
	hash, err := server.HashPassword(l.c.adminPass)
	if err == nil {
		_, err = st.CreateUser(ctx, store.User{ID: "u-load-" + l.run, Email: l.c.adminEmail, Name: "ward-load", Role: store.RoleAdmin, PasswordHash: hash}, "ward-load")
	}
	if err != nil {
		st.Close()
		cleanup()
		return nil, "", err
	}
	srv := server.New(server.Config{Version: "ward-load", Events: broker, MaxAnalyses: l.c.maxAnalyses, HandOver: l.c.handOver, YieldWrites: l.c.yieldWrites, AnalysisQueueWait: l.c.queueWait,
		// A load test pushes far faster than one account may in production.
		AnalysesPerMinute: 1 << 30, AnalysesBurst: 1 << 30}, st, logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		cleanup()
		return nil, "", err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	l.url = "http://" + ln.Addr().String()
	if err := l.adminLogin(ctx); err != nil {
		hs.Close()
		st.Close()
		cleanup()
		return nil, "", err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		if closeBroker != nil {
			closeBroker()
		}
		st.Close()
		cleanup()
	}, string(st.Dialect()), nil
}

// adminLogin signs the administrator in (or creates it with the setup token).
func (l *loader) adminLogin(ctx context.Context) error {
	var resp *http.Response
	var err error
	var body []byte
	if l.c.setupToken != "" {
		l.c.adminEmail, l.c.adminPass = "load-admin@example.com", "load-benchmark-"+l.run
		resp, body, err = l.do(ctx, "POST", "/api/v1/setup", "", map[string]string{"token": l.c.setupToken, "email": l.c.adminEmail, "name": "ward-load", "password": l.c.adminPass})
	} else {
		if l.c.adminEmail == "" || l.c.adminPass == "" {
			return errors.New("with -server, give -setup-token or -admin-email and -admin-password")
		}
		resp, body, err = l.do(ctx, "POST", "/api/v1/login", "", map[string]string{"email": l.c.adminEmail, "password": l.c.adminPass})
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sign in: %d %s", resp.StatusCode, body)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == server.SessionCookie {
			l.admin = ck.Value
		}
	}
	if l.admin == "" {
		return errors.New("sign in: no session cookie")
	}
	return nil
}

// do sends one request; auth is a session cookie value or "Bearer …".
func (l *loader) do(ctx context.Context, method, p, auth string, body any) (*http.Response, []byte, error) {
	return l.send(ctx, method, p, auth, body, true)
}

// send is do; unless keep, the answer's body is read and dropped, not
// kept: a read's body is not looked at, and buffering hundreds of
// kilobytes per read would make the load generator's garbage collection
// a large part of what the run measures (it shares the process and the
// cores with the server).
func (l *loader) send(ctx context.Context, method, p, auth string, body any, keep bool) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.url+p, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		req.Header.Set("Authorization", auth)
	case auth != "":
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := l.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if !keep {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp, nil, err
	}
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

func (l *loader) mustJSON(ctx context.Context, method, p, auth string, body any, want int, out any) error {
	resp, data, err := l.do(ctx, method, p, auth, body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, p, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// files returns the example's files for system id with a distinct marker,
// so that every push is a new version.
func (l *loader) files(id, marker string) map[string]string {
	out := make(map[string]string, len(l.baseFiles))
	for n, f := range l.baseFiles {
		out[n] = f
	}
	out["ward.yaml"] = strings.Replace(out["ward.yaml"], "\nsystem:\n  id: "+l.baseID+"\n", "\nsystem:\n  id: "+id+"\n", 1) +
		"# ward-load " + marker + "\n"
	return out
}

// What a push sends (-content).
const (
	contentUnique = "unique"
	contentSame   = "same"
	contentVaried = "varied"
)

// When the open loop's requests arrive (-arrivals).
const (
	arrivalsPoisson = "poisson"
	arrivalsFixed   = "fixed"
)

// pushFiles returns the files of the n-th push to s.
func (l *loader) pushFiles(s *system, n int64) map[string]string {
	if l.c.content == contentSame {
		return l.files(s.id, "seed") // byte for byte the seeded model
	}
	marker := fmt.Sprintf("%s-%d", l.run, n)
	out := l.files(s.id, marker)
	if l.c.content == contentVaried {
		out["ward.yaml"], _ = renamed(out["ward.yaml"], s.id, marker)
	}
	return out
}

// renamed returns the model file with marker added to the system's name
// (the plain scalar on the line after "system:\n  id: ID"): a different
// model, not only different bytes — the name is in the model, the stored
// analysis and the systems list — so no reuse keyed by what the model
// says, rather than its bytes, could skip the push's analysis (-content
// varied). ok is false when the file has no such line.
func renamed(file, id, marker string) (string, bool) {
	head := "\nsystem:\n  id: " + id + "\n  name: "
	i := strings.Index(file, head)
	if i < 0 {
		return file, false
	}
	j := i + len(head)
	end := strings.IndexByte(file[j:], '\n')
	if end <= 0 || strings.ContainsAny(file[j:j+end], "\"'#:{}[]&*!|>%@`") {
		return file, false
	}
	return file[:j+end] + " " + marker + file[j+end:], true
}

type pushResult struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Created bool   `json:"created"`
}

// seed creates the teams, one member token per team and the systems, in
// parallel.
func (l *loader) seed(ctx context.Context) error {
	for i := range l.c.teams {
		id := fmt.Sprintf("load-%s-t%d", l.run, i)
		if err := l.mustJSON(ctx, "POST", "/api/v1/teams", l.admin, map[string]string{"id": id, "name": "Load " + id}, http.StatusCreated, nil); err != nil {
			return err
		}
		var tok struct {
			Token string `json:"token"`
		}
		if err := l.mustJSON(ctx, "POST", "/api/v1/tokens", l.admin, map[string]string{"name": "ward-load", "team": id}, http.StatusCreated, &tok); err != nil {
			return err
		}
		l.teams = append(l.teams, id)
		l.tokens = append(l.tokens, "Bearer "+tok.Token)
	}
	l.systems = make([]*system, l.c.systems)
	errs := make(chan error, l.c.systems)
	sem := make(chan struct{}, 8)
	for i := range l.systems {
		s := &system{id: fmt.Sprintf("load-%s-s%d", l.run, i), team: i % l.c.teams, acked: map[int]string{}}
		l.systems[i] = s
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var pr pushResult
			var err error
			for attempt := 0; ; attempt++ {
				err = l.mustJSON(ctx, "POST", "/api/v1/systems/"+s.id+"/versions", l.tokens[s.team],
					map[string]any{"team": l.teams[s.team], "message": "seed", "main": "ward.yaml", "files": l.files(s.id, "seed")}, http.StatusCreated, &pr)
				// A short -queue-wait refuses seeding pushes too: they
				// wait and try again.
				if err == nil || !strings.Contains(err.Error(), ": 429 ") || attempt == 20 {
					break
				}
				time.Sleep(time.Second)
			}
			if err == nil {
				s.acked[pr.Version] = pr.SHA256
				var fl struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
				}
				err = l.mustJSON(ctx, "GET", "/api/v1/findings?limit=100&status=open&system="+s.id, l.tokens[s.team], nil, http.StatusOK, &fl)
				for _, f := range fl.Items {
					if strings.Contains(f.ID, ":") {
						s.finding = f.ID
						break
					}
				}
			}
			errs <- err
		}()
	}
	for range l.systems {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}
