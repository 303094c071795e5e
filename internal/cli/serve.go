package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// serveConfig is ward serve's configuration: flags, each with a WARD_*
// environment variable (the flag wins). docs/server.md lists them in one table.
type serveConfig struct {
	addr           string
	db             string
	dataDir        string
	demo           bool
	logLevel       string
	logFormat      string
	sessionTTL     time.Duration
	maxBody        int64
	trustedOrigins []string
	shutdown       time.Duration
	// metricsToken lets a Prometheus scraper read /metrics; it is read
	// from WARD_METRICS_TOKEN only (a flag would show in ps).
	metricsToken string
}

// envDefaults reads the WARD_* variables: the one place the server's
// environment is read.
func (a *app) envDefaults(c *serveConfig) error {
	get := a.env.Getenv
	c.addr = or(get("WARD_ADDR"), "127.0.0.1:8080")
	c.db = get("WARD_DB")
	c.dataDir = or(get("WARD_DATA_DIR"), "ward-data")
	c.logLevel = or(get("WARD_LOG_LEVEL"), "info")
	c.logFormat = or(get("WARD_LOG_FORMAT"), "json")
	c.sessionTTL = 12 * time.Hour
	c.maxBody = 8 << 20
	c.shutdown = 15 * time.Second
	if v := get("WARD_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return usagef("WARD_SESSION_TTL=%q: use a duration such as 8h", v)
		}
		c.sessionTTL = d
	}
	if v := get("WARD_TRUSTED_ORIGINS"); v != "" {
		c.trustedOrigins = strings.Split(v, ",")
	}
	c.demo = get("WARD_DEMO") == "1" || get("WARD_DEMO") == "true"
	c.metricsToken = get("WARD_METRICS_TOKEN")
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (a *app) serveCmd() *cobra.Command {
	var c serveConfig
	envErr := a.envDefaults(&c)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Ward server: API, accounts, the organisation's models",
		Long: `Serve runs the Ward server. With no flags it works on a fresh machine: an
embedded SQLite database (WAL mode) in ./ward-data, listening on
127.0.0.1:8080. On first start it prints a one-time token to create the first
administrator. --demo loads the example models so there is something to see.

--db postgres://... uses PostgreSQL instead; several ward serve processes on
one PostgreSQL database serve the same data, and live events reach all of
them through LISTEN/NOTIFY. Migrations run at start-up, safely when replicas
start together.

Every flag has a WARD_* environment variable (docs/server.md lists them).
Logs are JSON on standard error; model contents and secrets are never logged
above debug level.`,
		Example: `  ward serve
  ward serve --demo
  WARD_DB=postgres://ward@db/ward ward serve --addr :8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if envErr != nil {
				return envErr
			}
			return a.serve(cmd.Context(), c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.addr, "addr", c.addr, "listen `address` (WARD_ADDR)")
	f.StringVar(&c.db, "db", c.db, "database: a postgres:// URL or a SQLite file (WARD_DB; default DATA-DIR/ward.db)")
	f.StringVar(&c.dataDir, "data-dir", c.dataDir, "`directory` for the SQLite database (WARD_DATA_DIR)")
	f.BoolVar(&c.demo, "demo", c.demo, "load the example models into a demo team (WARD_DEMO=1)")
	f.StringVar(&c.logLevel, "log-level", c.logLevel, "debug, info, warn or error (WARD_LOG_LEVEL)")
	f.StringVar(&c.logFormat, "log-format", c.logFormat, "json or text (WARD_LOG_FORMAT)")
	f.DurationVar(&c.sessionTTL, "session-ttl", c.sessionTTL, "browser session lifetime (WARD_SESSION_TTL)")
	f.Int64Var(&c.maxBody, "max-body", c.maxBody, "largest request body in `bytes`")
	f.StringSliceVar(&c.trustedOrigins, "trusted-origin", c.trustedOrigins, "extra `origin` allowed to make browser requests, e.g. https://ward.example.com (WARD_TRUSTED_ORIGINS)")
	f.DurationVar(&c.shutdown, "shutdown-timeout", c.shutdown, "how long to let requests finish on SIGTERM")
	return cmd
}

func (a *app) serverLogger(c serveConfig) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usagef("--log-level %q: use debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(a.env.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(a.env.Stderr, opts)), nil
	}
	return nil, usagef("--log-format %q: use json or text", c.logFormat)
}

// dsn returns the database to open, creating the data directory for SQLite.
func (a *app) dsn(c serveConfig) (string, error) {
	if c.db != "" {
		if strings.HasPrefix(c.db, "postgres://") || strings.HasPrefix(c.db, "postgresql://") {
			return c.db, nil
		}
		return a.path(c.db), nil
	}
	dir := a.path(c.dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return filepath.Join(dir, "ward.db"), nil
}

func (a *app) serve(ctx context.Context, c serveConfig) error {
	logger, err := a.serverLogger(c)
	if err != nil {
		return err
	}
	dsn, err := a.dsn(c)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	var broker server.Broker
	if st.Dialect() == sqlstore.Postgres {
		b, err := sqlstore.NewBroker(ctx, dsn, logger)
		if err != nil {
			return err
		}
		defer b.Close()
		broker = b
	}
	setup := ""
	n, err := st.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		setup = randomToken()
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	srv := server.New(server.Config{SessionTTL: c.sessionTTL, MaxBodyBytes: c.maxBody, SetupToken: setup, Version: a.env.Version,
		Events: broker, TrustedOrigins: c.trustedOrigins, MetricsToken: c.metricsToken}, st, logger)
	if c.demo {
		if err := a.loadDemo(ctx, srv); err != nil {
			return fmt.Errorf("--demo: %w", err)
		}
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.env.Stdout, "Ward is listening on %s (database: %s)\n", url, st.Dialect())
	if setup != "" {
		fmt.Fprintf(a.env.Stdout, "\nNo account exists yet. Create the first administrator (this token works once):\n\n"+
			"  curl -sS -X POST %s/api/v1/setup -H 'Content-Type: application/json' \\\n"+
			"    -d '{\"token\":\"%s\",\"email\":\"you@example.com\",\"name\":\"You\",\"password\":\"at least 12 characters\"}'\n\n", url, setup)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go a.sweepSessions(ctx, st, logger)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", c.shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (a *app) sweepSessions(ctx context.Context, st store.Store, logger *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := st.DeleteExpiredSessions(ctx, time.Now()); err != nil {
				logger.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				logger.Debug("expired sessions removed", "count", n)
			}
		}
	}
}

// loadDemo pushes the embedded examples into a "demo" team.
func (a *app) loadDemo(ctx context.Context, srv *server.Server) error {
	dirs, err := fs.ReadDir(examples.FS, ".")
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files := map[string]string{}
		entries, err := fs.ReadDir(examples.FS, d.Name())
		if err != nil {
			return err
		}
		for _, e := range entries {
			data, err := fs.ReadFile(examples.FS, path.Join(d.Name(), e.Name()))
			if err != nil {
				return err
			}
			files[e.Name()] = string(data)
		}
		if err := srv.LoadDemo(ctx, "demo", server.Bundle{Main: "ward.yaml", Files: files}); err != nil {
			return fmt.Errorf("example %s: %w", d.Name(), err)
		}
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
