package server

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/wardtm/ward/internal/store"
)

// OIDC configures single sign-on with an OpenID Connect identity provider
// (authorization code flow with PKCE). Accounts are created on first
// sign-in; at every sign-in the provider's groups decide the account's role:
//
//	a group in AdminGroups      admin
//	a group in SecurityGroups   security
//	a group TeamPrefix + <id>   member of team <id> (the first such group)
//	otherwise                   DefaultRole (viewer; "none" refuses the sign-in)
type OIDC struct {
	// Issuer is the provider's issuer URL; discovery is at
	// Issuer/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret Secret
	// RedirectURL is the callback registered with the provider (default
	// BASE/api/v1/oidc/callback, BASE being the first trusted origin or
	// https://<request host>).
	RedirectURL string
	// Scopes requested besides openid (default email, profile).
	Scopes []string
	// AllowedDomains, when not empty, limits sign-in to these email domains.
	AllowedDomains []string
	// GroupsClaim names the ID token claim listing the user's groups
	// (default "groups").
	GroupsClaim    string
	AdminGroups    []string // default ward-admins
	SecurityGroups []string // default security
	// TeamPrefix marks groups naming a team (default "team-").
	TeamPrefix string
	// DefaultRole is the role of users in no mapped group (default viewer);
	// "none" refuses them.
	DefaultRole store.Role
	// HTTPClient talks to the provider (default: a client with a 10s timeout).
	HTTPClient *http.Client
}

// RoleNone as OIDC.DefaultRole refuses users whose groups map to no role.
const RoleNone store.Role = "none"

// Secret is a string that never shows itself in logs or formatted output.
type Secret string

// LogValue redacts the secret in structured logs.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String redacts the secret in formatted output.
func (Secret) String() string { return "[redacted]" }

// GoString redacts the secret in %#v.
func (Secret) GoString() string { return `"[redacted]"` }

// LogValue shows the configuration without its secret.
func (o *OIDC) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", o.Issuer), slog.String("client_id", o.ClientID),
		slog.Any("client_secret", o.ClientSecret), slog.String("redirect_url", o.RedirectURL),
		slog.Any("allowed_domains", o.AllowedDomains))
}

// oidcCookie carries a sign-in attempt's state, nonce and PKCE verifier
// between /oidc/login and /oidc/callback, encrypted and authenticated.
const oidcCookie = "__Host-ward_oidc"

// oidcAttemptTTL bounds how long a user may take at the provider.
const oidcAttemptTTL = 10 * time.Minute

// oidcClient is the server's single-sign-on state.
type oidcClient struct {
	cfg  OIDC
	aead cipher.AEAD

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCClient(cfg *OIDC) *oidcClient {
	if cfg == nil || cfg.Issuer == "" {
		return nil
	}
	c := &oidcClient{cfg: *cfg}
	if c.cfg.GroupsClaim == "" {
		c.cfg.GroupsClaim = "groups"
	}
	if c.cfg.AdminGroups == nil {
		c.cfg.AdminGroups = []string{"ward-admins"}
	}
	if c.cfg.SecurityGroups == nil {
		c.cfg.SecurityGroups = []string{"security"}
	}
	if c.cfg.TeamPrefix == "" {
		c.cfg.TeamPrefix = "team-"
	}
	if c.cfg.DefaultRole == "" {
		c.cfg.DefaultRole = store.RoleViewer
	}
	if c.cfg.Scopes == nil {
		c.cfg.Scopes = []string{"email", "profile"}
	}
	if c.cfg.HTTPClient == nil {
		c.cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	// The cookie key derives from the client secret, so that every replica
	// shares it; without a secret it is random (one replica only).
	secret := []byte(c.cfg.ClientSecret)
	if len(secret) == 0 {
		secret = []byte(randomSecret())
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "ward oidc attempt cookie v1", 32)
	if err != nil {
		panic(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	c.aead, err = cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return c
}

// discover returns the provider, fetching its discovery document the first
// time (and again after a failure).
func (c *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.cfg.HTTPClient), c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	c.provider = p
	return p, nil
}

func (c *oidcClient) oauth2(p *oidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: string(c.cfg.ClientSecret), Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: append([]string{oidc.ScopeOpenID}, c.cfg.Scopes...)}
}

// attempt is one sign-in in progress, kept in the browser's cookie.
type attempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Redirect string `json:"r"`
	Expires  int64  `json:"e"`
}

func (c *oidcClient) seal(a attempt) string {
	plain, _ := json.Marshal(a)
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := randRead(nonce); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, []byte(oidcCookie)))
}

func (c *oidcClient) open(v string) (attempt, bool) {
	var a attempt
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) < c.aead.NonceSize() {
		return a, false
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, b[:n], b[n:], []byte(oidcCookie))
	if err != nil || json.Unmarshal(plain, &a) != nil {
		return a, false
	}
	return a, true
}

// redirectURL is the callback address for a request.
func (s *Server) oidcRedirectURL(r *http.Request) string {
	if s.oidc.cfg.RedirectURL != "" {
		return s.oidc.cfg.RedirectURL
	}
	base := "https://" + r.Host
	if len(s.cfg.TrustedOrigins) > 0 {
		base = strings.TrimSuffix(s.cfg.TrustedOrigins[0], "/")
	}
	return base + "/api/v1/oidc/callback"
}

func (s *Server) oidcProvider(ctx context.Context) (*oidc.Provider, error) {
	if s.oidc == nil {
		return nil, errorf(http.StatusNotFound, "oidc_disabled", "single sign-on is not configured on this server (see --oidc-issuer in docs/server.md)")
	}
	p, err := s.oidc.discover(ctx)
	if err != nil {
		s.log.Warn("oidc discovery failed", "issuer", s.oidc.cfg.Issuer, "err", err)
		return nil, errorf(http.StatusBadGateway, "oidc_provider", "the identity provider cannot be reached; try again later or tell your administrator")
	}
	return p, nil
}

// handleOIDCLogin starts a single sign-on: it remembers a fresh state, nonce
// and PKCE verifier in a short-lived cookie and sends the browser to the
// identity provider.
func (s *Server) handleOIDCLogin(w http.ResponseWriter, r *http.Request) error {
	p, err := s.oidcProvider(r.Context())
	if err != nil {
		return err
	}
	a := attempt{State: randomSecret(), Nonce: randomSecret(), Verifier: oauth2.GenerateVerifier(),
		Redirect: s.oidcRedirectURL(r), Expires: s.cfg.Now().Add(oidcAttemptTTL).Unix()}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: s.oidc.seal(a), Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(oidcAttemptTTL.Seconds())})
	w.Header().Set("Cache-Control", "no-store")
	to := s.oidc.oauth2(p, a.Redirect).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// oidcRefused is a refused sign-in: public (status, code, message) and a
// reason for the log that names no secret or token.
func (s *Server) oidcRefused(r *http.Request, status int, code, reason, format string, args ...any) error {
	s.log.Info("oidc sign-in refused", "request_id", requestID(r.Context()), "code", code, "reason", reason)
	return errorf(status, code, format, args...)
}

// handleOIDCCallback finishes a single sign-on: it checks the state,
// exchanges the code with the PKCE verifier, verifies the ID token, maps
// its claims to an account and starts a session.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.oidcProvider(ctx)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	// The attempt is used once, whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return s.oidcRefused(r, http.StatusUnauthorized, "oidc_denied", "provider error "+clip(e, 64),
			"the identity provider did not sign you in (%s); try again or ask your administrator", clip(e, 64))
	}
	startAgain := "start again at /api/v1/oidc/login"
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return s.oidcRefused(r, http.StatusBadRequest, "oidc_state", "no attempt cookie",
			"no sign-in is in progress in this browser (it expired, or cookies are blocked); %s", startAgain)
	}
	a, ok := s.oidc.open(c.Value)
	if !ok {
		return s.oidcRefused(r, http.StatusBadRequest, "oidc_state", "attempt cookie does not decrypt",
			"the sign-in attempt is not valid; %s", startAgain)
	}
	if s.cfg.Now().Unix() > a.Expires {
		return s.oidcRefused(r, http.StatusBadRequest, "oidc_state", "attempt expired",
			"the sign-in attempt expired; %s", startAgain)
	}
	if !constantTimeEqual(q.Get("state"), a.State) {
		return s.oidcRefused(r, http.StatusBadRequest, "oidc_state", "state mismatch",
			"the sign-in response does not belong to this browser's attempt (state mismatch); %s", startAgain)
	}
	code := q.Get("code")
	if code == "" {
		return s.oidcRefused(r, http.StatusBadRequest, "oidc_code", "no code", "the identity provider sent no authorization code; %s", startAgain)
	}
	tok, err := s.oidc.oauth2(p, a.Redirect).Exchange(oidc.ClientContext(ctx, s.oidc.cfg.HTTPClient), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		reason := "token exchange failed"
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			reason += ": " + clip(re.ErrorCode, 64)
		} else {
			reason += ": " + clip(err.Error(), 200)
		}
		return s.oidcRefused(r, http.StatusUnauthorized, "oidc_exchange", reason,
			"the identity provider refused the authorization code (already used, expired or not ours); %s", startAgain)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return s.oidcRefused(r, http.StatusBadGateway, "oidc_provider", "no id_token in the token response",
			"the identity provider sent no ID token; check that the client is an OpenID Connect client with the openid scope")
	}
	idt, err := p.VerifierContext(oidc.ClientContext(ctx, s.oidc.cfg.HTTPClient),
		&oidc.Config{ClientID: s.oidc.cfg.ClientID, Now: s.cfg.Now}).Verify(ctx, raw)
	if err != nil {
		var te *oidc.TokenExpiredError
		if errors.As(err, &te) {
			return s.oidcRefused(r, http.StatusUnauthorized, "oidc_token", "id token expired",
				"the identity provider's ID token has expired (check the server's clock); %s", startAgain)
		}
		return s.oidcRefused(r, http.StatusUnauthorized, "oidc_token", "id token invalid: "+clip(err.Error(), 200),
			"the identity provider's ID token could not be verified (issuer, audience or signature); tell your administrator")
	}
	if !constantTimeEqual(idt.Nonce, a.Nonce) {
		return s.oidcRefused(r, http.StatusUnauthorized, "oidc_token", "nonce mismatch",
			"the ID token was not issued for this sign-in attempt (nonce mismatch); %s", startAgain)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return s.oidcRefused(r, http.StatusBadGateway, "oidc_provider", "claims do not decode", "the identity provider's ID token is malformed")
	}
	u, err := s.oidcAccount(r, idt.Issuer+"|"+idt.Subject, claims)
	if err != nil {
		return err
	}
	if err := s.newSession(w, r, u); err != nil {
		return err
	}
	s.log.Info("oidc sign-in", "request_id", requestID(ctx), "user", u.ID, "role", u.Role)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// oidcAccount finds or creates the account of a verified identity and
// brings its role in line with the provider's groups.
func (s *Server) oidcAccount(r *http.Request, subject string, claims map[string]any) (store.User, error) {
	ctx := r.Context()
	email, _ := claims["email"].(string)
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return store.User{}, s.oidcRefused(r, http.StatusForbidden, "oidc_email", "no email claim",
			"the identity provider sent no email address; ask your administrator to release the email claim (scope email)")
	}
	if v, present := claims["email_verified"]; present && v != true && v != "true" {
		return store.User{}, s.oidcRefused(r, http.StatusForbidden, "oidc_email", "email not verified",
			"your email address is not verified at the identity provider; verify it and sign in again")
	}
	if d := s.oidc.cfg.AllowedDomains; len(d) > 0 && !slices.ContainsFunc(d, func(x string) bool { return strings.EqualFold(x, email[at+1:]) }) {
		return store.User{}, s.oidcRefused(r, http.StatusForbidden, "oidc_domain", "email domain not allowed",
			"accounts of %s may not sign in to this server; use your organisation's account", email[at+1:])
	}
	role, team := s.oidc.role(groupsClaim(claims[s.oidc.cfg.GroupsClaim]))
	if role == RoleNone {
		return store.User{}, s.oidcRefused(r, http.StatusForbidden, "oidc_no_role", "no mapped group",
			"your account is in no group that gives access to Ward; ask your administrator")
	}
	name, _ := claims["name"].(string)
	u, err := s.store.GetUserBySubject(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		u, err = s.store.CreateUser(ctx, store.User{ID: "u-" + newID(6), Email: email, Name: clip(name, 200), Role: role, TeamID: team, Subject: subject}, "oidc")
		if errors.Is(err, store.ErrExists) {
			// Either a concurrent first sign-in created it, or the email
			// belongs to another account (never linked automatically).
			if u, err = s.store.GetUserBySubject(ctx, subject); errors.Is(err, store.ErrNotFound) {
				return store.User{}, s.oidcRefused(r, http.StatusConflict, "oidc_email_taken", "email belongs to another account",
					"another Ward account already uses %s; ask your administrator to remove or rename it", email)
			}
		}
		if err != nil {
			return store.User{}, err
		}
		s.log.Info("oidc account created", "user", u.ID, "role", u.Role)
	} else if err != nil {
		return store.User{}, err
	}
	if u.Disabled {
		return store.User{}, s.oidcRefused(r, http.StatusForbidden, "account_disabled", "account disabled", "your Ward account is disabled; ask your administrator")
	}
	if u.Role != role || u.TeamID != team {
		if u, err = s.store.SetUserRole(ctx, u.ID, role, team, "oidc"); err != nil {
			return store.User{}, err
		}
		s.tokenCache.invalidate() // the account's tokens may no longer be allowed
	}
	return u, nil
}

// role maps a user's groups to a role and team.
func (c *oidcClient) role(groups []string) (store.Role, string) {
	in := func(set []string) bool {
		return slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(set, g) })
	}
	switch {
	case in(c.cfg.AdminGroups):
		return store.RoleAdmin, ""
	case in(c.cfg.SecurityGroups):
		return store.RoleSecurity, ""
	}
	for _, g := range groups {
		if id, ok := strings.CutPrefix(g, c.cfg.TeamPrefix); ok && validID(id) {
			return store.RoleMember, id
		}
	}
	return c.cfg.DefaultRole, ""
}

// groupsClaim reads a groups claim: a list of strings, or one string.
func groupsClaim(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, g := range v {
			if s, ok := g.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// clip bounds a string taken from outside before it reaches a log or a
// message.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s), "")
}
