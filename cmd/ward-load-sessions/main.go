// Command ward-load-sessions is the load benchmark of live
// threat-modeling sessions. It starts one or two Ward servers in-process
// on the loopback interface (two replicas share one PostgreSQL database,
// with events carried between them by LISTEN/NOTIFY), opens N sessions of
// M participants each (API tokens of one team), connects every
// participant's event stream (one per participant, spread over the
// replicas), and has every participant act once per interval: add a card,
// or edit their last one. Each card's text carries a marker; every stream
// that receives it records how long after the request was sent it
// arrived. It reports the delivery latency (exact percentiles), the
// request latency, and how many deliveries were lost: every participant of
// a session must receive every one of its cards.
//
// It exits 1 when the delivery p99 exceeds -max-p99 or anything is lost.
//
//	go run ./cmd/ward-load-sessions                                   # SQLite, 10 sessions × 20, 60 s
//	go run ./cmd/ward-load-sessions -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -replicas 2
//	go run ./cmd/ward-load-sessions -sessions 2 -participants 5 -duration 10s
//
// See docs/sessions.md ("Load").
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

type config struct {
	db           string
	replicas     int
	sessions     int
	participants int
	interval     time.Duration
	duration     time.Duration
	drain        time.Duration
	maxP99       time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.db, "db", "", "a SQLite file or a postgres:// URL (default: SQLite in a temporary directory); PostgreSQL runs in a fresh schema ward_load_sessions")
	flag.IntVar(&c.replicas, "replicas", 1, "server replicas (2 needs PostgreSQL)")
	flag.IntVar(&c.sessions, "sessions", 10, "concurrent sessions")
	flag.IntVar(&c.participants, "participants", 20, "participants per session")
	flag.DurationVar(&c.interval, "interval", 5*time.Second, "each participant acts once per interval")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the participants act")
	flag.DurationVar(&c.drain, "drain", 5*time.Second, "how long to wait for the last deliveries")
	flag.DurationVar(&c.maxP99, "max-p99", 200*time.Millisecond, "fail when the delivery p99 exceeds this")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run (the servers included) to `file`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ward-load-sessions:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, c, os.Stdout)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ward-load-sessions:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

type bench struct {
	c      config
	urls   []string
	client *http.Client

	mu      sync.Mutex
	sent    map[string]time.Time // marker → when its request was sent
	deliver []time.Duration
	got     map[string]int // marker → deliveries
	reqs    []time.Duration
	failed  atomic.Int64
}

func run(ctx context.Context, c config, out io.Writer) (bool, error) {
	if c.sessions < 1 || c.participants < 2 || c.replicas < 1 || c.replicas > 2 || c.interval <= 0 || c.duration <= 0 {
		return false, errors.New("-sessions ≥ 1, -participants ≥ 2, -replicas 1 or 2, positive -interval and -duration")
	}
	pg := strings.HasPrefix(c.db, "postgres://") || strings.HasPrefix(c.db, "postgresql://")
	if c.replicas == 2 && !pg {
		return false, errors.New("two replicas share a PostgreSQL database: give -db postgres://...")
	}
	dsn := c.db
	if dsn == "" {
		dir, err := os.MkdirTemp("", "ward-load-sessions-*")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "ward.db")
	}
	if pg {
		var err error
		if dsn, err = freshSchema(ctx, dsn); err != nil {
			return false, err
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b := &bench{c: c, sent: map[string]time.Time{}, got: map[string]int{}}
	const token = "load-setup-token"
	for i := range c.replicas {
		st, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			return false, err
		}
		defer st.Close()
		cfg := server.Config{SetupToken: token, Version: "load", MaxEventStreams: 10000}
		if pg {
			br, err := sqlstore.NewBroker(ctx, dsn, logger)
			if err != nil {
				return false, err
			}
			defer br.Close()
			cfg.Events = br
		}
		srv := httptest.NewServer(server.New(cfg, st, logger))
		defer srv.Close()
		b.urls = append(b.urls, srv.URL)
		_ = i
	}
	b.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 2000, MaxIdleConnsPerHost: 1000, IdleConnTimeout: time.Minute}}

	// Seed: the administrator, a team, the shop example, a member token
	// per participant, the sessions, everyone joined, brainstorm.
	admin, err := b.setup(ctx, token)
	if err != nil {
		return false, err
	}
	n := c.sessions * c.participants
	tokens := make([]string, n)
	for i := range tokens {
		var o struct{ Token string }
		if err := b.call(ctx, 0, "POST", "/api/v1/tokens", "cookie:"+admin, map[string]any{"name": fmt.Sprintf("p%d", i), "team": "load"}, &o); err != nil {
			return false, err
		}
		tokens[i] = o.Token
	}
	type participant struct {
		sess, idx, replica int
		token, session     string
		card, text         string
		version            int
	}
	var ps []*participant
	sessions := make([]string, c.sessions)
	for s := range c.sessions {
		fac := tokens[s*c.participants]
		var o struct{ ID string }
		if err := b.call(ctx, 0, "POST", "/api/v1/systems/larkspur-shop/sessions", fac, map[string]any{"title": fmt.Sprintf("load %d", s), "minutes": 600,
			"settings": map[string]any{"budget": 5, "max_per_card": 3, "majority": 50}}, &o); err != nil {
			return false, err
		}
		sessions[s] = o.ID
		for j := range c.participants {
			p := &participant{sess: s, idx: j, replica: (s + j) % c.replicas, token: tokens[s*c.participants+j], session: o.ID}
			if j > 0 {
				if err := b.call(ctx, p.replica, "POST", "/api/v1/sessions/"+o.ID+"/actions", p.token, map[string]any{"type": "join"}, nil); err != nil {
					return false, err
				}
			}
			ps = append(ps, p)
		}
		if err := b.call(ctx, 0, "POST", "/api/v1/sessions/"+o.ID+"/actions", fac, map[string]any{"type": "phase", "phase": "brainstorm"}, nil); err != nil {
			return false, err
		}
	}
	fmt.Fprintf(out, "ward-load-sessions: %d sessions × %d participants on %d replica(s) (%s), one action per participant every %s for %s\n",
		c.sessions, c.participants, c.replicas, map[bool]string{true: "PostgreSQL", false: "SQLite"}[pg], c.interval, c.duration)

	// Streams: one per participant.
	sctx, cancelStreams := context.WithCancel(ctx)
	defer cancelStreams()
	var streams sync.WaitGroup
	ready := make(chan error, len(ps))
	for _, p := range ps {
		streams.Go(func() { b.stream(sctx, b.urls[p.replica]+"/s/"+p.session+"/stream", p.token, ready) })
	}
	for range ps {
		if err := <-ready; err != nil {
			return false, err
		}
	}

	// Actions.
	actx, cancelActs := context.WithTimeout(ctx, c.duration)
	defer cancelActs()
	var acts sync.WaitGroup
	var seq atomic.Int64
	for _, p := range ps {
		acts.Go(func() {
			t := time.NewTimer(time.Duration(rand.Int64N(int64(c.interval))))
			defer t.Stop()
			for k := 0; ; k++ {
				select {
				case <-actx.Done():
					return
				case <-t.C:
				}
				t.Reset(c.interval)
				marker := fmt.Sprintf("M%dx%dx%d", p.sess, p.idx, seq.Add(1))
				text := "load card " + marker + ": what could go wrong here"
				body := map[string]any{"type": "card.add", "request_id": marker, "card": map[string]any{"target": "auth-service", "text": text, "stride": []string{"S"}}}
				if p.card != "" && k%3 == 2 && len(p.text) < 1800 {
					// An edit keeps the markers already there, so that a
					// stream shown the card's latest text has them all.
					text = p.text + " " + marker
					body = map[string]any{"type": "card.edit", "request_id": marker, "card": map[string]any{"id": p.card, "version": p.version, "target": "auth-service", "text": text}}
				}
				b.mu.Lock()
				b.sent[marker] = time.Now()
				b.mu.Unlock()
				var v struct {
					Card *struct {
						ID, Text string
						Version  int
					}
				}
				start := time.Now()
				err := b.call(actx, p.replica, "POST", "/api/v1/sessions/"+p.session+"/actions?view=brief", p.token, body, &v)
				took := time.Since(start)
				if err != nil {
					if actx.Err() == nil {
						b.failed.Add(1)
						fmt.Fprintln(os.Stderr, "action:", err)
					}
					b.mu.Lock()
					delete(b.sent, marker)
					b.mu.Unlock()
					continue
				}
				b.mu.Lock()
				b.reqs = append(b.reqs, took)
				b.mu.Unlock()
				if cd := v.Card; cd != nil && strings.Contains(cd.Text, marker) {
					p.card, p.version, p.text = cd.ID, cd.Version, cd.Text
				}
			}
		})
	}
	acts.Wait()
	time.Sleep(c.drain)
	cancelStreams()
	streams.Wait()

	b.mu.Lock()
	defer b.mu.Unlock()
	expected, lost := 0, 0
	for m := range b.sent {
		expected += c.participants
		if g := b.got[m]; g < c.participants {
			lost += c.participants - g
			if os.Getenv("WARD_LOAD_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "lost: %s delivered %d times\n", m, g)
			}
		}
	}
	slices.Sort(b.deliver)
	slices.Sort(b.reqs)
	fmt.Fprintf(out, "actions %d (failed %d), %.1f/s; deliveries %d of %d expected, lost %d\n", len(b.sent), b.failed.Load(),
		float64(len(b.sent))/c.duration.Seconds(), len(b.deliver), expected, lost)
	fmt.Fprintf(out, "delivery latency: p50 %s  p95 %s  p99 %s  max %s\n", pct(b.deliver, 50), pct(b.deliver, 95), pct(b.deliver, 99), pct(b.deliver, 100))
	fmt.Fprintf(out, "request latency:  p50 %s  p95 %s  p99 %s  max %s\n", pct(b.reqs, 50), pct(b.reqs, 95), pct(b.reqs, 99), pct(b.reqs, 100))
	ok := lost == 0 && b.failed.Load() == 0 && pct(b.deliver, 99) <= c.maxP99
	if !ok {
		fmt.Fprintf(out, "FAIL: want nothing lost or failed and delivery p99 ≤ %s\n", c.maxP99)
	}
	return ok, nil
}

func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	i := (len(xs)*p + 99) / 100
	return xs[min(max(i-1, 0), len(xs)-1)].Round(100 * time.Microsecond)
}

var markerRE = regexp.MustCompile(`M\d+x\d+x\d+`)

// stream reads one participant's event stream and records when each
// card's marker arrives (once per stream and marker).
func (b *bench) stream(ctx context.Context, u, token string, ready chan<- error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	cl := &http.Client{Transport: b.client.Transport}
	resp, err := cl.Do(req)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("stream %s: %s", u, resp.Status)
	}
	ready <- err
	if err != nil {
		return
	}
	defer resp.Body.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("data: ")) {
			continue
		}
		for _, m := range markerRE.FindAll(line, -1) {
			k := string(m)
			if seen[k] {
				continue
			}
			now := time.Now()
			b.mu.Lock()
			if t, ok := b.sent[k]; ok {
				seen[k] = true
				b.got[k]++
				b.deliver = append(b.deliver, now.Sub(t))
			}
			b.mu.Unlock()
		}
	}
}

func (b *bench) setup(ctx context.Context, token string) (string, error) {
	body, _ := json.Marshal(map[string]string{"token": token, "email": "load@example.com", "password": "load password 123"})
	req, _ := http.NewRequestWithContext(ctx, "POST", b.urls[0]+"/api/v1/setup", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	var admin string
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			admin = c.Value
		}
	}
	if admin == "" {
		return "", fmt.Errorf("setup: %s", resp.Status)
	}
	if err := b.call(ctx, 0, "POST", "/api/v1/teams", "cookie:"+admin, map[string]any{"id": "load"}, nil); err != nil {
		return "", err
	}
	files := map[string]string{}
	entries, err := fs.ReadDir(examples.FS, "shop")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(examples.FS, path.Join("shop", e.Name()))
		if err != nil {
			return "", err
		}
		files[e.Name()] = string(data)
	}
	return admin, b.call(ctx, 0, "POST", "/api/v1/systems/larkspur-shop/versions", "cookie:"+admin, map[string]any{"team": "load", "main": "ward.yaml", "files": files}, nil)
}

// call sends a JSON request to a replica as a token or "cookie:<session>".
func (b *bench) call(ctx context.Context, replica int, method, p, auth string, body, out any) error {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, method, b.urls[replica]+p, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if c, ok := strings.CutPrefix(auth, "cookie:"); ok {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: c})
	} else {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s %.300s", method, p, resp.Status, rb)
	}
	if out != nil {
		return json.Unmarshal(rb, out)
	}
	return nil
}

// freshSchema empties the schema ward_load_sessions and returns a DSN that
// uses it.
func freshSchema(ctx context.Context, dsn string) (string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS ward_load_sessions CASCADE; CREATE SCHEMA ward_load_sessions`); err != nil {
		return "", fmt.Errorf("PostgreSQL: %w", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", "ward_load_sessions")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
