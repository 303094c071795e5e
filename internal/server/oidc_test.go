package server_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/server/oidctest"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

const ssoSecret = "client-secret-for-tests-7f3a"

// sso is a Ward server (over TLS, so that the cookie jar sends its Secure
// __Host- cookies) signing in through a fake identity provider.
type sso struct {
	t      *testing.T
	idp    *oidctest.Provider
	ward   *httptest.Server
	st     *sqlstore.DB
	logs   *bytes.Buffer
	client *http.Client // follows redirects, stops at Ward's "/"
	step   *http.Client // follows no redirect
}

func newSSO(t *testing.T, configure func(*server.OIDC)) *sso {
	t.Helper()
	idp := oidctest.New("ward", ssoSecret)
	t.Cleanup(idp.Close)
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := &server.OIDC{Issuer: idp.Issuer, ClientID: "ward", ClientSecret: ssoSecret, AllowedDomains: []string{"example.com"}}
	if configure != nil {
		configure(cfg)
	}
	logs := &bytes.Buffer{}
	var h http.Handler
	ward := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ward.Close)
	h = server.New(server.Config{OIDC: cfg}, st, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	jar, _ := cookiejar.New(nil)
	wardURL, _ := url.Parse(ward.URL)
	base := ward.Client()
	client := &http.Client{Transport: base.Transport, Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == wardURL.Host && req.URL.Path == "/" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	step := &http.Client{Transport: base.Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &sso{t: t, idp: idp, ward: ward, st: st, logs: logs, client: client, step: step}
}

func (s *sso) get(c *http.Client, u string) *http.Response {
	s.t.Helper()
	req, _ := http.NewRequestWithContext(s.t.Context(), "GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// login runs the whole flow and returns the last response (a 303 to "/"
// on success, an error from the callback otherwise).
func (s *sso) login() *http.Response {
	s.t.Helper()
	return s.get(s.client, s.ward.URL+"/api/v1/oidc/login")
}

// callbackURL runs the flow up to the provider's redirect back to Ward.
func (s *sso) callbackURL() *url.URL {
	s.t.Helper()
	resp := s.get(s.step, s.ward.URL+"/api/v1/oidc/login")
	if resp.StatusCode != http.StatusFound {
		s.t.Fatalf("login: status %d", resp.StatusCode)
	}
	resp = s.get(s.step, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound {
		s.t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// refused checks that resp is a JSON error with status and code.
func refused(t *testing.T, resp *http.Response, status int, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != status || body.Error.Code != code {
		t.Fatalf("got %d %q (%s), want %d %q", resp.StatusCode, body.Error.Code, body.Error.Message, status, code)
	}
	if body.Error.Message == "" {
		t.Error("no message for the user")
	}
}

func (s *sso) me() map[string]any {
	s.t.Helper()
	resp := s.get(s.client, s.ward.URL+"/api/v1/me")
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("/me: status %d", resp.StatusCode)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		s.t.Fatal(err)
	}
	return m
}

func (s *sso) signedIn(resp *http.Response) {
	s.t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		s.t.Fatalf("sign-in: status %d, location %q: %s", resp.StatusCode, resp.Header.Get("Location"), b.String())
	}
}

func TestOIDCLogin(t *testing.T) {
	s := newSSO(t, nil)
	s.idp.SetUser(oidctest.User{Subject: "u-42", Email: "Alice@Example.com", EmailVerified: true, Name: "Alice", Groups: []string{"team-pay"}})

	// The redirect to the provider carries state, nonce and PKCE (S256),
	// and the attempt cookie is __Host-, Secure, HttpOnly and SameSite=Lax.
	resp := s.get(s.step, s.ward.URL+"/api/v1/oidc/login")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	to, _ := url.Parse(resp.Header.Get("Location"))
	q := to.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("authorize URL has no %s: %s", k, to)
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != s.ward.URL+"/api/v1/oidc/callback" || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("authorize URL: %s", to)
	}
	var attempt *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-ward_oidc" {
			attempt = c
		}
	}
	if attempt == nil || !attempt.Secure || !attempt.HttpOnly || attempt.SameSite != http.SameSiteLaxMode || attempt.Path != "/" || attempt.MaxAge <= 0 || attempt.MaxAge > 900 {
		t.Fatalf("attempt cookie: %+v", attempt)
	}
	for _, secret := range []string{q.Get("state"), q.Get("nonce")} {
		if strings.Contains(attempt.Value, secret) {
			t.Error("the attempt cookie shows its contents")
		}
	}

	s.signedIn(s.login())
	me := s.me()
	if me["email"] != "alice@example.com" || me["role"] != "member" || me["team"] != "pay" {
		t.Errorf("/me = %v", me)
	}
	u, err := s.st.GetUserBySubject(t.Context(), s.idp.Issuer+"|u-42")
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash != "" || u.Name != "Alice" || u.ID != me["user_id"] {
		t.Errorf("provisioned account: %+v", u)
	}

	// A second sign-in reuses the account, and the provider's groups
	// decide its role.
	s.idp.SetUser(oidctest.User{Subject: "u-42", Email: "alice@example.com", EmailVerified: true, Name: "Alice", Groups: []string{"security"}})
	s.signedIn(s.login())
	if me2 := s.me(); me2["user_id"] != me["user_id"] || me2["role"] != "security" || me2["team"] != "" {
		t.Errorf("second sign-in: /me = %v, first %v", me2, me)
	}
	if n, _ := s.st.CountUsers(t.Context()); n != 1 {
		t.Errorf("%d accounts after two sign-ins, want 1", n)
	}

	// Nothing secret reaches the log.
	logs := s.logs.String()
	for _, secret := range []string{ssoSecret, attempt.Value, q.Get("nonce")} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log shows a secret: %s", logs)
		}
	}
	if !strings.Contains(logs, "oidc sign-in") {
		t.Errorf("sign-in not logged: %s", logs)
	}
}

func TestOIDCRoleMapping(t *testing.T) {
	for _, tc := range []struct {
		name     string
		groups   []string
		role     string
		team     string
		override func(*server.OIDC)
	}{
		{name: "admin", groups: []string{"staff", "ward-admins"}, role: "admin"},
		{name: "security", groups: []string{"security"}, role: "security"},
		{name: "security wins over team", groups: []string{"team-pay", "security"}, role: "security"},
		{name: "team member", groups: []string{"staff", "team-web", "team-pay"}, role: "member", team: "web"},
		{name: "bad team id ignored", groups: []string{"team-Not Valid"}, role: "viewer"},
		{name: "no groups: viewer", role: "viewer"},
		{name: "custom names", groups: []string{"Ward Admins"}, role: "admin", override: func(o *server.OIDC) { o.AdminGroups = []string{"Ward Admins"} }},
		{name: "custom prefix", groups: []string{"ward:pay"}, role: "member", team: "pay", override: func(o *server.OIDC) { o.TeamPrefix = "ward:" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSSO(t, tc.override)
			s.idp.SetUser(oidctest.User{Subject: "s1", Email: "bob@example.com", EmailVerified: true, Groups: tc.groups})
			s.signedIn(s.login())
			if me := s.me(); me["role"] != tc.role || me["team"] != tc.team {
				t.Errorf("/me = %v, want role %s team %q", me, tc.role, tc.team)
			}
		})
	}
}

func TestOIDCRefusals(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		configure func(*server.OIDC)
		arrange   func(*sso)
		status    int
		code      string
	}{
		{name: "bad nonce", arrange: func(s *sso) { s.idp.Tamper(func(c map[string]any) { c["nonce"] = "someone-elses" }) }, status: 401, code: "oidc_token"},
		{name: "expired token", arrange: func(s *sso) {
			s.idp.Tamper(func(c map[string]any) {
				c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
			})
		}, status: 401, code: "oidc_token"},
		{name: "signed by another key", arrange: func(s *sso) { s.idp.SignWith(otherKey) }, status: 401, code: "oidc_token"},
		{name: "audience mismatch", arrange: func(s *sso) { s.idp.Tamper(func(c map[string]any) { c["aud"] = "another-client" }) }, status: 401, code: "oidc_token"},
		{name: "issuer mismatch", arrange: func(s *sso) { s.idp.Tamper(func(c map[string]any) { c["iss"] = "https://evil.test" }) }, status: 401, code: "oidc_token"},
		{name: "disallowed email domain", arrange: func(s *sso) {
			s.idp.SetUser(oidctest.User{Subject: "m", Email: "mallory@evil.test", EmailVerified: true, Groups: []string{"ward-admins"}})
		}, status: 403, code: "oidc_domain"},
		{name: "domain suffix is not the domain", arrange: func(s *sso) {
			s.idp.SetUser(oidctest.User{Subject: "m", Email: "mallory@notexample.com", EmailVerified: true})
		}, status: 403, code: "oidc_domain"},
		{name: "unverified email", arrange: func(s *sso) {
			s.idp.SetUser(oidctest.User{Subject: "m", Email: "mallory@example.com", EmailVerified: false})
		}, status: 403, code: "oidc_email"},
		{name: "no email", arrange: func(s *sso) { s.idp.Tamper(func(c map[string]any) { delete(c, "email") }) }, status: 403, code: "oidc_email"},
		{name: "no mapped group with default none", configure: func(o *server.OIDC) { o.DefaultRole = server.RoleNone },
			arrange: func(s *sso) {}, status: 403, code: "oidc_no_role"},
		{name: "wrong client secret", configure: func(o *server.OIDC) { o.ClientSecret = "not-the-secret" }, arrange: func(s *sso) {}, status: 401, code: "oidc_exchange"},
		{name: "email taken by a local account", arrange: func(s *sso) {
			if _, err := s.st.CreateUser(s.t.Context(), store.User{ID: "u-local", Email: "alice@example.com", Role: store.RoleAdmin, PasswordHash: "$argon2id$x"}, "setup"); err != nil {
				s.t.Fatal(err)
			}
		}, status: 409, code: "oidc_email_taken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSSO(t, tc.configure)
			tc.arrange(s)
			refused(t, s.login(), tc.status, tc.code)
			if resp := s.get(s.client, s.ward.URL+"/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("signed in after a refusal: /me %d", resp.StatusCode)
			}
			if n, _ := s.st.CountUsers(t.Context()); n > 0 && tc.code != "oidc_email_taken" {
				t.Errorf("%d accounts created by a refused sign-in", n)
			}
			if strings.Contains(s.logs.String(), ssoSecret) {
				t.Error("the log shows the client secret")
			}
			if !strings.Contains(s.logs.String(), "oidc sign-in refused") {
				t.Errorf("refusal not logged: %s", s.logs)
			}
		})
	}
}

func TestOIDCStateAndReplay(t *testing.T) {
	s := newSSO(t, nil)

	// A response whose state is not this browser's is refused, and its code
	// is not exchanged.
	cb := s.callbackURL()
	q := cb.Query()
	q.Set("state", "forged")
	cb.RawQuery = q.Encode()
	refused(t, s.get(s.client, cb.String()), 400, "oidc_state")
	if n := s.idp.TokensIssued(); n != 0 {
		t.Errorf("a code was exchanged despite a bad state (%d)", n)
	}

	// Without the attempt cookie (another browser) the response is refused.
	cb = s.callbackURL()
	other := &http.Client{Transport: s.client.Transport}
	refused(t, s.get(other, cb.String()), 400, "oidc_state")

	// A tampered attempt cookie is refused.
	cb = s.callbackURL()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", cb.String(), nil)
	req.AddCookie(&http.Cookie{Name: "__Host-ward_oidc", Value: "AAAA" + strings.Repeat("x", 60)})
	resp, err := other.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	refused(t, resp, 400, "oidc_state")

	// A good sign-in, then its callback replayed: the attempt is spent.
	cb = s.callbackURL()
	s.signedIn(s.get(s.client, cb.String()))
	refused(t, s.get(s.client, cb.String()), 400, "oidc_state")

	// The same code with a fresh, valid state: the provider refuses it.
	fresh := s.callbackURL()
	q = fresh.Query()
	q.Set("code", cb.Query().Get("code"))
	fresh.RawQuery = q.Encode()
	refused(t, s.get(s.client, fresh.String()), 401, "oidc_exchange")

	// The provider reporting an error.
	fresh = s.callbackURL()
	q = url.Values{"error": {"access_denied"}, "state": {fresh.Query().Get("state")}}
	fresh.RawQuery = q.Encode()
	refused(t, s.get(s.client, fresh.String()), 401, "oidc_denied")
}

func TestOIDCDisabled(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/api/v1/oidc/login", "/api/v1/oidc/callback?code=x&state=y"} {
		resp := e.do("GET", p, "", nil)
		refused(t, resp, 404, "oidc_disabled")
		resp.Body.Close()
	}
}

func TestOIDCProviderDown(t *testing.T) {
	s := newSSO(t, func(o *server.OIDC) { o.Issuer = "http://127.0.0.1:1" })
	refused(t, s.login(), 502, "oidc_provider")
}

func TestOIDCSecretRedacted(t *testing.T) {
	cfg := &server.OIDC{Issuer: "https://idp.example.com", ClientID: "ward", ClientSecret: "hunter2-very-secret"}
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "oidc", cfg, "secret", cfg.ClientSecret)
	for _, out := range []string{b.String(), fmt.Sprintf("%v %+v %#v %s", cfg, *cfg, *cfg, cfg.ClientSecret)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret shown: %s", out)
		}
	}
	if !strings.Contains(b.String(), "idp.example.com") {
		t.Errorf("config not logged: %s", b.String())
	}
}
