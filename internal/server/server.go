// Package server is Ward's HTTP server: the shared home for an
// organisation's threat models. New builds an http.Handler over a
// store.Store: a JSON REST API (described by an OpenAPI document it serves),
// local accounts with argon2id passwords and server-side sessions, API tokens
// scoped to a team, roles (admin, security, member, viewer), CSRF protection,
// a strict Content-Security-Policy and security headers, request size
// limits, health and readiness endpoints, Prometheus metrics and structured
// logs with request ids. Handlers return errors; one adapter maps them to a
// status and a JSON body, and a 500 carries an id that is also logged.
//
// Model contents and secrets are never logged above debug level.
package server

import (
	"cmp"
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/spec/yamledit"
	"github.com/wardtm/ward/internal/store"
)

// Config configures a server. The zero value of each field means its default.
type Config struct {
	// SessionTTL is how long a browser session lasts (default 12h).
	SessionTTL time.Duration
	// MaxBodyBytes bounds request bodies (default 8 MiB).
	MaxBodyBytes int64
	// RequestTimeout bounds the work of one request and the time to write
	// its response (default 60s); event streams are exempt.
	RequestTimeout time.Duration
	// MaxEventStreams bounds the live event streams open at once on this
	// process (default 1000); one more is refused with 503.
	MaxEventStreams int
	// SetupToken, when set and no account exists yet, lets
	// POST /api/v1/setup create the first administrator once.
	SetupToken string
	// Version is the program version, for /api/v1/version.
	Version string
	// Now returns the time (tests may fix it).
	Now func() time.Time
	// Events fans live events out (to other replicas through PostgreSQL);
	// nil means in-process only.
	Events Broker
	// TrustedOrigins are extra origins allowed to make state-changing
	// browser requests (CSRF protection), e.g. https://ward.example.com.
	TrustedOrigins []string
	// OIDC, when set, enables single sign-on (see oidc.go).
	OIDC *OIDC
	// MetricsToken, when set, lets a Prometheus scraper read /metrics with
	// Authorization: Bearer MetricsToken. Without it only administrators
	// read /metrics.
	MetricsToken string
	// MaxStreamsPerAccount bounds the live event streams one account (with
	// all its tokens) holds open on this process (default 8); one more is
	// refused with 429.
	MaxStreamsPerAccount int
	// StreamRecheck is how often an open event stream checks that its
	// token or session is still valid (default 30s); a revocation on this
	// process closes its streams at once.
	StreamRecheck time.Duration
	// TokenTTL is the lifetime of a new API token when the request does
	// not ask for one (default 90 days); MaxTokenTTL the longest a request
	// may ask for (default 365 days).
	TokenTTL    time.Duration
	MaxTokenTTL time.Duration
	// MaxAnalyses bounds the analyses (pushes, edits, diffs) running at
	// once (default: the cores less one, at least one; never more than the
	// cores; the cores are GOMAXPROCS, which follows a container's limit), each on at most Budget.Workers cores (default half
	// of them). Beyond them requests wait in a queue bounded by
	// AnalysisQueue waiters (default 1024), AnalysisQueueBytes of models
	// held by the waiters (default 128 MiB) and the expected wait (half the
	// request timeout, from the recent time an analysis takes); past any
	// of these the server answers 429 with a Retry-After of the expected
	// wait (bounds.go). On PostgreSQL a write stores its version on one of
	// 2 × MaxAnalyses store slots, giving its analysis slot to the next
	// write (bounds.go, handoff).
	MaxAnalyses        int
	AnalysisQueue      int
	AnalysisQueueBytes int64
	// AnalysisQueueWait bounds the expected wait of a write joining the
	// analysis queue (default half the request timeout); past it the
	// write is refused 429 with a Retry-After at once. A short bound
	// (ward-load -queue-wait) trades slow answers for refusals: in a
	// closed loop the refused clients wait out their Retry-After instead
	// (docs/server-history.md, server17).
	AnalysisQueueWait time.Duration
	// HandOver makes a write give its analysis slot to the next write
	// before storing its version (encoding the stored analysis, S2 and the
	// write transaction) on every store, not only on PostgreSQL. On SQLite
	// it then stores on one store slot (the database takes one write at a
	// time): the next write's analysis runs while it stores, about halving
	// the CPU a write holds the analysis slot for, but writes then use
	// both cores of a 2-core machine and the reads wait behind them
	// (docs/server-history.md, server16). Off by default.
	HandOver bool
	// YieldWrites makes a push or an edit give up its core between the
	// steps of its write (merge, load, analyse, report, encode, store:
	// runtime.Gosched at each phase mark, writephases.go), so goroutines
	// that became runnable meanwhile — reads — run before the write's next
	// step rather than after the scheduler's 10 ms time slice. Off by
	// default (docs/server-history.md, server19).
	YieldWrites bool
	// Budget bounds each analysis in the engine (rule.Budget; zero fields
	// are the defaults documented in docs/rules.md).
	Budget rule.Budget
	// AnalysesPerMinute and AnalysesBurst rate-limit the requests that
	// analyse a model, per account (defaults 30 and 10).
	AnalysesPerMinute int
	AnalysesBurst     int
	// PreviewsPerMinute and PreviewsBurst rate-limit the model editor's
	// checks as you type, per account (defaults 240 and 60; editor.go).
	PreviewsPerMinute int
	PreviewsBurst     int
	// HSTS sends Strict-Transport-Security on every response, for a server
	// behind a TLS-terminating proxy (it is always sent over direct TLS).
	HSTS bool
	// Notify configures notifications (notify.go).
	Notify NotifyConfig
}

// Broker publishes and subscribes to live events.
type Broker interface {
	Publish(ctx context.Context, topic string, payload []byte) error
	Subscribe(topic string) (<-chan []byte, func())
}

// Server serves Ward's API.
type Server struct {
	cfg     Config
	store   store.Store
	log     *slog.Logger
	metrics *metrics
	limiter *loginLimiter
	oidc    *oidcClient
	handler http.Handler
	// patterns lists the registered routes, for the OpenAPI test.
	patterns []string
	// webPatterns lists the web UI's routes (web.go).
	webPatterns []string
	// webCache keeps decoded results and diagrams of versions (web_portfolio.go).
	webCache resultCache

	streams    atomic.Int64  // open event streams
	streamSet  *streamSet    // open event streams by principal
	tokenCache *tokenCache   // API tokens recently found valid (authcache.go)
	versions   *versionCache // versions recently read (versioncache.go)
	memo       *analysisMemo // analyses of recently stored content (analysismemo.go)
	phases     writePhases   // where writes spent their time (writephases.go)
	// summaryReused counts writes of the latest version's content
	// answered from the summaries memo (unchangedFromSummary).
	summaryReused atomic.Int64
	summaries     *analysisMemo  // what notifications compare of those, kept longer
	merges        *yamledit.Memo // what a push's merge read of files seen before (merge.go)
	dirs          analysisDirs   // directories analyses write bundles in (analysisdir.go)
	pool          *analysisPool
	rates         *rateLimiter
	previews      *rateLimiter
	diffs         flight // concurrent computations of one diff

	notifier *notifier // notifications (notify.go)

	live     *liveHub // live sessions' streams (session_stream.go)
	liveOnce sync.Once

	setupMu   sync.Mutex
	setupUsed bool
}

// New returns a server over st, logging to logger.
func New(cfg Config, st store.Store, logger *slog.Logger) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.MaxEventStreams == 0 {
		cfg.MaxEventStreams = 1000
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = time.Minute
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxStreamsPerAccount == 0 {
		cfg.MaxStreamsPerAccount = 8
	}
	if cfg.StreamRecheck == 0 {
		cfg.StreamRecheck = 30 * time.Second
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 90 * 24 * time.Hour
	}
	if cfg.MaxTokenTTL == 0 {
		cfg.MaxTokenTTL = 365 * 24 * time.Hour
	}
	cfg.MaxTokenTTL = max(cfg.MaxTokenTTL, cfg.TokenTTL)
	// The cores Go runs on: GOMAXPROCS, which follows a container's CPU
	// limit where the machine's count (runtime.NumCPU) does not.
	cores := runtime.GOMAXPROCS(0)
	if cfg.MaxAnalyses <= 0 {
		// One core stays free for answering requests while analyses run.
		cfg.MaxAnalyses = max(1, cores-1)
	}
	if cfg.Budget.Workers <= 0 {
		cfg.Budget.Workers = max(1, cores/2)
	}
	cfg.MaxAnalyses = min(cfg.MaxAnalyses, cores)
	if cfg.AnalysisQueueWait <= 0 {
		cfg.AnalysisQueueWait = cfg.RequestTimeout / 2
	}
	if cfg.AnalysisQueue <= 0 {
		cfg.AnalysisQueue = 1024
	}
	if cfg.AnalysisQueueBytes <= 0 {
		// Each waiter holds its decoded model (at most MaxBodyBytes).
		cfg.AnalysisQueueBytes = 128 << 20
	}
	if cfg.AnalysesPerMinute <= 0 {
		cfg.AnalysesPerMinute = 30
	}
	if cfg.AnalysesBurst <= 0 {
		cfg.AnalysesBurst = 10
	}
	cfg.Budget = rule.WithBudgetDefaults(cfg.Budget)
	if cfg.Events == nil {
		cfg.Events = newLocalBroker()
	}
	s := &Server{cfg: cfg, store: st, log: logger, metrics: newMetrics(), limiter: newLoginLimiter(cfg.Now), streamSet: newStreamSet(), tokenCache: newTokenCache(), versions: newVersionCache(versionCacheBytes), memo: newAnalysisMemo(analysisMemoBytes), summaries: newAnalysisMemo(summaryMemoBytes), merges: yamledit.NewMemo(mergeMemoBytes),
		pool: newAnalysisPool(cfg.MaxAnalyses, cfg.AnalysisQueue, cfg.AnalysisQueueBytes, cfg.AnalysisQueueWait, writesConcurrently(st), cfg.HandOver), rates: newRateLimiter(cfg.Now, cfg.AnalysesPerMinute, cfg.AnalysesBurst)}
	s.previews = newRateLimiter(cfg.Now, cmp.Or(cfg.PreviewsPerMinute, previewsPerMinute), cmp.Or(cfg.PreviewsBurst, previewsBurst))
	s.metrics.gauge("ward_analyses_running", func() float64 { return float64(len(s.pool.slots)) })
	s.metrics.gauge("ward_analyses_queued", func() float64 { return float64(s.pool.waiting.Load()) })
	s.metrics.gauge("ward_analyses_storing", func() float64 { return float64(len(s.pool.stores)) })
	s.metrics.gauge("ward_analysis_slot_seconds", func() float64 { return time.Duration(s.pool.hold.Load()).Seconds() })
	s.metrics.gauge("ward_analysis_slots_busy_seconds", func() float64 { return time.Duration(s.pool.busyNS.Load()).Seconds() })
	s.metrics.gauge("ward_analysis_wait_seconds", func() float64 { return s.pool.estimate(s.pool.waiting.Load()).Seconds() })
	s.metrics.gauge("ward_analyses_reused", func() float64 { h, _ := s.memo.stats(); return float64(h + s.summaryReused.Load()) })
	s.metrics.gauge("ward_version_cache_hits", func() float64 { h, _ := s.versions.stats(); return float64(h) })
	s.metrics.gauge("ward_version_cache_misses", func() float64 { _, m := s.versions.stats(); return float64(m) })
	s.phases.gauges(s.metrics)
	s.metrics.gauge("ward_event_streams", func() float64 { return float64(s.streams.Load()) })
	if db, ok := st.(interface{ Stats() sql.DBStats }); ok {
		// The database connection pool: whether requests wait for a
		// connection (issue 13). Waits are counted since the start.
		s.metrics.gauge("ward_db_connections_open", func() float64 { return float64(db.Stats().OpenConnections) })
		s.metrics.gauge("ward_db_connections_in_use", func() float64 { return float64(db.Stats().InUse) })
		s.metrics.gauge("ward_db_connection_waits", func() float64 { return float64(db.Stats().WaitCount) })
		s.metrics.gauge("ward_db_connection_wait_seconds", func() float64 { return db.Stats().WaitDuration.Seconds() })
	}
	s.oidc = newOIDCClient(cfg.OIDC)
	s.newNotifier()
	s.handler = s.routes()
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// CloseStreams ends every open event stream, so that a graceful shutdown
// does not wait for clients that never hang up. Call it (or register it
// with http.Server.RegisterOnShutdown) before http.Server.Shutdown.
func (s *Server) CloseStreams() { s.streamSet.closeAll() }

// Routes lists the registered route patterns ("METHOD /path").
func Routes() []string {
	s := New(Config{}, nil, nil)
	return append([]string(nil), s.patterns...)
}

// writesConcurrently says whether st's write transactions run in a
// database server, several at once (PostgreSQL), so that a write stores
// its version off the analysis slot (bounds.go).
func writesConcurrently(st store.Store) bool {
	w, ok := st.(interface{ WritesConcurrently() bool })
	return ok && w.WritesConcurrently()
}
