package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardtm/ward/internal/rule"
)

// Bounds on the server's work (issue 10): a pool that runs at most
// Config.MaxAnalyses analyses at once with a bounded queue, per-account
// rate limits on the endpoints that analyse, and the sweep of temporary
// directories a killed process left behind.

// analysisPool runs analyses on a fixed number of slots. Callers beyond
// the slots wait in a bounded FIFO queue; admission to it is bounded three
// ways, and past any of them the caller is refused with 429 and a
// Retry-After saying when the queue should have drained:
//
//   - how many wait (Config.AnalysisQueue),
//   - the memory they hold: the sizes of the models they carry
//     (Config.AnalysisQueueBytes),
//   - how long the newcomer would wait: the number ahead of it times the
//     recent mean time a slot is held, over the slots, must stay under
//     maxWait (half the request timeout), so a request is refused at
//     once rather than queued to time out.
//
// Under a burst of pushes from many clients (issue 13: 200 clients in a
// closed loop) the queue absorbs them instead of refusing most, while a
// flood still meets the same bounds.
//
// On PostgreSQL a write holds its slot for the work that needs a core
// (its merge or edit and its analysis), not for storing the version:
// before the store's write transaction it hands the slot over (handoff)
// for one of the store slots, so the next write's analysis runs while
// this one waits on the database (round trips, the server's work, the
// commit).
// The store slots (twice the analysis slots, at least 2) bound the
// analysed writes waiting on the database, and with them their memory; a
// write waiting for one keeps its analysis slot, so a slow database slows
// the analyses instead of piling up analysed results. Only a store whose
// writes run in a database server hands over (the store says so:
// WritesConcurrently); on SQLite storing a version is this
// process's CPU under the database's one write lock, so it stays on the
// slot and the writes keep to cores − 1, leaving a core to the reads
// (handing over there made the reads' p99 about twice as long and the
// pushes no faster: docs/server.md, 2026-12-06).
type analysisPool struct {
	slots    chan struct{}
	stores   chan struct{}
	waiting  atomic.Int64
	bytes    atomic.Int64 // model bytes held by the waiters
	queue    int64
	maxBytes int64
	maxWait  time.Duration
	// hold is how long a slot is held, in nanoseconds: the mean of the
	// recent holds without the longest and shortest eighth (holds).
	hold  atomic.Int64
	holds holdTimes
	// busyNS is the time the analysis slots were held since the start, in
	// nanoseconds, summed over the slots: over a run's length and the
	// slots, how busy they were (1 when writes always waited for them).
	busyNS atomic.Int64
	line   waitLine // the waiters' order, for when they prepare
}

// holdTimes keeps the last holds of a slot. Their trimmed mean estimates
// a write's time on a slot: a moving mean moved by one long hold (a
// garbage collection, the process descheduled on a busy machine) made the
// expected wait of a full queue jump past maxWait, and the writes refused
// then waited their Retry-After and the queue again — the 16–20 s tail of
// the closed-loop pushes (docs/server.md, 2026-12-06).
type holdTimes struct {
	mu   sync.Mutex
	last [32]int64
	n, i int
}

// add records a hold of d and returns the new estimate.
func (h *holdTimes) add(d int64) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last[h.i] = d
	h.i = (h.i + 1) % len(h.last)
	h.n = min(h.n+1, len(h.last))
	sorted := h.last
	s := sorted[:h.n]
	slices.Sort(s)
	trim := h.n / 8
	s = s[trim : h.n-trim]
	var sum int64
	for _, x := range s {
		sum += x
	}
	return sum / int64(len(s))
}

// newAnalysisPool returns a pool of slots analysis slots; with
// concurrent (a store whose writes run in a database server) or
// handover (Config.HandOver), writes store their versions on store
// slots instead (handoff): 2 × slots (at least 2) for the first, one
// for the second alone (SQLite takes one write at a time, so a second
// store slot would only hold more analysed writes in memory).
func newAnalysisPool(slots, queue int, maxBytes int64, maxWait time.Duration, concurrent, handover bool) *analysisPool {
	p := &analysisPool{slots: make(chan struct{}, slots), queue: int64(queue), maxBytes: maxBytes, maxWait: maxWait}
	p.line.ahead = int64(slots) + 1
	switch {
	case concurrent:
		p.stores = make(chan struct{}, max(2, 2*slots))
	case handover:
		p.stores = make(chan struct{}, 1)
	}
	p.hold.Store(int64(100 * time.Millisecond)) // until measured
	return p
}

// estimate is how long a newcomer behind n waiters would wait.
func (p *analysisPool) estimate(n int64) time.Duration {
	return time.Duration((n + 1) * p.hold.Load() / int64(cap(p.slots)))
}

// busy is the refusal when the queue is full.
func (p *analysisPool) busy(n int64) error {
	wait := min(max(p.estimate(n), time.Second), time.Minute)
	return &Error{Status: http.StatusTooManyRequests, Code: "busy", RetryAfter: wait,
		Msg: "the server is analysing as many models as it can; try again in " + wait.Round(time.Second).String()}
}

// acquire takes a slot for a model of size bytes, waiting in the queue if
// need be; release gives it back.
func (p *analysisPool) acquire(ctx context.Context, size int64) (release func(), err error) {
	return p.acquirePrep(ctx, size, nil)
}

// acquirePrep is acquire running prep, when not nil, once the caller is
// admitted to the queue and before it waits there (or on the slot, when
// one is free at once): work a write needs that no slot need serialise
// (a push's parse of its files: pushPrep) runs while it queues, on a
// core the slot holder is not using, and a request refused 429 has not
// done it.
func (p *analysisPool) acquirePrep(ctx context.Context, size int64, prep func()) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
		release := p.releaser(ctx)
		if prep != nil {
			prep()
		}
		return release, nil
	default:
	}
	n := p.waiting.Add(1)
	b := p.bytes.Add(size)
	if n > p.queue || b > p.maxBytes && n > 1 || p.maxWait > 0 && p.estimate(n-1) > p.maxWait {
		p.waiting.Add(-1)
		p.bytes.Add(-size)
		return nil, p.busy(n - 1)
	}
	t, turn := p.line.join(prep != nil)
	defer func() {
		p.line.leave(t)
		p.waiting.Add(-1)
		p.bytes.Add(-size)
	}()
	if prep != nil && turn == nil {
		runPrep(ctx, prep)
		prep = nil
	}
	// The turn to prepare is awaited by a goroutine of its own: this one
	// stays in the slot's queue, whose place a select leaving it on the
	// turn would lose (a channel serves its waiting senders in order).
	var (
		state atomic.Int32 // 0: prep not started, 1: the helper runs it, 2: left to the caller
		done  = make(chan struct{})
		stop  = make(chan struct{})
	)
	if prep != nil {
		go func() {
			select {
			case <-turn: // near the head of the queue: prepare now
				if state.CompareAndSwap(0, 1) {
					runPrep(ctx, prep)
					close(done)
				}
			case <-stop:
			}
		}()
		defer close(stop)
	}
	select {
	case p.slots <- struct{}{}:
		release := p.releaser(ctx)
		if prep != nil {
			if state.CompareAndSwap(0, 2) {
				prep() // its turn to prepare never came
			} else {
				<-done
			}
		}
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// runPrep runs a queued write's prep with the profiler label
// ward_slot=queued.
func runPrep(ctx context.Context, prep func()) {
	slotLabels(ctx, "queued")
	prep()
	pprof.SetGoroutineLabels(ctx)
}

// waitLine numbers the writes waiting in the queue in the order they
// came, so that a write prepares (acquirePrep) when only a few are ahead
// of it rather than when it joins: 200 pushes preparing as they join
// would each parse their files into the merges' memo long before their
// merge, pushing out of it what the merges in between need (measured:
// the parses moved out of the slot came back into it).
type waitLine struct {
	mu     sync.Mutex
	ahead  int64                   // how many ahead of a waiter when it prepares
	issued int64                   // tickets handed out
	left   int64                   // waiters that left the queue
	turns  map[int64]chan struct{} // by ticket: a waiter to tell when its turn to prepare comes
}

// join hands out the next ticket. With prep, it returns a channel closed
// when at most ahead waiters that joined before it are still queued, or
// nil when that is already so.
func (l *waitLine) join(prep bool) (int64, chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.issued++
	t := l.issued
	if !prep || t <= l.left+l.ahead+1 {
		return t, nil
	}
	if l.turns == nil {
		l.turns = map[int64]chan struct{}{}
	}
	ch := make(chan struct{})
	l.turns[t] = ch
	return t, ch
}

// leave takes ticket t out of the line (its waiter took a slot or gave
// up) and tells the waiter whose turn to prepare comes with it. Waiters
// leave roughly in ticket order (the slot channel serves its senders in
// order), so ticket left+ahead+1 is about ahead places from the head.
func (l *waitLine) leave(t int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.turns, t)
	l.left++
	k := l.left + l.ahead + 1 // tickets before it were told at their join or an earlier leave
	if ch, ok := l.turns[k]; ok {
		close(ch)
		delete(l.turns, k)
	}
}

// releaser returns the release of a slot taken now; it updates the
// estimated hold time.
//
// While the caller holds the slot, its goroutine carries the profiler
// label ward_slot=analysis (slotLabels), restored to ctx's on release.
func (p *analysisPool) releaser(ctx context.Context) func() {
	start := time.Now()
	slotLabels(ctx, "analysis")
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.SetGoroutineLabels(ctx)
			d := int64(time.Since(start))
			p.busyNS.Add(d)
			p.hold.Store(p.holds.add(d))
			<-p.slots
		})
	}
}

// hold is the pool's slots one write holds: an analysis slot while it
// merges, edits and analyses, then a store slot while it stores the
// version (handoff). It travels in the write's context (holdKey).
type hold struct {
	ctx      context.Context // the write's, before its labels (slotLabels)
	pool     *analysisPool
	analysis func() // releases the analysis slot; nil when not held
	store    bool   // a store slot is held
}

type holdKey struct{}

// holding returns a context carrying a new hold of the analysis slot
// that release gives back, and the hold's done.
func (p *analysisPool) holding(ctx context.Context, release func()) (context.Context, func()) {
	h := &hold{ctx: ctx, pool: p, analysis: release}
	return context.WithValue(ctx, holdKey{}, h), h.done
}

func holdOf(ctx context.Context) *hold {
	h, _ := ctx.Value(holdKey{}).(*hold)
	return h
}

// handoff trades the analysis slot of the write in ctx (if any) for a
// store slot: called once its analysis is done, before the store's write
// transaction. It waits for the store slot keeping the analysis slot. On
// a pool without store slots the write keeps its analysis slot.
func handoff(ctx context.Context) error {
	h := holdOf(ctx)
	if h == nil || h.store || h.pool.stores == nil {
		return nil
	}
	select {
	case h.pool.stores <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.store = true
	if h.analysis != nil {
		h.analysis()
		h.analysis = nil
	}
	slotLabels(h.ctx, "store")
	return nil
}

// slotLabels sets the calling goroutine's profiler labels to ctx's and
// ward_slot=slot: a CPU profile (ward-load -cpuprofile) then tells the
// work done on the analysis slot, which writes take one at a time per
// slot, from the rest (pprof -tagfocus ward_slot=analysis; "store" on a
// store slot, "queued" for a push's preparation while it queues).
func slotLabels(ctx context.Context, slot string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("ward_slot", slot)))
}

// resume takes an analysis slot again for a write in ctx that lost a race
// after its handoff and must merge or edit again (a write of another
// replica, or of another request on the same system, came first).
func resume(ctx context.Context) error {
	h := holdOf(ctx)
	if h == nil || h.analysis != nil {
		return nil
	}
	if h.store {
		<-h.pool.stores
		h.store = false
		pprof.SetGoroutineLabels(h.ctx)
	}
	r, err := h.pool.acquire(ctx, 0)
	if err != nil {
		return err
	}
	h.analysis = r
	return nil
}

// done gives back whatever the hold holds.
func (h *hold) done() {
	if h.analysis != nil {
		h.analysis()
		h.analysis = nil
	}
	if h.store {
		<-h.pool.stores
		h.store = false
		pprof.SetGoroutineLabels(h.ctx)
	}
}

// bundleSize is the memory a waiting model holds, roughly.
func bundleSize(b Bundle) int64 {
	n := int64(len(b.Main))
	for name, f := range b.Files {
		n += int64(len(name) + len(f))
	}
	return n
}

// analyse reserves a slot for one analysis and applies the analysis budget
// to ctx.
//
// A request whose whole work is costly (a push merges YAML before it
// analyses) calls it first; the analyses inside then run on the slot it
// holds (the context says so) and are not charged again.
func (s *Server) analyse(ctx context.Context, size int64) (context.Context, func(), error) {
	return s.analysePrep(ctx, size, nil)
}

// analysePrep is analyse running prep (when not nil) once admitted to
// the analysis queue, before waiting in it (acquirePrep). A caller that
// needs no slot of its own runs prep at once.
func (s *Server) analysePrep(ctx context.Context, size int64, prep func()) (context.Context, func(), error) {
	if ctx.Value(inPoolKey{}) != nil {
		if prep != nil {
			prep()
		}
		return ctx, func() {}, nil
	}
	if err := s.limitAnalyses(principal(ctx)); err != nil {
		return ctx, nil, err
	}
	release := func() {}
	if ctx.Value(slotKey{}) == nil {
		r, err := s.pool.acquirePrep(ctx, size, prep)
		if err != nil {
			return ctx, nil, err
		}
		ctx, release = s.pool.holding(ctx, r)
	} else if prep != nil {
		prep()
	}
	return context.WithValue(rule.WithBudget(ctx, s.cfg.Budget), inPoolKey{}, true), release, nil
}

// inPoolKey marks a context that holds an analysis slot and was charged
// its analysis; slotKey one that holds a slot taken before its analysis
// (an edit waits for it before reading the model: edit.go), whose
// analysis is charged when it runs.
type (
	inPoolKey struct{}
	slotKey   struct{}
)

// rateLimiter is a token bucket per key: rate tokens a minute, up to burst.
type rateLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(now func() time.Time, perMinute, burst int) *rateLimiter {
	return &rateLimiter{now: now, rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}}
}

// take spends a token of key, or says how long until one is available.
func (l *rateLimiter) take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.buckets) > 100_000 { // bound memory: drop full buckets
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// wait says how long until key has a token, without spending one.
func (l *rateLimiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return 0
	}
	tokens := min(l.burst, b.tokens+l.now().Sub(b.at).Seconds()*l.rate)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// rateKey is the account an analysis is charged to.
func rateKey(p *Principal) string {
	if p.OwnerID == "" {
		return p.Actor()
	}
	return "user:" + p.OwnerID
}

// refuseEarly answers 429 to a write on a system (push, decision, status
// edit) from an account with no analysis left, before its body is read: a
// flood of refused pushes costs the server next to nothing.
func (s *Server) refuseEarly(r *http.Request, p *Principal) error {
	if r.Method != http.MethodPost && r.Method != http.MethodPatch || !strings.HasPrefix(r.URL.Path, "/api/v1/systems/") {
		return nil
	}
	if d := s.rates.wait(rateKey(p)); d > 0 {
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: d,
			Msg: "too many analyses from your account; try again in " + d.Round(time.Second).String()}
	}
	return nil
}

// limitAnalyses applies the per-account rate limit to the requests that
// analyse a model (push, decisions and status edits, uncached diffs): it
// is charged when the analysis is about to run, after authorization, so
// refused and cached requests cost nothing.
func (s *Server) limitAnalyses(p *Principal) error {
	if p == nil {
		return nil
	}
	if d := s.rates.take(rateKey(p)); d > 0 {
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: d,
			Msg: "too many analyses from your account; try again in " + d.Round(time.Second).String()}
	}
	return nil
}

// TempPrefix names the temporary directories pushes are analysed in.
const TempPrefix = "ward-push-"

// SweepTemp removes the temporary directories of pushes older than
// maxAge, which only a killed process leaves behind (a live analysis is
// bounded by the request timeout). It returns how many it removed.
func SweepTemp(maxAge time.Duration) int {
	dir := os.TempDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), TempPrefix) {
			continue
		}
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < maxAge {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// allowed returns the methods the routes accept on path (for 405 and its
// Allow header), or "" when no route matches the path at all.
func (s *Server) allowed(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	var methods []string
	seen := map[string]bool{}
	for _, pat := range s.patterns {
		method, route, ok := strings.Cut(pat, " ")
		if !ok || seen[method] {
			continue
		}
		rs := strings.Split(strings.Trim(route, "/"), "/")
		if len(rs) != len(segs) {
			continue
		}
		match := true
		for i, r := range rs {
			if strings.HasPrefix(r, "{") {
				match = match && segs[i] != ""
			} else {
				match = match && r == segs[i]
			}
		}
		if match {
			seen[method] = true
			methods = append(methods, method)
			if method == http.MethodGet {
				methods = append(methods, http.MethodHead)
			}
		}
	}
	return strings.Join(methods, ", ")
}
