package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// syncBuffer is a log sink safe to read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clock is a settable time for the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// tenv is a test server that also exposes its store, clock and log.
type tenv struct {
	*env
	st    *sqlstore.DB
	clock *clock
	log   *syncBuffer
	dir   string // holds the SQLite database
	s     *server.Server
}

type envOptions struct {
	// wrap replaces the store the server sees (to inject failures).
	wrap func(store.Store) store.Store
	cfg  func(*server.Config)
	// server, when set, receives the server under test.
	server func(*server.Server)
}

func newTestEnv(t *testing.T, o envOptions) *tenv {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlstore.Open(t.Context(), filepath.Join(dir, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var seen store.Store = st
	if o.wrap != nil {
		seen = o.wrap(st)
	}
	logs := &syncBuffer{}
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	// Analyses are rate-limited per account; these tests push often on a
	// stopped clock (the rate limit has its own test).
	cfg := server.Config{SetupToken: setupToken, Version: "test", Now: clk.Now, AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	s := server.New(cfg, seen, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if o.server != nil {
		o.server(s)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &tenv{env: &env{t: t, srv: srv, logs: &bytes.Buffer{}}, st: st, clock: clk, log: logs, dir: dir, s: s}
	resp := e.do("POST", "/api/v1/setup", "", map[string]string{"token": setupToken, "email": "admin@example.com", "name": "Ada", "password": "correct horse battery"})
	e.want(resp, 200)
	e.admin = cookie(resp)
	return e
}

// call sends a request and returns its status and body. A nil body sends
// none; a []byte is sent as is.
func (e *tenv) call(method, path, auth string, body any) (int, []byte) {
	e.t.Helper()
	resp := e.do(method, path, auth, body)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, data
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// state is what a refused write must leave unchanged.
type state struct {
	Systems map[string][2]int64 // latest version, revision
	Audit   int
	Teams   int
	Users   int
	Tokens  int
	Revoked int
}

func (e *tenv) state() state {
	e.t.Helper()
	ctx := e.t.Context()
	s := state{Systems: map[string][2]int64{}}
	systems, _, err := e.st.ListSystems(ctx, "", store.Page{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, x := range systems {
		s.Systems[x.ID] = [2]int64{int64(x.Latest), x.Revision}
	}
	var after int64
	for {
		evs, err := e.st.Audit(ctx, after, store.Page{Limit: 500})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		s.Audit += len(evs)
		after = evs[len(evs)-1].Seq
	}
	if _, s.Teams, err = e.st.ListTeams(ctx, store.Page{Limit: 1}); err != nil {
		e.t.Fatal(err)
	}
	if _, s.Users, err = e.st.ListUsers(ctx, store.Page{Limit: 1}); err != nil {
		e.t.Fatal(err)
	}
	ts, err := e.st.ListTokens(ctx, "")
	if err != nil {
		e.t.Fatal(err)
	}
	s.Tokens = len(ts)
	for _, t := range ts {
		if t.Revoked {
			s.Revoked++
		}
	}
	return s
}

// The principals of the matrix, in the column order of every row's want.
var principals = []string{"anon", "admin", "security", "memberA", "memberB", "viewer", "tokenA", "viewerTokenA", "disabled"}

const (
	sysA = "fulfilment-pipeline" // examples/events, team-a
	sysB = "helpdesk-copilot"    // examples/admin-agent, team-b
)

// authzRow is one row of the matrix: a route, the data it targets (team
// A's, team B's, or none) and the outcome for each principal: "ok" (2xx),
// or the status expected.
type authzRow struct {
	route  string
	target string // "", "A" or "B"
	want   string
}

// Shorthands for rows that share a pattern.
const (
	everyone  = "ok ok ok ok ok ok ok ok ok"
	signedIn  = "401 ok ok ok ok ok ok ok 401"
	adminOnly = "401 ok 403 403 403 403 403 403 401"
	// Reads of one team's system: other teams' members and tokens get 404.
	readA = "401 ok ok ok 404 ok ok ok 401"
	readB = "401 ok ok 404 ok ok 404 404 401"
	// Lists narrowed with ?team=: asking for another team is refused.
	listA = "401 ok ok ok 403 ok ok ok 401"
	listB = "401 ok ok 403 ok ok 403 403 401"
	// Writes (push, mitigation status): admin and the team's members.
	writeA = "401 ok 403 ok 404 403 ok 403 401"
	writeB = "401 ok 403 404 ok 403 404 404 401"
	// Reviews (decisions, assumption status): also security.
	reviewA = "401 ok ok ok 404 403 ok 403 401"
	reviewB = "401 ok ok 404 ok 403 404 404 401"
	// Configuring a team's notifications: admin and its members signed in.
	configureA = "401 ok 403 ok 404 403 403 403 401"
	configureB = "401 ok 403 404 ok 403 404 404 401"
	// Training reads: everyone who trains or reads everything.
	trainee = "401 ok ok ok ok ok ok 403 401"
)

var authzMatrix = []authzRow{
	{"GET /healthz", "", everyone},
	{"GET /readyz", "", everyone},
	{"GET /metrics", "", adminOnly},
	{"GET /api/v1/openapi.json", "", everyone},
	{"GET /api/v1/version", "", everyone},
	{"POST /api/v1/setup", "", "410 410 410 410 410 410 410 410 410"},
	{"POST /api/v1/login", "", everyone},
	{"POST /api/v1/logout", "", everyone},
	{"GET /api/v1/me", "", signedIn},
	// Single sign-on is public; this server has none configured (its own
	// tests, with a fake identity provider, are in oidc_test.go).
	{"GET /api/v1/oidc/login", "", "404 404 404 404 404 404 404 404 404"},
	{"GET /api/v1/oidc/callback", "", "404 404 404 404 404 404 404 404 404"},

	{"GET /api/v1/teams", "", signedIn},
	{"POST /api/v1/teams", "", adminOnly},
	{"GET /api/v1/teams/{team}", "A", readA},
	{"GET /api/v1/teams/{team}", "B", readB},

	{"GET /api/v1/systems", "", signedIn},
	{"GET /api/v1/systems", "A", listA},
	{"GET /api/v1/systems", "B", listB},
	{"GET /api/v1/systems/{system}", "A", readA},
	{"GET /api/v1/systems/{system}", "B", readB},
	{"POST /api/v1/systems/{system}/versions", "A", writeA},
	{"POST /api/v1/systems/{system}/versions", "B", writeB},
	{"GET /api/v1/systems/{system}/versions", "A", readA},
	{"GET /api/v1/systems/{system}/versions", "B", readB},
	{"GET /api/v1/systems/{system}/versions/{version}", "A", readA},
	{"GET /api/v1/systems/{system}/versions/{version}", "B", readB},
	{"GET /api/v1/systems/{system}/versions/{version}/model", "A", readA},
	{"GET /api/v1/systems/{system}/versions/{version}/model", "B", readB},
	{"GET /api/v1/systems/{system}/diff", "A", readA},
	{"GET /api/v1/systems/{system}/diff", "B", readB},
	{"POST /api/v1/systems/{system}/decisions", "A", reviewA},
	{"POST /api/v1/systems/{system}/decisions", "B", reviewB},
	{"PATCH /api/v1/systems/{system}/mitigations/{id}", "A", writeA},
	{"PATCH /api/v1/systems/{system}/mitigations/{id}", "B", writeB},
	{"PATCH /api/v1/systems/{system}/assumptions/{id}", "A", reviewA},
	{"PATCH /api/v1/systems/{system}/assumptions/{id}", "B", reviewB},
	{"PATCH /api/v1/systems/{system}/controls", "A", writeA},
	{"PATCH /api/v1/systems/{system}/controls", "B", writeB},
	{"GET /api/v1/systems/{system}/events", "A", readA},
	{"GET /api/v1/systems/{system}/events", "B", readB},

	{"GET /api/v1/findings", "", signedIn},
	{"GET /api/v1/findings", "A", listA},
	{"GET /api/v1/findings", "B", listB},
	{"GET /api/v1/mitigations", "", signedIn},
	{"GET /api/v1/mitigations", "A", listA},
	{"GET /api/v1/mitigations", "B", listB},
	{"GET /api/v1/assumptions", "", signedIn},
	{"GET /api/v1/assumptions", "A", listA},
	{"GET /api/v1/assumptions", "B", listB},

	// Tokens: admins, and signed-in members for their own team.
	{"GET /api/v1/tokens", "", "401 ok 403 ok ok 403 403 403 401"},
	{"POST /api/v1/tokens", "A", "401 ok 403 ok 403 403 403 403 401"},
	{"POST /api/v1/tokens", "B", "401 ok 403 403 ok 403 403 403 401"},
	{"DELETE /api/v1/tokens/{id}", "A", "401 ok 403 ok 404 403 403 403 401"},
	{"DELETE /api/v1/tokens/{id}", "B", "401 ok 403 404 ok 403 403 403 401"},
	{"GET /api/v1/users", "", adminOnly},
	{"POST /api/v1/users", "", adminOnly},
	{"GET /api/v1/audit", "", "401 ok ok 403 403 403 403 403 401"},

	// Design reviews: members (and member tokens) request them for their
	// team; security and admins triage and approve; everyone signed in
	// reads the queue narrowed to what they may read.
	{"GET /api/v1/reviews", "", signedIn},
	{"GET /api/v1/reviews", "A", listA},
	{"GET /api/v1/reviews", "B", listB},
	{"POST /api/v1/reviews", "A", writeA},
	{"POST /api/v1/reviews", "B", writeB},
	{"GET /api/v1/reviews/{id}", "A", readA},
	{"GET /api/v1/reviews/{id}", "B", readB},
	{"POST /api/v1/reviews/{id}/actions", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /api/v1/reviews/{id}/actions", "B", "401 ok ok 404 403 403 404 404 401"},
	{"PUT /api/v1/reviews/capacity", "", "401 ok ok 403 403 403 403 403 401"},
	{"GET /api/v1/reviews/reminders", "", signedIn},
	{"GET /api/v1/reviews/settings", "", signedIn},
	{"PUT /api/v1/reviews/settings", "", adminOnly},
	{"POST /api/v1/reviews/triage", "", signedIn},
	{"GET /api/v1/systems/{system}/review", "A", readA},
	{"GET /api/v1/systems/{system}/review", "B", readB},

	// Live sessions (session.go): the team's members open them; whoever
	// reads the team reads them; members join as participants, security
	// as observers, viewers only watch; the facilitator (here the admin
	// who opened it) saves the decisions; the raw log is for members of
	// the session and reviewers of the team.
	{"POST /api/v1/systems/{system}/sessions", "A", writeA},
	{"POST /api/v1/systems/{system}/sessions", "B", writeB},
	{"GET /api/v1/systems/{system}/sessions", "A", readA},
	{"GET /api/v1/systems/{system}/sessions", "B", readB},
	{"GET /api/v1/sessions/{session}", "A", readA},
	{"GET /api/v1/sessions/{session}", "B", readB},
	{"POST /api/v1/sessions/{session}/actions", "A", "401 ok ok ok 404 403 ok 403 401"},
	{"POST /api/v1/sessions/{session}/actions", "B", "401 ok ok 404 ok 403 404 404 401"},
	{"POST /api/v1/sessions/{session}/promote", "A", "401 ok 403 403 404 403 403 403 401"},
	{"POST /api/v1/sessions/{session}/promote", "B", "401 ok 403 404 403 403 404 404 401"},
	{"GET /api/v1/sessions/{session}/record", "A", readA},
	{"GET /api/v1/sessions/{session}/record", "B", readB},
	{"GET /api/v1/sessions/{session}/log", "A", reviewA},
	{"GET /api/v1/sessions/{session}/log", "B", reviewB},
	// Editing in the browser (editor.go): creating a system for a team is
	// a write of that team; previews and saves are writes of the system.
	{"POST /api/v1/systems", "A", "401 ok 403 ok 403 403 ok 403 401"},
	{"POST /api/v1/systems", "B", "401 ok 403 403 ok 403 403 403 401"},
	{"POST /api/v1/systems/{system}/preview", "A", writeA},
	{"POST /api/v1/systems/{system}/preview", "B", writeB},
	{"PUT /api/v1/systems/{system}/model", "A", writeA},
	{"PUT /api/v1/systems/{system}/model", "B", writeB},
	// The self-serve programme (programme*.go): security and admins coach
	// (import outside findings, move teams); members read their team's
	// page; organisation-wide views for those who read everything.
	{"POST /api/v1/programme/findings", "A", "401 ok ok 403 403 403 403 403 401"},
	{"GET /api/v1/programme/findings", "", signedIn},
	{"GET /api/v1/programme/findings", "A", listA},
	{"GET /api/v1/programme/findings", "B", listB},
	{"GET /api/v1/programme/teams", "", signedIn},
	{"GET /api/v1/programme/teams/{team}", "A", readA},
	{"GET /api/v1/programme/teams/{team}", "B", readB},
	{"PUT /api/v1/programme/teams/{team}/phase", "A", "401 ok ok 403 404 403 403 403 401"},
	{"PUT /api/v1/programme/teams/{team}/phase", "B", "401 ok ok 404 403 403 404 404 401"},
	{"POST /api/v1/programme/proposals/{id}", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /api/v1/programme/proposals/{id}", "B", "401 ok ok 404 403 403 404 404 401"},
	{"GET /api/v1/programme/leadership", "", "401 ok ok 403 403 ok 403 403 401"},
	{"GET /api/v1/programme/settings", "", signedIn},
	{"PUT /api/v1/programme/settings", "", adminOnly},
	{"POST /api/v1/reviews/{id}/threats", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /api/v1/reviews/{id}/threats", "B", "401 ok ok 404 403 403 404 404 401"},
	// Account lifecycle (accounts.go): administrators; a password change
	// is for signed-in accounts themselves, not tokens.
	{"GET /api/v1/users/{id}", "", adminOnly},
	{"PATCH /api/v1/users/{id}", "", adminOnly},
	{"DELETE /api/v1/users/{id}", "", adminOnly},
	{"POST /api/v1/users/{id}/password", "", adminOnly},
	{"POST /api/v1/me/password", "", "401 ok ok ok ok ok 403 403 401"},
	// Notifications (notify_api.go): preferences are signed-in accounts'
	// own; webhooks are configured by admins and the team's members
	// signed in (never a token); tests and deliveries are writes.
	{"GET /api/v1/me/notifications", "", "401 ok ok ok ok ok 403 403 401"},
	{"PUT /api/v1/me/notifications", "", "401 ok ok ok ok ok 403 403 401"},
	{"GET /api/v1/teams/{team}/webhooks", "A", configureA},
	{"GET /api/v1/teams/{team}/webhooks", "B", configureB},
	{"POST /api/v1/teams/{team}/webhooks", "A", configureA},
	{"POST /api/v1/teams/{team}/webhooks", "B", configureB},
	{"PATCH /api/v1/teams/{team}/webhooks/{id}", "A", configureA},
	{"PATCH /api/v1/teams/{team}/webhooks/{id}", "B", configureB},
	{"DELETE /api/v1/teams/{team}/webhooks/{id}", "A", configureA},
	{"DELETE /api/v1/teams/{team}/webhooks/{id}", "B", configureB},
	{"POST /api/v1/teams/{team}/notifications/test", "A", writeA},
	{"POST /api/v1/teams/{team}/notifications/test", "B", writeB},
	{"GET /api/v1/teams/{team}/notifications/deliveries", "A", writeA},
	{"GET /api/v1/teams/{team}/notifications/deliveries", "B", writeB},
	// Training (training.go): security and admins instruct; members (and
	// their tokens) train for their team; viewers read; the run's
	// instructor (security here) joins no group; participants see results
	// once the run is done.
	{"GET /api/v1/training/exercises", "", trainee},
	{"GET /api/v1/training/exercises/{exercise}", "", trainee},
	{"POST /api/v1/training/exercises", "", "401 ok ok 403 403 403 403 403 401"},
	{"GET /api/v1/training/runs", "", trainee},
	{"POST /api/v1/training/runs", "", "401 ok ok 403 403 403 403 403 401"},
	{"GET /api/v1/training/runs/{run}", "", trainee},
	{"POST /api/v1/training/runs/{run}/actions", "", "401 ok 400 ok ok 403 ok 403 401"},
	{"GET /api/v1/training/runs/{run}/results", "", "401 ok ok 409 409 ok 409 403 401"},
	// Guest links: the run's instructor only (admins are not this run's).
	{"POST /api/v1/training/runs/{run}/guest-link", "", "401 403 ok 403 403 403 403 403 401"},
	{"DELETE /api/v1/training/runs/{run}/guest-link", "", "401 403 ok 403 403 403 403 403 401"},
	{"GET /api/v1/teams/{team}/training", "A", readA},
	{"GET /api/v1/teams/{team}/training", "B", readB},
}

// matrix is the seeded world the authorization matrix runs in.
type matrix struct {
	*tenv
	auth     map[string]string // principal -> session cookie or "Bearer ..."
	finding  map[string]string // target -> a generated finding id of its system
	bundles  map[string]map[string]string
	seq      int
	adminTok map[string]string // target -> a member token of that team, for pushes
}

var (
	teamOf = map[string]string{"A": "team-a", "B": "team-b"}
	sysOf  = map[string]string{"A": sysA, "B": sysB}
	mitOf  = map[string]string{"A": "hmac-webhook", "B": "refund-confirm-button"}
	asmOf  = map[string]string{"A": "msk-private", "B": "proxy-only"}
	ctlOf  = map[string]string{"A": "kafka", "B": "orchestrator"}
)

func (e *tenv) login(email, password string) string {
	e.t.Helper()
	resp := e.do("POST", "/api/v1/login", "", map[string]string{"email": email, "password": password})
	e.want(resp, 200)
	return cookie(resp)
}

func seedMatrix(t *testing.T) *matrix {
	e := newTestEnv(t, envOptions{})
	m := &matrix{tenv: e, auth: map[string]string{"anon": "", "admin": e.admin}, finding: map[string]string{},
		bundles:  map[string]map[string]string{"A": bundle(t, "../../examples/events"), "B": bundle(t, "../../examples/admin-agent")},
		adminTok: map[string]string{}}
	for _, team := range []string{"team-a", "team-b"} {
		e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": team}), 201)
	}
	const pw = "a long enough password"
	for _, u := range []struct{ name, role, team string }{
		{"security", "security", ""}, {"memberA", "member", "team-a"}, {"memberB", "member", "team-b"}, {"viewer", "viewer", ""},
	} {
		email := strings.ToLower(u.name) + "@example.com"
		e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": email, "role": u.role, "team": u.team, "password": pw}), 201)
		m.auth[u.name] = e.login(email, pw)
	}
	tok := func(team, role string) string {
		out := e.want(e.do("POST", "/api/v1/tokens", e.admin, map[string]string{"name": "ci-" + role, "team": team, "role": role}), 201)
		return "Bearer " + out["token"].(string)
	}
	m.auth["tokenA"] = tok("team-a", "member")
	m.auth["viewerTokenA"] = tok("team-a", "viewer")
	m.adminTok["A"], m.adminTok["B"] = m.auth["tokenA"], tok("team-b", "member")

	// A disabled account with a live session: it must count for nothing.
	ctx := t.Context()
	if _, err := e.st.CreateUser(ctx, store.User{ID: "u-disabled", Email: "gone@example.com", Role: store.RoleAdmin, Disabled: true}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.CreateSession(ctx, store.Session{IDHash: sha256Hex("disabled-session"), UserID: "u-disabled", CreatedAt: e.clock.Now(),
		ExpiresAt: e.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	m.auth["disabled"] = "disabled-session"

	for _, x := range []string{"A", "B"} {
		e.want(e.do("POST", "/api/v1/systems/"+sysOf[x]+"/versions", m.adminTok[x], map[string]any{"main": "ward.yaml", "files": m.bundles[x]}), 201)
		fs := e.want(e.do("GET", "/api/v1/findings?system="+sysOf[x], e.admin, nil), 200)
		for _, it := range fs["items"].([]any) {
			if id := it.(map[string]any)["id"].(string); strings.Contains(id, ":") {
				m.finding[x] = id
				break
			}
		}
		if m.finding[x] == "" {
			t.Fatalf("system %s has no generated finding to decide on", sysOf[x])
		}
	}
	return m
}

// request builds the path and body of a cell. Writes get a body unique to
// the cell, so that an allowed write really changes something.
func (m *matrix) request(r authzRow) (method, path string, body any) {
	m.seq++
	method, path, _ = strings.Cut(r.route, " ")
	sys, team := sysOf[r.target], teamOf[r.target]
	path = strings.NewReplacer("{system}", sys, "{team}", team, "{version}", "latest").Replace(path)
	switch {
	case strings.Contains(path, "/mitigations/{id}"):
		path = strings.Replace(path, "{id}", mitOf[r.target], 1)
	case strings.Contains(path, "/assumptions/{id}"):
		path = strings.Replace(path, "{id}", asmOf[r.target], 1)
	case r.route == "POST /api/v1/reviews/{id}/threats":
		path = strings.Replace(path, "{id}", m.openReview(sys, team), 1)
	case strings.HasPrefix(r.route, "GET /api/v1/reviews/{id}"), strings.HasPrefix(r.route, "POST /api/v1/reviews/{id}"):
		// A fresh security-led request of the target team for each cell.
		out := m.want(m.do("POST", "/api/v1/reviews", m.admin, map[string]any{"system": fmt.Sprintf("design-%d", m.seq), "team": team,
			"answers": map[string]any{"sensitive_data": []string{"payment_card"}}}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case r.route == "POST /api/v1/programme/proposals/{id}":
		path = strings.Replace(path, "{id}", m.freshProposal(team), 1)
	case strings.Contains(path, "/users/{id}"):
		// A fresh account for each cell.
		out := m.want(m.do("POST", "/api/v1/users", m.admin, map[string]string{"email": fmt.Sprintf("victim-%d@example.com", m.seq), "role": "viewer"}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case strings.Contains(r.route, "/api/v1/sessions/{session}"):
		path = strings.Replace(path, "{session}", m.liveSession(r, sys), 1)
	case strings.Contains(r.route, "/webhooks/{id}"):
		// A fresh webhook of the target team for each cell.
		out := m.want(m.do("POST", "/api/v1/teams/"+team+"/webhooks", m.admin, map[string]string{"name": fmt.Sprintf("victim-%d", m.seq), "url": "https://hooks.example.com/x"}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case strings.Contains(path, "{exercise}"):
		path = strings.Replace(path, "{exercise}", "food-delivery", 1)
	case strings.Contains(path, "{run}"):
		// A fresh run for each cell, opened by security (its instructor).
		out := m.want(m.do("POST", "/api/v1/training/runs", m.auth["security"], map[string]any{"exercise": "food-delivery", "groups": []string{"Red", "Blue"}}), 201)
		path = strings.Replace(path, "{run}", out["id"].(string), 1)
	case r.route == "DELETE /api/v1/tokens/{id}":
		// A fresh token of the target team for each cell.
		out := m.want(m.do("POST", "/api/v1/tokens", m.admin, map[string]string{"name": fmt.Sprintf("victim-%d", m.seq), "team": team}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	}
	if method == "GET" && r.target != "" && !strings.Contains(r.route, "{") {
		path += "?team=" + team
	}
	switch r.route {
	case "POST /api/v1/setup":
		body = map[string]string{"token": setupToken, "email": "late@example.com", "password": "another long password"}
	case "POST /api/v1/login":
		body = map[string]string{"email": "viewer@example.com", "password": "a long enough password"}
	case "POST /api/v1/teams":
		body = map[string]string{"id": fmt.Sprintf("t-%d", m.seq)}
	case "POST /api/v1/users":
		body = map[string]string{"email": fmt.Sprintf("u%d@example.com", m.seq), "role": "viewer"}
	case "PUT /api/v1/me/notifications":
		body = map[string]any{"email": m.seq%2 == 0, "kinds": []string{"review.assigned"}}
	case "POST /api/v1/teams/{team}/webhooks":
		body = map[string]any{"name": fmt.Sprintf("hook-%d", m.seq), "url": "https://hooks.example.com/services/x"}
	case "PATCH /api/v1/teams/{team}/webhooks/{id}":
		body = map[string]any{"enabled": false}
	case "POST /api/v1/tokens":
		body = map[string]string{"name": fmt.Sprintf("tok-%d", m.seq), "team": team}
	case "POST /api/v1/systems/{system}/versions":
		files := map[string]string{}
		for k, v := range m.bundles[r.target] {
			files[k] = v
		}
		files["ward.yaml"] += fmt.Sprintf("\n# cell %d\n", m.seq)
		body = map[string]any{"main": "ward.yaml", "files": files, "message": "matrix"}
	case "POST /api/v1/systems/{system}/decisions":
		body = map[string]any{"finding": m.finding[r.target], "status": "accepted", "reason": "matrix", "owner": "dana", "expires": "2027-02-01"}
	case "PATCH /api/v1/systems/{system}/mitigations/{id}":
		body = map[string]any{"status": "implemented", "owner": fmt.Sprintf("owner-%d", m.seq)}
	case "PATCH /api/v1/systems/{system}/controls":
		body = map[string]any{"kind": "component", "element": ctlOf[r.target], "key": "authenticates", "value": m.flipControl(r.target, "authenticates")}
	case "PATCH /api/v1/systems/{system}/assumptions/{id}":
		body = map[string]any{"status": "validated", "evidence": fmt.Sprintf("pen test %d", m.seq)}
	case "POST /api/v1/reviews":
		// Self-serve answers: the request does not stay open, so the next
		// allowed cell can file another for the same system.
		body = map[string]any{"system": sys, "design_doc": "https://docs.example.com/d", "answers": map[string]any{"paved_path": "yes", "internet_facing": "no",
			"sensitive_data": []string{}, "new_third_parties": []string{}, "auth_changes": "no", "criticality": "low"}}
	case "POST /api/v1/reviews/{id}/actions":
		body = map[string]any{"action": "triage", "note": fmt.Sprintf("cell %d", m.seq)}
	case "PUT /api/v1/reviews/capacity":
		body = map[string]any{"week": "2026-W48", "engineer": "security@example.com", "hours": m.seq % 40}
	case "PUT /api/v1/reviews/settings":
		body = map[string]any{"settings": map[string]any{"approval_days": 365, "warn_days": 30, "due_days": 10 + m.seq%20, "security_led_hours": 8, "self_serve_hours": 2}}
	case "POST /api/v1/systems/{system}/sessions":
		body = map[string]any{"title": fmt.Sprintf("cell %d", m.seq)}
	case "POST /api/v1/sessions/{session}/actions":
		body = map[string]any{"type": "join"}
	case "POST /api/v1/training/exercises":
		body = map[string]any{"source": tinyExercise(fmt.Sprintf("cell-%d", m.seq))}
	case "POST /api/v1/training/runs":
		body = map[string]any{"exercise": "build-platform", "title": fmt.Sprintf("cell %d", m.seq), "groups": []string{"Red", "Blue", "Green"}}
	case "POST /api/v1/training/runs/{run}/actions":
		body = map[string]any{"type": "join", "group": "g1"}
	case "POST /api/v1/systems":
		body = map[string]any{"from": "template", "template": "web-app", "team": team, "id": fmt.Sprintf("new-%d", m.seq)}
	case "POST /api/v1/systems/{system}/preview":
		body = map[string]any{"files": map[string]string{"ward.yaml": m.bundles[r.target]["ward.yaml"] + fmt.Sprintf("\n# cell %d\n", m.seq)}}
	case "PUT /api/v1/systems/{system}/model":
		x, err := m.st.GetSystem(m.t.Context(), sys)
		if err != nil {
			m.t.Fatal(err)
		}
		body = map[string]any{"base_revision": x.Revision, "files": map[string]string{"ward.yaml": m.bundles[r.target]["ward.yaml"] + fmt.Sprintf("\n# cell %d\n", m.seq)}}
	case "POST /api/v1/reviews/triage":
		body = map[string]any{"answers": map[string]any{"paved_path": "no", "sensitive_data": []string{"pii"}}}
	case "POST /api/v1/programme/findings":
		body = map[string]any{"format": "csv", "file": "cell.csv", "source": "pen_test", "system": sys,
			"content": fmt.Sprintf("ref,title,severity,found\ncell-%d,Finding of cell %d,high,2026-11-01\n", m.seq, m.seq)}
	case "PUT /api/v1/programme/teams/{team}/phase":
		body = map[string]any{"phase": []string{"training", "observation"}[m.seq%2], "note": fmt.Sprintf("cell %d", m.seq)}
	case "POST /api/v1/programme/proposals/{id}":
		body = map[string]any{"confirm": m.seq%2 == 0, "note": fmt.Sprintf("cell %d", m.seq)}
	case "POST /api/v1/reviews/{id}/threats":
		body = map[string]any{"title": fmt.Sprintf("Threat of cell %d", m.seq), "target": ctlOf[r.target], "stride": []string{"tampering"},
			"likelihood": "possible", "impact": "moderate"}
	case "PUT /api/v1/programme/settings":
		body = map[string]any{"rules": map[string]any{"observation_models": 3 + m.seq%3}}
	case "PATCH /api/v1/users/{id}":
		body = map[string]any{"role": "security"}
	case "POST /api/v1/users/{id}/password":
		body = map[string]any{"password": fmt.Sprintf("a new password %d", m.seq)}
	case "POST /api/v1/me/password":
		// The same password again, so the principal's session stays usable.
		body = map[string]any{"current": "a long enough password", "password": "a long enough password"}
	}
	return method, path, body
}

// liveSession opens a fresh session (the admin facilitates) on sys for a
// cell: in the decide phase with a decision for promote, revealed for the
// log.
func (m *matrix) liveSession(r authzRow, sys string) string {
	out := m.want(m.do("POST", "/api/v1/systems/"+sys+"/sessions", m.admin, map[string]any{"title": fmt.Sprintf("cell %d", m.seq)}), 201)
	id := out["id"].(string)
	act := func(b map[string]any) map[string]any {
		return m.want(m.do("POST", "/api/v1/sessions/"+id+"/actions", m.admin, b), 200)
	}
	switch r.route {
	case "POST /api/v1/sessions/{session}/promote", "POST /s/{session}/promote":
		v := act(map[string]any{"type": "phase", "phase": "brainstorm"})
		target := v["elements"].([]any)[0].(map[string]any)["id"]
		v = act(map[string]any{"type": "card.add", "card": map[string]any{"target": target, "text": fmt.Sprintf("threat of cell %d", m.seq)}})
		cards := v["cards"].([]any)
		card := cards[len(cards)-1].(map[string]any)["id"]
		act(map[string]any{"type": "phase", "phase": "decide"})
		act(map[string]any{"type": "decide", "decision": map[string]any{"card": card, "likelihood": "possible", "impact": "minor", "status": "false_positive", "reason": "matrix"}})
	case "GET /api/v1/sessions/{session}/log":
		act(map[string]any{"type": "phase", "phase": "reveal"})
	}
	return id
}

// send performs a cell's request. Event streams are cut once their
// headers arrive.
func (m *matrix) send(method, path, auth string, body any) (int, []byte) {
	m.t.Helper()
	if !strings.HasSuffix(path, "/events") {
		return m.call(method, path, auth, body)
	}
	ctx, cancel := context.WithTimeout(m.t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, m.srv.URL+path, nil)
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		req.Header.Set("Authorization", auth)
	case auth != "":
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	line := make([]byte, 64)
	n, _ := resp.Body.Read(line)
	return resp.StatusCode, line[:n]
}

// leaks lists what a principal limited to one team must never see.
var leaks = map[string][]string{
	"memberA":      {sysB, "team-b", "Helpdesk"},
	"tokenA":       {sysB, "team-b", "Helpdesk"},
	"viewerTokenA": {sysB, "team-b", "Helpdesk"},
	"memberB":      {sysA, "team-a", "fulfilment"},
}

// TestAuthorizationMatrix runs every route (from server.Routes, so a new
// route without a row fails) as every kind of principal, on its own team's
// data and on another team's, and checks the status, that reads show no
// other team's data, and that refused requests change nothing.
func TestAuthorizationMatrix(t *testing.T) {
	routes := server.Routes()
	covered := map[string]bool{}
	for _, r := range authzMatrix {
		covered[r.route] = true
		if !slices.Contains(routes, r.route) {
			t.Errorf("matrix row for %q, which is not a route", r.route)
		}
		if n := len(strings.Fields(r.want)); n != len(principals) {
			t.Fatalf("row %s %s: %d outcomes for %d principals", r.route, r.target, n, len(principals))
		}
	}
	for _, r := range routes {
		if !covered[r] {
			t.Errorf("route %q has no row in the authorization matrix (authz_test.go)", r)
		}
	}
	if t.Failed() {
		return
	}

	m := seedMatrix(t)
	// Logout ends the caller's session: run it last.
	rows := slices.Clone(authzMatrix)
	slices.SortStableFunc(rows, func(a, b authzRow) int {
		return boolInt(a.route == "POST /api/v1/logout") - boolInt(b.route == "POST /api/v1/logout")
	})
	cells := 0
	for _, r := range rows {
		wants := strings.Fields(r.want)
		for i, who := range principals {
			cells++
			method, path, body := m.request(r)
			if r.route == "POST /api/v1/me/password" && who == "admin" {
				body = map[string]any{"current": "correct horse battery", "password": "correct horse battery"}
			}
			before := m.state()
			status, data := m.send(method, path, m.auth[who], body)
			after := m.state()
			want := wants[i]
			name := fmt.Sprintf("%s %s as %s", method, path, who)
			ok := status >= 200 && status < 300
			if want == "ok" && !ok || want != "ok" && fmt.Sprint(status) != want {
				t.Errorf("%s: status %d, want %s\n%s", name, status, want, truncate(data))
				continue
			}
			if !ok {
				if !equalState(before, after) {
					t.Errorf("%s: refused (%d) but the store changed:\nbefore %+v\nafter  %+v", name, status, before, after)
				}
				var eb struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(data, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
					t.Errorf("%s: %d without a JSON error body: %s", name, status, truncate(data))
				}
				continue
			}
			for _, s := range leaks[who] {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("%s: the response shows %q, another team's data:\n%s", name, s, truncate(data))
				}
			}
			if method == "GET" && slices.Contains(orgLists, r.route) {
				m.checkList(name, r, who, data)
			}
			if method == "POST" && strings.HasSuffix(path, "/versions") && after.Systems[sysOf[r.target]][0] != before.Systems[sysOf[r.target]][0]+1 {
				t.Errorf("%s: allowed push stored no new version", name)
			}
		}
	}
	t.Logf("authorization matrix: %d routes, %d rows, %d cells", len(routes), len(rows), cells)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func equalState(a, b state) bool {
	if a.Audit != b.Audit || a.Teams != b.Teams || a.Users != b.Users || a.Tokens != b.Tokens || a.Revoked != b.Revoked || len(a.Systems) != len(b.Systems) {
		return false
	}
	for k, v := range a.Systems {
		if b.Systems[k] != v {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// orgLists are the organisation-wide lists, narrowed for members and tokens.
var orgLists = []string{"GET /api/v1/systems", "GET /api/v1/findings", "GET /api/v1/mitigations", "GET /api/v1/assumptions"}

// scopeOf is the team a principal's lists are narrowed to.
var scopeOf = map[string]string{"memberA": "team-a", "tokenA": "team-a", "viewerTokenA": "team-a", "memberB": "team-b"}

// checkList checks that a list shows what it should: both teams' rows to
// those who read everything, the own team's rows (and a total counting
// nothing else) to those narrowed to a team. The leak check alone would
// pass on an empty list.
func (m *matrix) checkList(name string, r authzRow, who string, data []byte) {
	m.t.Helper()
	var l struct {
		Items []struct {
			System string `json:"system"`
			ID     string `json:"id"`
			Team   string `json:"team"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal(data, &l); err != nil {
		m.t.Errorf("%s: %v", name, err)
		return
	}
	teams := map[string]bool{}
	for _, it := range l.Items {
		teams[it.Team] = true
	}
	team := scopeOf[who]
	if team == "" {
		team = teamOf[r.target]
	}
	want := map[string]bool{"team-a": true, "team-b": true}
	if team != "" {
		want = map[string]bool{team: true}
	}
	if len(teams) != len(want) || !teams["team-a"] && want["team-a"] || !teams["team-b"] && want["team-b"] {
		m.t.Errorf("%s: rows of teams %v, want %v", name, teams, want)
	}
	// The total counts only what the principal may see.
	ctx := m.t.Context()
	var n int
	var err error
	all := store.Page{Limit: 1}
	switch r.route {
	case "GET /api/v1/systems":
		_, n, err = m.st.ListSystems(ctx, team, all)
	case "GET /api/v1/findings":
		_, n, err = m.st.Findings(ctx, store.FindingQuery{TeamID: team, Page: all})
	case "GET /api/v1/mitigations":
		_, n, err = m.st.Mitigations(ctx, team, "", all)
	case "GET /api/v1/assumptions":
		_, n, err = m.st.Assumptions(ctx, team, "", all)
	}
	if err != nil {
		m.t.Fatal(err)
	}
	if l.Total != n {
		m.t.Errorf("%s: total %d, want %d (the rows of %q)", name, l.Total, n, team)
	}
}

// TestPushOwnership: a push never creates a system in another team, never
// moves a system between teams and never reveals another team's system.
func TestPushOwnership(t *testing.T) {
	m := seedMatrix(t)
	renamed := func(x, id string) map[string]string {
		files := map[string]string{}
		for k, v := range m.bundles[x] {
			files[k] = strings.Replace(v, "id: "+sysOf[x], "id: "+id, 1)
		}
		return files
	}
	for _, c := range []struct {
		who, system, team string
		files             map[string]string
		status            int
	}{
		{"memberA", "new-one", "team-b", renamed("A", "new-one"), 403},       // a new system in another team
		{"tokenA", "new-two", "team-b", renamed("A", "new-two"), 403},        // likewise with a token
		{"memberA", sysB, "team-a", m.bundles["B"], 404},                     // another team's system, claimed
		{"tokenA", sysB, "", m.bundles["B"], 404},                            // another team's system
		{"admin", sysA, "team-b", m.bundles["A"], 409},                       // moving a system between teams
		{"admin", "new-three", "", renamed("A", "new-three"), 400},           // a new system needs a team
		{"admin", "new-four", "no-such-team", renamed("A", "new-four"), 404}, // an unknown team
	} {
		before := m.state()
		body := map[string]any{"main": "ward.yaml", "files": c.files, "team": c.team}
		status, data := m.call("POST", "/api/v1/systems/"+c.system+"/versions", m.auth[c.who], body)
		if status != c.status {
			t.Errorf("push %s to team %q as %s: %d, want %d\n%s", c.system, c.team, c.who, status, c.status, truncate(data))
		}
		if after := m.state(); !equalState(before, after) {
			t.Errorf("push %s as %s: refused but the store changed", c.system, c.who)
		}
		if c.status == 404 && bytes.Contains(data, []byte("team-b")) {
			t.Errorf("push %s as %s: the refusal names the owning team: %s", c.system, c.who, data)
		}
	}
	// Members create systems in their own team.
	status, data := m.call("POST", "/api/v1/systems/new-five/versions", m.auth["memberA"], map[string]any{"main": "ward.yaml", "files": renamed("A", "new-five")})
	if status != 201 {
		t.Fatalf("member's new system: %d %s", status, data)
	}
	x, err := m.st.GetSystem(t.Context(), "new-five")
	if err != nil || x.TeamID != "team-a" {
		t.Errorf("new system: %+v %v", x, err)
	}
}

// freshProposal replaces the team's open phase proposal with a new one,
// for a cell that decides it.
func (m *matrix) freshProposal(team string) string {
	id := fmt.Sprintf("pp-cell-%d", m.seq)
	open, err := m.st.ListProposals(m.t.Context(), team, "open")
	if err != nil {
		m.t.Fatal(err)
	}
	for _, o := range open {
		if _, err := m.st.DecideProposal(m.t.Context(), o.ID, false, "test", "next cell", time.Time{}); err != nil {
			m.t.Fatal(err)
		}
	}
	if _, err := m.st.CreateProposal(m.t.Context(), store.PhaseProposal{ID: id, TeamID: team, From: "training", To: "observation"}); err != nil {
		m.t.Fatal(err)
	}
	return id
}

// openReview returns the open review of a system, requesting one (as the
// administrator) when there is none.
func (m *matrix) openReview(sys, team string) string {
	open, _, err := m.st.ListReviews(m.t.Context(), store.ReviewQuery{SystemID: sys, States: []string{"requested", "triaged", "in_review", "changes_requested"}})
	if err != nil {
		m.t.Fatal(err)
	}
	if len(open) > 0 {
		return open[0].ID
	}
	out := m.want(m.do("POST", "/api/v1/reviews", m.admin, map[string]any{"system": sys, "team": team,
		"answers": map[string]any{"sensitive_data": []string{"payment_card"}}}), 201)
	return out["id"].(string)
}
