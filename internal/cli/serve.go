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
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/rule"
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
	// oidc configures single sign-on; its client secret is read from
	// WARD_OIDC_CLIENT_SECRET or from oidcSecretFile, never from a flag.
	oidc            server.OIDC
	oidcSecretFile  string
	oidcDefaultRole string
	// tokenTTL and tokenMaxTTL are API tokens' default and longest
	// lifetimes; streamsPerAccount bounds one account's event streams.
	tokenTTL          time.Duration
	tokenMaxTTL       time.Duration
	streamsPerAccount int
	// Bounds on analyses: the engine budget (defaults from WARD_MAX_*, as
	// for the CLI), the pool, the per-account rate; hsts for a TLS proxy.
	budget            rule.Budget
	maxAnalyses       int
	analysesPerMinute int
	// queueWait bounds a write's expected wait for an analysis slot
	// (server.Config.AnalysisQueueWait; 0: half the request timeout).
	queueWait time.Duration
	hsts      bool
	// Notifications (docs/notifications.md): SMTP for email (its password
	// from WARD_SMTP_PASSWORD or smtpPasswordFile, never a flag), the key
	// sealing webhook secrets (WARD_NOTIFY_KEY or notifyKeyFile), whether
	// webhooks may reach private addresses, the public URL for links.
	smtp             notify.SMTP
	smtpPasswordFile string
	notifyKeyFile    string
	notify           server.NotifyConfig
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
	c.tokenTTL = 90 * 24 * time.Hour
	c.tokenMaxTTL = 365 * 24 * time.Hour
	c.streamsPerAccount = 8
	b, err := budgetFromEnv(get)
	if err != nil {
		return err
	}
	c.budget = b
	c.analysesPerMinute = 30
	c.hsts = get("WARD_HSTS") == "1" || get("WARD_HSTS") == "true"
	for _, d := range []struct {
		name string
		v    *time.Duration
	}{{"WARD_TOKEN_TTL", &c.tokenTTL}, {"WARD_TOKEN_MAX_TTL", &c.tokenMaxTTL}, {"WARD_ANALYSIS_QUEUE_WAIT", &c.queueWait}} {
		if v := get(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x <= 0 {
				return usagef("%s=%q: use a duration such as 720h", d.name, v)
			}
			*d.v = x
		}
	}
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
	c.oidc.Issuer = get("WARD_OIDC_ISSUER")
	c.oidc.ClientID = get("WARD_OIDC_CLIENT_ID")
	c.oidc.ClientSecret = server.Secret(get("WARD_OIDC_CLIENT_SECRET"))
	c.oidcSecretFile = get("WARD_OIDC_CLIENT_SECRET_FILE")
	c.oidc.RedirectURL = get("WARD_OIDC_REDIRECT_URL")
	c.oidc.AllowedDomains = list(get("WARD_OIDC_ALLOWED_DOMAINS"), nil)
	c.oidc.Scopes = list(get("WARD_OIDC_SCOPES"), []string{"email", "profile"})
	c.oidc.GroupsClaim = or(get("WARD_OIDC_GROUPS_CLAIM"), "groups")
	c.oidc.AdminGroups = list(get("WARD_OIDC_ADMIN_GROUPS"), []string{"ward-admins"})
	c.oidc.SecurityGroups = list(get("WARD_OIDC_SECURITY_GROUPS"), []string{"security"})
	c.oidc.TeamPrefix = or(get("WARD_OIDC_TEAM_PREFIX"), "team-")
	c.oidcDefaultRole = or(get("WARD_OIDC_DEFAULT_ROLE"), "viewer")
	c.smtp = notify.SMTP{Addr: get("WARD_SMTP_ADDR"), From: get("WARD_SMTP_FROM"), Username: get("WARD_SMTP_USER"),
		Password: notify.Password(get("WARD_SMTP_PASSWORD")), TLSMode: or(get("WARD_SMTP_TLS"), notify.TLSAuto)}
	c.smtpPasswordFile = get("WARD_SMTP_PASSWORD_FILE")
	c.notify.Key = get("WARD_NOTIFY_KEY")
	c.notifyKeyFile = get("WARD_NOTIFY_KEY_FILE")
	c.notify.AllowPrivate = get("WARD_NOTIFY_ALLOW_PRIVATE") == "1" || get("WARD_NOTIFY_ALLOW_PRIVATE") == "true"
	c.notify.BaseURL = get("WARD_BASE_URL")
	return nil
}

// list splits a comma-separated variable, or returns def when it is empty.
func list(v string, def []string) []string {
	if v == "" {
		return def
	}
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
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
		Short: "Run the Ward server: web UI, API, accounts, the organisation's models",
		Long: `Serve runs the Ward server. With no flags it works on a fresh machine: an
embedded SQLite database (WAL mode) in ./ward-data, listening on
127.0.0.1:8080. On first start it prints a one-time token to create the first
administrator, with the URL of the first-run page that uses it. --demo loads
the example models and files design reviews of them (docs/review.md), so
there is something to see, and, on a fresh database, creates one demo
account per role (admin, security, member, viewer) with a password it
prints: open the printed URL and sign in.

--db postgres://... uses PostgreSQL instead; several ward serve processes on
one PostgreSQL database serve the same data, and live events reach all of
them through LISTEN/NOTIFY. Migrations run at start-up, safely when replicas
start together.

Notifications (docs/notifications.md): teams' webhooks get signed,
Slack-compatible messages; with --smtp-addr and --smtp-from, people get email
too (the password from WARD_SMTP_PASSWORD or --smtp-password-file). Every
process delivers from one outbox in the database, with retries.

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
	f.DurationVar(&c.tokenTTL, "token-ttl", c.tokenTTL, "default lifetime of a new API token (WARD_TOKEN_TTL)")
	f.DurationVar(&c.tokenMaxTTL, "token-max-ttl", c.tokenMaxTTL, "longest lifetime a new API token may ask for (WARD_TOKEN_MAX_TTL)")
	f.IntVar(&c.budget.MaxCustomRules, "max-custom-rules", c.budget.MaxCustomRules, "custom rules one model may run (WARD_MAX_CUSTOM_RULES)")
	f.IntVar(&c.budget.MaxFindings, "max-findings", c.budget.MaxFindings, "findings one model may produce (WARD_MAX_FINDINGS)")
	f.Int64Var(&c.budget.MaxCost, "max-rule-cost", c.budget.MaxCost, "CEL cost all custom rules may spend on one model (WARD_MAX_RULE_COST)")
	f.IntVar(&c.maxAnalyses, "max-analyses", 0, "analyses run at once (default: the cores less one, at least 1; at most the cores; cores = GOMAXPROCS)")
	f.DurationVar(&c.queueWait, "analysis-queue-wait", c.queueWait, "longest expected wait for an analysis a write may queue for; past it the write is refused at once with 429 and Retry-After (WARD_ANALYSIS_QUEUE_WAIT; default half the request timeout, 30s; at most 1m)")
	f.IntVar(&c.analysesPerMinute, "analyses-per-minute", c.analysesPerMinute, "analyses (pushes, edits, new diffs) one account may start per minute")
	f.BoolVar(&c.hsts, "hsts", c.hsts, "send Strict-Transport-Security on every response, for a server behind a TLS proxy (WARD_HSTS=1)")
	f.IntVar(&c.streamsPerAccount, "max-streams-per-account", c.streamsPerAccount, "live event streams one account may hold open")
	f.DurationVar(&c.shutdown, "shutdown-timeout", c.shutdown, "how long to let requests finish on SIGTERM")
	f.StringVar(&c.oidc.Issuer, "oidc-issuer", c.oidc.Issuer, "OpenID Connect issuer `URL`; enables single sign-on (WARD_OIDC_ISSUER)")
	f.StringVar(&c.oidc.ClientID, "oidc-client-id", c.oidc.ClientID, "OIDC client id (WARD_OIDC_CLIENT_ID)")
	f.StringVar(&c.oidcSecretFile, "oidc-client-secret-file", c.oidcSecretFile, "`file` holding the OIDC client secret (WARD_OIDC_CLIENT_SECRET_FILE; or WARD_OIDC_CLIENT_SECRET)")
	f.StringVar(&c.oidc.RedirectURL, "oidc-redirect-url", c.oidc.RedirectURL, "OIDC callback `URL` registered with the provider (WARD_OIDC_REDIRECT_URL; default BASE/api/v1/oidc/callback)")
	f.StringSliceVar(&c.oidc.AllowedDomains, "oidc-allowed-domain", c.oidc.AllowedDomains, "email `domain` allowed to sign in; repeat for several; default any (WARD_OIDC_ALLOWED_DOMAINS)")
	f.StringSliceVar(&c.oidc.Scopes, "oidc-scopes", c.oidc.Scopes, "`scopes` requested besides openid (WARD_OIDC_SCOPES)")
	f.StringVar(&c.oidc.GroupsClaim, "oidc-groups-claim", c.oidc.GroupsClaim, "ID token `claim` listing the user's groups (WARD_OIDC_GROUPS_CLAIM)")
	f.StringSliceVar(&c.oidc.AdminGroups, "oidc-admin-group", c.oidc.AdminGroups, "`group` whose members are administrators (WARD_OIDC_ADMIN_GROUPS)")
	f.StringSliceVar(&c.oidc.SecurityGroups, "oidc-security-group", c.oidc.SecurityGroups, "`group` whose members are security engineers (WARD_OIDC_SECURITY_GROUPS)")
	f.StringVar(&c.oidc.TeamPrefix, "oidc-team-prefix", c.oidc.TeamPrefix, "groups named PREFIX<team id> make members of that team (WARD_OIDC_TEAM_PREFIX)")
	f.StringVar(&c.oidcDefaultRole, "oidc-default-role", c.oidcDefaultRole, "`role` of users in no mapped group: viewer, security, admin or none to refuse them (WARD_OIDC_DEFAULT_ROLE)")
	f.StringVar(&c.smtp.Addr, "smtp-addr", c.smtp.Addr, "SMTP server `host:port` for email notifications; off when empty (WARD_SMTP_ADDR)")
	f.StringVar(&c.smtp.From, "smtp-from", c.smtp.From, "sender `address` of notification emails (WARD_SMTP_FROM)")
	f.StringVar(&c.smtp.Username, "smtp-user", c.smtp.Username, "SMTP user name; the password comes from WARD_SMTP_PASSWORD or --smtp-password-file (WARD_SMTP_USER)")
	f.StringVar(&c.smtpPasswordFile, "smtp-password-file", c.smtpPasswordFile, "`file` holding the SMTP password (WARD_SMTP_PASSWORD_FILE)")
	f.StringVar(&c.smtp.TLSMode, "smtp-tls", c.smtp.TLSMode, "auto (STARTTLS when offered), starttls (required), tls (port 465) or none (WARD_SMTP_TLS)")
	f.StringVar(&c.notifyKeyFile, "notify-key-file", c.notifyKeyFile, "`file` holding the key that seals webhook secrets (WARD_NOTIFY_KEY_FILE; or WARD_NOTIFY_KEY)")
	f.BoolVar(&c.notify.AllowPrivate, "notify-allow-private", c.notify.AllowPrivate, "let webhooks reach private and loopback addresses, for receivers on premises (WARD_NOTIFY_ALLOW_PRIVATE=1)")
	f.StringVar(&c.notify.BaseURL, "base-url", c.notify.BaseURL, "the server's public `URL`, for links in notifications, e.g. https://ward.example.com (WARD_BASE_URL)")
	return cmd
}

// notifyConfig checks the notification settings and reads their secrets
// from files.
func (a *app) notifyConfig(c serveConfig) (server.NotifyConfig, error) {
	n := c.notify
	if c.notifyKeyFile != "" {
		b, err := os.ReadFile(a.path(c.notifyKeyFile))
		if err != nil {
			return n, fmt.Errorf("--notify-key-file: %w", err)
		}
		n.Key = strings.TrimSpace(string(b))
	}
	if _, err := notify.NewSealer(n.Key); err != nil {
		return n, usagef("%v", err)
	}
	if n.BaseURL != "" {
		if u, err := url.Parse(n.BaseURL); err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			return n, usagef("--base-url %q: use the server's public URL, e.g. https://ward.example.com", n.BaseURL)
		}
	}
	if c.smtp.Addr == "" {
		if c.smtp.From != "" || c.smtp.Username != "" {
			return n, usagef("--smtp-from and --smtp-user need --smtp-addr (WARD_SMTP_ADDR)")
		}
		return n, nil
	}
	m := c.smtp
	if c.smtpPasswordFile != "" {
		b, err := os.ReadFile(a.path(c.smtpPasswordFile))
		if err != nil {
			return n, fmt.Errorf("--smtp-password-file: %w", err)
		}
		m.Password = notify.Password(strings.TrimSpace(string(b)))
	}
	if m.From == "" {
		return n, usagef("--smtp-addr needs --smtp-from (WARD_SMTP_FROM), the sender of notification emails")
	}
	if err := m.Check(); err != nil {
		return n, usagef("%v", err)
	}
	n.SMTP = &m
	return n, nil
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

// serverRequestTimeout is the server's time bound on a request
// (server.Config.RequestTimeout's default, which ward serve keeps).
const serverRequestTimeout = time.Minute

func (a *app) serve(ctx context.Context, c serveConfig) error {
	if c.queueWait < 0 || c.queueWait > serverRequestTimeout {
		return usagef("--analysis-queue-wait %s: use a duration from 1ms to %s (0: half of it)", c.queueWait, serverRequestTimeout)
	}
	logger, err := a.serverLogger(c)
	if err != nil {
		return err
	}
	sso, err := a.oidcConfig(c)
	if err != nil {
		return err
	}
	ncfg, err := a.notifyConfig(c)
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
		Events: broker, TrustedOrigins: c.trustedOrigins, MetricsToken: c.metricsToken, OIDC: sso,
		TokenTTL: c.tokenTTL, MaxTokenTTL: c.tokenMaxTTL, MaxStreamsPerAccount: c.streamsPerAccount,
		Budget: c.budget, MaxAnalyses: c.maxAnalyses, AnalysisQueueWait: c.queueWait, AnalysesPerMinute: c.analysesPerMinute, HSTS: c.hsts, Notify: ncfg}, st, logger)
	if ncfg.SMTP != nil {
		logger.Info("email notifications enabled", "smtp", ncfg.SMTP)
	}
	if sso != nil {
		logger.Info("single sign-on enabled", "oidc", sso)
	}
	demoPassword := ""
	if c.demo {
		if err := a.loadDemo(ctx, srv); err != nil {
			return fmt.Errorf("--demo: %w", err)
		}
		if setup != "" {
			pw := "demo-" + randomToken()[:12]
			created, err := srv.LoadDemoAccounts(ctx, pw)
			if err != nil {
				return fmt.Errorf("--demo: accounts: %w", err)
			}
			if created {
				demoPassword, setup = pw, ""
			}
		}
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.env.Stdout, "Ward is listening on %s (database: %s)\n", url, st.Dialect())
	if demoPassword != "" {
		fmt.Fprintf(a.env.Stdout, "\nOpen %s/ in a browser and sign in with one of the demo accounts\n(password %s for each):\n\n", url, demoPassword)
		for _, d := range server.DemoAccounts {
			what := string(d.Role)
			if d.Team != "" {
				what += " of team " + d.Team
			}
			fmt.Fprintf(a.env.Stdout, "  %-24s %s\n", d.Email, what)
		}
		fmt.Fprintln(a.env.Stdout)
	}
	if setup != "" {
		fmt.Fprintf(a.env.Stdout, "\nNo account exists yet. Open %s/setup in a browser and create the first\n"+
			"administrator with this one-time setup token:\n\n  %s\n\nor from a terminal:\n\n", url, setup)
		fmt.Fprintf(a.env.Stdout, "  curl -sS -X POST %s/api/v1/setup -H 'Content-Type: application/json' \\\n"+
			"    -d '{\"token\":\"%s\",\"email\":\"you@example.com\",\"name\":\"You\",\"password\":\"at least 12 characters\"}'\n\n", url, setup)
	} else if demoPassword == "" {
		fmt.Fprintf(a.env.Stdout, "Open %s/ in a browser to sign in.\n", url)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	// Event streams never end by themselves: close them first, or
	// Shutdown waits its whole grace period for them.
	hs.RegisterOnShutdown(srv.CloseStreams)
	go a.sweepSessions(ctx, st, logger)
	go sweepTemp(ctx, logger)
	// Notifications are delivered until the HTTP server has drained, then
	// the deliveries in flight finish (each bounded by its timeout).
	nctx, stopNotify := context.WithCancel(context.WithoutCancel(ctx))
	notified := make(chan struct{})
	go func() { srv.RunNotifications(nctx); close(notified) }()
	defer func() { stopNotify(); <-notified }()
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

// sweepTemp removes the temporary push directories a killed server left
// behind, at start and then every ten minutes (a live one lasts at most
// the request timeout).
func sweepTemp(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n := server.SweepTemp(10 * time.Minute); n > 0 {
			logger.Info("removed stale temporary push directories", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
	if err := srv.LoadDemoReviews(ctx); err != nil { // a review queue to look at (docs/review.md)
		return err
	}
	return srv.LoadDemoProgramme(ctx) // teams in the self-serve programme (docs/programme.md)
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcConfig checks the single-sign-on settings and reads the client
// secret; it returns nil when single sign-on is off.
func (a *app) oidcConfig(c serveConfig) (*server.OIDC, error) {
	o := c.oidc
	if o.Issuer == "" {
		if o.ClientID != "" || c.oidcSecretFile != "" {
			return nil, usagef("--oidc-client-id and --oidc-client-secret-file need --oidc-issuer (WARD_OIDC_ISSUER)")
		}
		return nil, nil
	}
	if u, err := url.Parse(o.Issuer); err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
		return nil, usagef("--oidc-issuer %q: use the provider's issuer URL, e.g. https://login.example.com/realms/acme", o.Issuer)
	}
	if o.ClientID == "" {
		return nil, usagef("--oidc-issuer needs --oidc-client-id (WARD_OIDC_CLIENT_ID)")
	}
	if c.oidcSecretFile != "" {
		b, err := os.ReadFile(a.path(c.oidcSecretFile))
		if err != nil {
			return nil, fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
		o.ClientSecret = server.Secret(strings.TrimSpace(string(b)))
	}
	if o.ClientSecret == "" {
		return nil, usagef("--oidc-issuer needs the client secret: set WARD_OIDC_CLIENT_SECRET or --oidc-client-secret-file")
	}
	if o.RedirectURL != "" {
		if u, err := url.Parse(o.RedirectURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, usagef("--oidc-redirect-url %q: use an https:// URL ending in /api/v1/oidc/callback", o.RedirectURL)
		}
	}
	switch r := store.Role(c.oidcDefaultRole); r {
	case store.RoleViewer, store.RoleSecurity, store.RoleAdmin, server.RoleNone:
		o.DefaultRole = r
	default:
		return nil, usagef("--oidc-default-role %q: use viewer, security, admin or none", c.oidcDefaultRole)
	}
	if o.TeamPrefix == "" {
		return nil, usagef("--oidc-team-prefix must not be empty")
	}
	return &o, nil
}
