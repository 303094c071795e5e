package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the PostgreSQL schema

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

const secret = "whsec_test_secret"

// receiver is a local webhook receiver that verifies signatures and
// answers with the codes queued in fail before 200.
type receiver struct {
	*httptest.Server
	mu         sync.Mutex
	now        func() time.Time
	fail       []int
	got        []notify.Event
	deliveries map[string]int
	bad        int
}

func newReceiver(t *testing.T, now func() time.Time, fail ...int) *receiver {
	r := &receiver{now: now, fail: fail, deliveries: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := notify.Verify(secret, req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature), body, r.now(), 5*time.Minute); err != nil {
			r.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if len(r.fail) > 0 {
			code := r.fail[0]
			r.fail = r.fail[1:]
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "300")
			}
			http.Error(w, "try later", code)
			return
		}
		var msg struct {
			Text string       `json:"text"`
			Ward notify.Event `json:"ward"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.Text == "" {
			http.Error(w, "not a Slack message", http.StatusBadRequest)
			return
		}
		r.got = append(r.got, msg.Ward)
		r.deliveries[req.Header.Get(notify.HeaderDelivery)]++
	}))
	t.Cleanup(r.Close)
	return r
}

// newClock starts an injected clock a minute ahead of real time, on a
// whole second. The store stamps enqueued deliveries with real time, so a
// clock started only just ahead (it was now + 1 s truncated to the second:
// sometimes microseconds ahead) could fall behind a delivery enqueued a few
// milliseconds later on a loaded machine, and the worker found nothing due.
func newClock() *clock { return &clock{t: time.Now().Add(time.Minute).Truncate(time.Second)} }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openStore(t testing.TB, path string) *sqlstore.DB {
	st, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func setupHook(t *testing.T, st store.Store, url string) {
	ctx := t.Context()
	if _, err := st.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "test"); err != nil {
		t.Fatal(err)
	}
	sealer, _ := notify.NewSealer("a-long-enough-notification-key")
	if _, err := st.CreateWebhook(ctx, store.Webhook{ID: "wh-1", TeamID: "pay", Name: "test", URL: url, Secret: sealer.Seal(secret), Enabled: true}, "test"); err != nil {
		t.Fatal(err)
	}
}

func enqueue(t *testing.T, st store.Store, n int) {
	var ds []store.Delivery
	for i := range n {
		ev := notify.Event{Key: fmt.Sprintf("review.requested:rv-%d", i), Kind: notify.ReviewRequested, Team: "pay", Title: fmt.Sprintf("Review %d requested", i)}
		p, _ := json.Marshal(ev)
		ds = append(ds, store.Delivery{Key: ev.Key + ":webhook:wh-1", Channel: store.ChannelWebhook, Target: "wh-1", TeamID: "pay", Kind: string(ev.Kind), Payload: p})
	}
	if _, err := st.EnqueueDeliveries(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
}

func worker(st notify.Outbox, c *clock) *notify.Worker {
	sealer, _ := notify.NewSealer("a-long-enough-notification-key")
	return &notify.Worker{Store: st, Client: notify.Policy{AllowPrivate: true}.Client(5 * time.Second), Sealer: sealer, Now: c.Now,
		Backoff: notify.Backoff{Base: 30 * time.Second, Max: 4 * time.Minute, Attempts: 6}, Timeout: 5 * time.Second}
}

// TestRetryWithBackoff: the receiver fails twice (503, then 429 with
// Retry-After), then accepts; the worker retries at 30s, then at the
// Retry-After (300s, capped at 4m), on an injected clock; the signature
// verifies every time and the delivery arrives once.
func TestRetryWithBackoff(t *testing.T) {
	c := newClock()
	rcv := newReceiver(t, c.Now, 503, 429)
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"))
	setupHook(t, st, rcv.URL)
	enqueue(t, st, 1)
	w := worker(st, c)
	ctx := t.Context()
	step := func(advance time.Duration, wantClaimed int) store.Delivery {
		t.Helper()
		c.Add(advance)
		n, err := w.RunOnce(ctx)
		if err != nil || n != wantClaimed {
			t.Fatalf("after %s: claimed %d (%v), want %d", advance, n, err, wantClaimed)
		}
		ds, _, _ := st.ListDeliveries(ctx, store.DeliveryQuery{})
		return ds[0]
	}
	d := step(0, 1)
	if d.State != store.DeliveryPending || d.Attempts != 1 || !d.NextAttemptAt.Equal(c.Now().Add(30*time.Second)) || !strings.Contains(d.LastError, "HTTP 503") {
		t.Fatalf("after a 503: %+v", d)
	}
	step(29*time.Second, 0) // not due yet
	d = step(time.Second, 1)
	if d.Attempts != 2 || !d.NextAttemptAt.Equal(c.Now().Add(4*time.Minute)) || !strings.Contains(d.LastError, "HTTP 429") {
		t.Fatalf("after a 429 with Retry-After 300 (cap 4m): %+v", d)
	}
	d = step(4*time.Minute, 1)
	if d.State != store.DeliveryDone || d.Attempts != 3 || d.DeliveredAt.IsZero() {
		t.Fatalf("after success: %+v", d)
	}
	step(time.Hour, 0)
	if len(rcv.got) != 1 || rcv.bad != 0 || rcv.got[0].Title != "Review 0 requested" {
		t.Errorf("received %+v, %d bad signatures", rcv.got, rcv.bad)
	}
}

func TestGiveUp(t *testing.T) {
	c := newClock()
	rcv := newReceiver(t, c.Now, 500, 500, 500, 500, 500, 500, 500)
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"))
	setupHook(t, st, rcv.URL)
	enqueue(t, st, 1)
	w := worker(st, c)
	var delays []time.Duration
	for range 6 {
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		ds, _, _ := st.ListDeliveries(t.Context(), store.DeliveryQuery{})
		if ds[0].State == store.DeliveryPending {
			delays = append(delays, ds[0].NextAttemptAt.Sub(c.Now()))
		}
		c.Add(time.Hour)
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute}
	if fmt.Sprint(delays) != fmt.Sprint(want) {
		t.Errorf("back-off delays %v, want %v", delays, want)
	}
	ds, _, _ := st.ListDeliveries(t.Context(), store.DeliveryQuery{})
	if ds[0].State != store.DeliveryDead || ds[0].Attempts != 6 || !strings.HasPrefix(ds[0].LastError, "gave up after 6 attempts") {
		t.Errorf("after 6 failures: %+v", ds[0])
	}
}

// TestPermanentFailure: a 4xx answer is not retried; nor is a webhook
// deleted before its delivery.
func TestPermanentFailure(t *testing.T) {
	c := newClock()
	rcv := newReceiver(t, c.Now, 404)
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"))
	setupHook(t, st, rcv.URL)
	enqueue(t, st, 1)
	w := worker(st, c)
	w.RunOnce(t.Context())
	ds, _, _ := st.ListDeliveries(t.Context(), store.DeliveryQuery{})
	if ds[0].State != store.DeliveryDead || !strings.Contains(ds[0].LastError, "HTTP 404") {
		t.Errorf("after a 404: %+v", ds[0])
	}
}

// TestRefusesPrivateByDefault: the default policy refuses a loopback
// receiver at connection time, without leaking the URL's path.
func TestRefusesPrivateByDefault(t *testing.T) {
	c := newClock()
	rcv := newReceiver(t, c.Now)
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"))
	setupHook(t, st, rcv.URL+"/services/T000/B000/XXXXSECRET")
	enqueue(t, st, 1)
	w := worker(st, c)
	w.Client = notify.Policy{}.Client(5 * time.Second)
	w.RunOnce(t.Context())
	ds, _, _ := st.ListDeliveries(t.Context(), store.DeliveryQuery{})
	if len(rcv.got) != 0 || !strings.Contains(ds[0].LastError, "private or loopback") || strings.Contains(ds[0].LastError, "XXXXSECRET") {
		t.Errorf("loopback receiver under the default policy: got %d, error %q", len(rcv.got), ds[0].LastError)
	}
}

// TestTwoWorkersNoDuplicates runs two workers on two handles of one
// database (two ward serve processes) over 60 deliveries, on SQLite and,
// when WARD_TEST_POSTGRES is set, PostgreSQL: each arrives exactly once.
func TestTwoWorkersNoDuplicates(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { twoWorkers(t, filepath.Join(t.TempDir(), "ward.db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("WARD_TEST_POSTGRES")
		if base == "" {
			t.Skip("WARD_TEST_POSTGRES is not set")
		}
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		schema := fmt.Sprintf("ward_notify_test_%d", os.Getpid())
		if _, err := db.ExecContext(t.Context(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
			t.Fatal(err)
		}
		defer db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		twoWorkers(t, base+sep+"search_path="+schema)
	})
}

func twoWorkers(t *testing.T, dsn string) {
	c := newClock()
	rcv := newReceiver(t, time.Now)
	a, b := openStore(t, dsn), openStore(t, dsn)
	setupHook(t, a, rcv.URL)
	enqueue(t, a, 60)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var claims [2]atomic.Int64
	for i, st := range []*sqlstore.DB{a, b} {
		w := worker(st, c)
		w.Now = time.Now
		w.Poll = 10 * time.Millisecond
		w.Concurrency = 3
		wg.Go(func() {
			for ctx.Err() == nil {
				n, err := w.RunOnce(ctx)
				if err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
				claims[i].Add(int64(n))
				if n == 0 {
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		rcv.mu.Lock()
		n := len(rcv.got)
		rcv.mu.Unlock()
		if n >= 60 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a duplicate would arrive now
	cancel()
	wg.Wait()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.got) != 60 || len(rcv.deliveries) != 60 {
		t.Fatalf("received %d requests for %d deliveries, want 60 and 60", len(rcv.got), len(rcv.deliveries))
	}
	for id, n := range rcv.deliveries {
		if n != 1 {
			t.Errorf("delivery %s arrived %d times", id, n)
		}
	}
	t.Logf("claims: worker A %d, worker B %d", claims[0].Load(), claims[1].Load())
}

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"text":"hi"}`)
	sig := notify.Sign(secret, now, body)
	if sig != "v1="+hmacHex(secret, "1800000000."+string(body)) {
		t.Fatalf("signature %s", sig)
	}
	if err := notify.Verify(secret, "1800000000", sig, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Error(err)
	}
	for name, tc := range map[string]struct {
		secret, ts, sig string
		body            string
		now             time.Time
	}{
		"tampered body":   {secret, "1800000000", sig, `{"text":"ho"}`, now},
		"wrong secret":    {"other", "1800000000", sig, string(body), now},
		"old timestamp":   {secret, "1800000000", sig, string(body), now.Add(6 * time.Minute)},
		"moved timestamp": {secret, "1800000001", sig, string(body), now},
		"bad timestamp":   {secret, "soon", sig, string(body), now},
	} {
		if err := notify.Verify(tc.secret, tc.ts, tc.sig, []byte(tc.body), tc.now, 5*time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		addr         string
		def, private bool // allowed by default, with AllowPrivate
	}{
		{"93.184.216.34", true, true},
		{"2606:2800:220:1::1", true, true},
		{"10.1.2.3", false, true},
		{"192.168.1.10", false, true},
		{"172.16.0.1", false, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"fd12::1", false, true},
		{"100.64.1.1", false, true},
		{"169.254.169.254", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
	} {
		ip := netip.MustParseAddr(tc.addr)
		if got := (notify.Policy{}).CheckAddr(ip) == nil; got != tc.def {
			t.Errorf("%s by default: allowed=%v, want %v", tc.addr, got, tc.def)
		}
		if got := (notify.Policy{AllowPrivate: true}).CheckAddr(ip) == nil; got != tc.private {
			t.Errorf("%s with private allowed: allowed=%v, want %v", tc.addr, got, tc.private)
		}
	}
	for raw, ok := range map[string]bool{
		"https://hooks.slack.com/services/T/B/X": true,
		"http://receiver.example.com/hook":       true,
		"ftp://example.com/":                     false,
		"https://user:pw@example.com/":           false,
		"https://169.254.169.254/latest":         false,
		"https://localhost:8080/":                false,
		"https://[::1]/":                         false,
		"https:///nohost":                        false,
	} {
		if got := (notify.Policy{}).CheckURL(raw) == nil; got != ok {
			t.Errorf("CheckURL(%s) = %v, want %v", raw, got, ok)
		}
	}
}

func TestSealer(t *testing.T) {
	s, err := notify.NewSealer("a-long-enough-notification-key")
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal("whsec_abc")
	if strings.Contains(sealed, "whsec_abc") || !strings.HasPrefix(sealed, "v1:") {
		t.Fatalf("sealed form %q", sealed)
	}
	if got, err := s.Open(sealed); err != nil || got != "whsec_abc" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := notify.NewSealer("another-long-enough-key")
	if _, err := other.Open(sealed); err == nil {
		t.Error("opened with another key")
	}
	if _, err := (&notify.Sealer{}).Open(sealed); err == nil {
		t.Error("opened without a key")
	}
	if _, err := notify.NewSealer("short"); err == nil {
		t.Error("a short key was accepted")
	}
}

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func FuzzVerify(f *testing.F) {
	f.Add("1800000000", "v1=00", []byte(`{}`))
	f.Add("-1", "v1=abc,v1=def", []byte(""))
	f.Add("99999999999999999999", "", []byte("x"))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		if notify.Verify(secret, ts, sig, body, now, 5*time.Minute) != nil {
			return
		}
		// Verified: the signature must be the body's at that timestamp.
		sec, _ := strconv.ParseInt(ts, 10, 64)
		if !strings.Contains(sig, notify.Sign(secret, time.Unix(sec, 0), body)) {
			t.Fatalf("verified a wrong signature %q", sig)
		}
	})
}

// TestGracefulShutdown: cancelling Run stops claiming but lets the
// delivery in flight finish and records it.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
	}))
	defer rcv.Close()
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"))
	setupHook(t, st, rcv.URL)
	enqueue(t, st, 2)
	w := worker(st, &clock{t: time.Now()})
	w.Now, w.Poll, w.Concurrency = time.Now, 10*time.Millisecond, 1
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a delivery in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the delivery in flight finished")
	}
	ds, _, _ := st.ListDeliveries(t.Context(), store.DeliveryQuery{})
	states := map[string]int{}
	for _, d := range ds {
		states[d.State]++
	}
	if states[store.DeliveryDone] != 1 || states[store.DeliveryPending] != 1 {
		t.Errorf("after shutdown: %v, want one done (in flight) and one pending (never claimed)", states)
	}
}

// FuzzCheckURL: a URL the default policy accepts never names a refused
// address literally, and checking never panics.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hooks.slack.com/services/T/B/X", "http://10.0.0.1/", "https://[::ffff:169.254.169.254]/",
		"https://169.254.169.254.nip.io/", "http://0x7f000001/", "https://user@example.com/", "https://LOCALHOST./x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if (notify.Policy{}).CheckURL(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
			t.Fatalf("accepted %q", raw)
		}
		host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if ip, err := netip.ParseAddr(host); err == nil && (notify.Policy{}).CheckAddr(ip) != nil || host == "localhost" {
			t.Fatalf("accepted a refused address in %q", raw)
		}
	})
}

// TestClientRefusesByName: a name that resolves to a refused address is
// refused when connecting (the check is after DNS), and a redirect is
// not followed.
func TestClientRefusesByName(t *testing.T) {
	hit := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit++ }))
	defer target.Close()
	port := target.URL[strings.LastIndex(target.URL, ":")+1:]
	err := notify.PostWebhook(t.Context(), notify.Policy{}.Client(2*time.Second), "http://localhost:"+port+"/x", secret, "1", notify.Test, []byte(`{}`), time.Now())
	if err == nil || !strings.Contains(err.Error(), "private or loopback") || hit != 0 {
		t.Errorf("localhost by name under the default policy: %v (hits %d)", err, hit)
	}
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusFound)
	}))
	defer redirect.Close()
	err = notify.PostWebhook(t.Context(), notify.Policy{AllowPrivate: true}.Client(2*time.Second), redirect.URL, secret, "1", notify.Test, []byte(`{}`), time.Now())
	var se *notify.SendError
	if !errors.As(err, &se) || !se.Permanent || !strings.Contains(err.Error(), "HTTP 302") || hit != 0 {
		t.Errorf("redirect: %v (hits %d): want a permanent failure, not followed", err, hit)
	}
}
