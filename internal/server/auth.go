package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// SessionCookie is the browser session cookie. The __Host- prefix makes
// browsers refuse it unless it is Secure, has Path=/ and no Domain.
const SessionCookie = "__Host-ward_session"

// Principal is who is making a request: an account (by session) or an API
// token.
type Principal struct {
	UserID  string
	TokenID string
	Email   string
	Role    store.Role
	// TeamID limits members and tokens to one team.
	TeamID string
	// OwnerID is the account behind the request: UserID for a session,
	// the token's creator for a token ("" for tokens no account created).
	OwnerID string
	// TokenExpires is when the token stops working (zero for sessions).
	TokenExpires time.Time
	// session is the hash of the session id, for a session.
	session string
}

// Actor names the principal in the audit log.
func (p *Principal) Actor() string {
	if p.TokenID != "" {
		return "token:" + p.TokenID
	}
	return "user:" + p.UserID
}

// LogValue keeps principals short in logs.
func (p *Principal) LogValue() slog.Value {
	return slog.StringValue(p.Actor())
}

func principal(ctx context.Context) *Principal {
	p, _ := ctx.Value(keyPrincipal).(*Principal)
	return p
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomSecret() string {
	b := make([]byte, 32)
	if _, err := randRead(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// authenticate finds the principal of a request from its bearer token or
// session cookie; it returns nil for anonymous requests.
func (s *Server) authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(tok, "ward_") {
			return nil, errorf(http.StatusUnauthorized, "unauthenticated", "use Authorization: Bearer ward_... with an API token")
		}
		return s.tokenPrincipal(ctx, tok)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	sess, err := s.store.GetSession(ctx, hashSecret(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !s.cfg.Now().Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, sess.IDHash)
		return nil, nil
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	return &Principal{UserID: u.ID, OwnerID: u.ID, Email: u.Email, Role: u.Role, TeamID: u.TeamID, session: sess.IDHash}, nil
}

// tokenPrincipal checks an API token: known, not revoked, not expired, and
// its creator still an enabled account (an administrator, for an
// administrator's token).
//
// A token found valid is cached for tokenCacheTTL (authcache.go); its
// expiry is still checked on every request.
func (s *Server) tokenPrincipal(ctx context.Context, secret string) (*Principal, error) {
	hash := hashSecret(secret)
	now := s.cfg.Now()
	e, ok, gen := s.tokenCache.get(hash, now)
	if !ok {
		p, lastUsed, err := s.lookupToken(ctx, hash, now)
		if err != nil {
			return nil, err
		}
		e = tokenEntry{p: *p, lastUsed: lastUsed, until: now.Add(tokenCacheTTL)}
		s.tokenCache.put(hash, gen, e)
	}
	if !e.p.TokenExpires.IsZero() && !now.Before(e.p.TokenExpires) {
		return nil, errorf(http.StatusUnauthorized, "token_expired", "the API token expired on %s; create a new one (ward token create)", e.p.TokenExpires.Format(time.DateOnly))
	}
	if now.Sub(e.lastUsed) > time.Minute {
		_ = s.store.TouchToken(ctx, e.p.TokenID, now)
		s.tokenCache.touched(hash, now)
	}
	p := e.p
	return &p, nil
}

// lookupToken is tokenPrincipal's lookup in the store; it also returns
// when the token was last used.
func (s *Server) lookupToken(ctx context.Context, hash string, now time.Time) (*Principal, time.Time, error) {
	t, err := s.store.GetTokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.Revoked {
		return nil, time.Time{}, errorf(http.StatusUnauthorized, "unauthenticated", "the API token is unknown or revoked")
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	if t.Expired(now) {
		return nil, time.Time{}, errorf(http.StatusUnauthorized, "token_expired", "the API token expired on %s; create a new one (ward token create)", t.ExpiresAt.Format(time.DateOnly))
	}
	owner := t.Creator()
	if owner != "" {
		u, err := s.store.GetUser(ctx, owner)
		if errors.Is(err, store.ErrNotFound) || err == nil && (u.Disabled || t.Role == store.RoleAdmin && u.Role != store.RoleAdmin) {
			return nil, time.Time{}, errorf(http.StatusUnauthorized, "unauthenticated", "the account that created this API token is disabled, deleted or no longer allowed to hold it")
		}
		if err != nil {
			return nil, time.Time{}, err
		}
	}
	return &Principal{TokenID: t.ID, Role: t.Role, TeamID: t.TeamID, OwnerID: owner, TokenExpires: t.ExpiresAt}, t.LastUsed, nil
}

// authed wraps a handler that needs a principal.
func (s *Server) authed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(http.StatusUnauthorized, "unauthenticated", "sign in, or send an API token")
		}
		if err := s.refuseEarly(r, p); err != nil {
			return err
		}
		if !p.TokenExpires.IsZero() {
			// Clients (ward push, ward token) warn when this is near.
			w.Header().Set("Ward-Token-Expires", p.TokenExpires.UTC().Format(time.RFC3339))
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	}
}

// Access is what a principal wants to do with a team's data.
type Access int

// Kinds of access.
const (
	Read Access = iota
	Write
	Review
	Admin
	// Approve is security's part of design reviews: triage, assign,
	// approve or send back a review request, enter review hours.
	Approve
	// Join is taking part in a team's live session (cards, votes,
	// reflection); Observe is watching one and posting hints.
	Join
	Observe
	// Configure is managing a team's notification webhooks (notify.go).
	Configure
	// Instruct is opening and running training runs; Train is taking
	// part in one (joining a group, for the principal's own team).
	Instruct
	Train
	// Coach is a security coach's part of the self-serve programme:
	// import outside findings, confirm or dismiss phase proposals, set a
	// team's phase.
	Coach
)

// Allowed reports whether p may have access a to the data of team teamID
// ("" for organisation-wide data). It is the whole authorization policy:
//
//	admin     everything
//	security  reads everything; reviews (decisions, assumption status) on
//	          every team; never pushes, edits mitigations or manages tokens;
//	          triages and approves design reviews (Approve) of every team
//	member    reads, writes and reviews their own team only; requests
//	          design reviews but never approves them
//	viewer    reads everything, changes nothing
//	anonymous nothing but /healthz, /readyz, /api/v1/version, the OpenAPI
//	          document, setup, login and logout
//
// Notifications: a team's webhooks are configured (Configure) by
// administrators and by the team's members signed in, never by a token
// (a token must not redirect the team's notifications); each signed-in
// account sets its own preferences.
//
// The self-serve programme: security engineers (and admins) coach
// (Coach): import outside findings and move teams between phases; members
// read their own team's programme page; organisation-wide views (the
// leadership view, every team) are read by whoever reads everything
// (admin, security, viewer — leaders sign in as viewers).
//
// Live sessions: members join their team's sessions (Join, Observe) and
// open them (Write); security observes any team's (Observe); viewers read
// them; a guest (RoleGuest, TeamID "session:<id>") reads and joins that one
// session only, with nothing else of the organisation readable.
//
// Training: security engineers and administrators instruct (open and
// run training runs); members train for their own team (join a group of
// a run, write threats); security may also join a group (no team
// evidence); viewers read runs and results. A training guest (RoleGuest,
// TeamID "training:<run>", from the run's guest link) reads that run and
// trains in it only, with nothing else of the organisation readable.
//
// API tokens act as members (or viewers) of their team, and only of their
// team: a viewer token does not read other teams. Team tokens never create
// or revoke tokens; an administrator's own token (role admin, made by a
// signed-in administrator) acts as an administrator but never makes another
// administrator's token. Disabled and deleted accounts are anonymous, and
// so are the tokens they created.
//
// Handlers apply it as follows. Access to a system of a team the
// principal may not read answers 404, not 403, so that other teams'
// systems, teams and tokens are not revealed; organisation-wide lists
// (teams, systems, findings, mitigations, assumptions) are narrowed to the
// principal's team. Accounts (GET/POST /api/v1/users) and creating teams
// need Admin. The audit log is read by admins and security engineers.
// Tokens are listed, created and revoked by admins and by members (signed
// in, not by token) for their own team. /metrics needs Admin, or the
// bearer secret Config.MetricsToken for a Prometheus scraper.
//
// internal/server/authz_test.go checks every route against every kind of
// principal.
func Allowed(p *Principal, a Access, teamID string) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case store.RoleAdmin:
		return true
	case store.RoleSecurity:
		return a == Read || a == Review || a == Approve || a == Observe || a == Instruct || a == Train || a == Coach
	case store.RoleViewer:
		return a == Read && p.TokenID == "" || a == Read && teamID == p.TeamID
	case store.RoleMember:
		return a != Admin && a != Approve && a != Instruct && a != Coach && teamID != "" && teamID == p.TeamID && (a != Configure || p.TokenID == "")
	case store.RoleGuest:
		return (a == Read || a == Join) && strings.HasPrefix(teamID, "session:") && teamID == p.TeamID ||
			(a == Read || a == Train) && strings.HasPrefix(teamID, "training:") && teamID == p.TeamID
	}
	return false
}

func (s *Server) require(r *http.Request, a Access, teamID string) error {
	return s.requireP(principal(r.Context()), a, teamID)
}

// requireP is require for op functions, which get the principal passed.
func (s *Server) requireP(p *Principal, a Access, teamID string) error {
	if !Allowed(p, a, teamID) {
		return errorf(http.StatusForbidden, "forbidden", "your role (%s) does not allow this", p.Role)
	}
	return nil
}

// loginLimiter throttles password guessing per account and per client
// address, independently: after 5 failures on an account, or 10 from an
// address (an IPv6 /64), in 15 minutes, further attempts wait, doubling
// each time up to 15 minutes. A successful sign-in clears its account's
// count only: an address's count is never reset by a success, so an
// attacker cannot reset it by signing in to an account of their own.
type loginLimiter struct {
	mu   sync.Mutex
	now  func() time.Time
	hits map[string]*attempts
}

type attempts struct {
	fails int
	first time.Time
	until time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, hits: map[string]*attempts{}}
}

const (
	loginFree     = 5
	loginFreeAddr = 10
	loginWindow   = 15 * time.Minute
)

// wait returns how long the keys must wait before another attempt.
func (l *loginLimiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var d time.Duration
	for _, k := range keys {
		if a := l.hits[k]; a != nil && a.until.After(now) {
			d = max(d, a.until.Sub(now))
		}
	}
	return d
}

func (l *loginLimiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.hits) > 100_000 { // bound memory under a spray of addresses
		for k, a := range l.hits {
			if now.Sub(a.first) > loginWindow {
				delete(l.hits, k)
			}
		}
	}
	for _, k := range keys {
		a := l.hits[k]
		if a == nil || now.Sub(a.first) > loginWindow && a.until.Before(now) {
			a = &attempts{first: now}
			l.hits[k] = a
		}
		a.fails++
		free := loginFree
		if strings.HasPrefix(k, "ip:") {
			free = loginFreeAddr
		}
		if a.fails >= free {
			backoff := time.Second << min(a.fails-free, 10)
			a.until = now.Add(min(backoff, loginWindow))
		}
	}
}

func (l *loginLimiter) succeed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.hits, k)
	}
}

// throttled is the 429 of a throttled sign-in; the adapter turns its
// RetryAfter into the Retry-After header.
func throttled(d time.Duration) error {
	e := errorf(http.StatusTooManyRequests, "throttled", "too many failed sign-ins; try again in %s", d.Round(time.Second))
	e.RetryAfter = d
	return e
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	// One IPv6 host owns a whole /64: throttle the network, not the address.
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// dummyHash is checked when an account does not exist, so that timing does
// not tell which emails have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password-for-timing")
	return h
})

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.login(w, r, req.Email, req.Password)
	if err != nil {
		return err
	}
	return s.startSession(w, r, u)
}

// login checks an email and password, throttling guesses; it is the
// operation behind POST /api/v1/login and the sign-in page.
func (s *Server) login(w http.ResponseWriter, r *http.Request, email, password string) (store.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{"email:" + email, "ip:" + clientIP(r)}
	if d := s.limiter.wait(keys...); d > 0 {
		return store.User{}, throttled(d)
	}
	u, err := s.store.GetUserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = dummyHash()
	}
	ok, herr := CheckPassword(hash, password)
	if herr != nil || !ok || u.ID == "" || u.PasswordHash == "" || u.Disabled {
		s.limiter.fail(keys...)
		return store.User{}, errorf(http.StatusUnauthorized, "bad_credentials", "wrong email or password")
	}
	s.limiter.succeed(keys[0]) // the account's count only, never the address's
	return u, nil
}

// startSession creates a session for u, sets its cookie and answers with
// the account.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	if err := s.newSession(w, r, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(u))
	return nil
}

// newSession creates a session for u and sets its cookie.
func (s *Server) newSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	secret := randomSecret()
	now := s.cfg.Now()
	if err := s.store.CreateSession(r.Context(), store.Session{IDHash: hashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endSession deletes the request's session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.store.DeleteSession(r.Context(), hashSecret(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if _, err := r.Cookie(TraineeCookie); err == nil { // a training run's guest signs out too
		http.SetCookie(w, &http.Cookie{Name: TraineeCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	}
	return nil
}

type setupRequest struct {
	Token    string `json:"token"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// handleSetup creates the first administrator, once, with the one-time
// token printed at start-up.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) error {
	var req setupRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.setup(r.Context(), req)
	if err != nil {
		return err
	}
	return s.startSession(w, r, u)
}

// setupOpen reports whether the first administrator may still be created.
func (s *Server) setupOpen(ctx context.Context) (bool, error) {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	return s.cfg.SetupToken != "" && !s.setupUsed && n == 0, nil
}

// setup creates the first administrator; it is the operation behind
// POST /api/v1/setup and the first-run page.
func (s *Server) setup(ctx context.Context, req setupRequest) (store.User, error) {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return store.User{}, err
	}
	if s.cfg.SetupToken == "" || s.setupUsed || n > 0 {
		return store.User{}, errorf(http.StatusGone, "setup_done", "setup is already done; sign in instead")
	}
	if !constantTimeEqual(req.Token, s.cfg.SetupToken) {
		return store.User{}, errorf(http.StatusForbidden, "bad_setup_token", "wrong setup token; use the one ward serve printed")
	}
	if !strings.Contains(req.Email, "@") {
		return store.User{}, errorf(http.StatusBadRequest, "invalid", "email must be an email address")
	}
	hash, err := HashPassword(req.Password)
	if err != nil {
		return store.User{}, err
	}
	u, err := s.store.CreateUser(ctx, store.User{ID: "u-" + newID(6), Email: req.Email, Name: req.Name, Role: store.RoleAdmin, PasswordHash: hash}, "setup")
	if err != nil {
		return store.User{}, err
	}
	s.setupUsed = true
	s.log.Info("first administrator created", "user", u.ID)
	return u, nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"user_id": p.UserID, "token_id": p.TokenID, "email": p.Email, "role": p.Role, "team": p.TeamID})
	return nil
}
