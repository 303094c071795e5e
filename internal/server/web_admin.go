package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// Administration (teams, accounts and roles, API tokens per team) and "my
// account" (password, my tokens). Every action is an op function shared
// with the JSON API (accounts.go, tokens.go, api.go); a secret (a new
// token, a first or reset password) is shown once, on the page that
// answers the form, never in a redirect or a cookie.

func (s *Server) adminPages(wr webRouter) {
	wr.page("GET /admin", s.pageAdmin)
	wr.page("POST /admin/teams", s.pageCreateTeam)
	wr.page("POST /admin/users", s.pageCreateUser)
	wr.page("POST /admin/users/{id}", s.pageUpdateUser)
	wr.page("POST /admin/users/{id}/password", s.pageResetPassword)
	wr.page("POST /admin/tokens", s.pageCreateToken)
	wr.page("POST /tokens/{id}/revoke", s.pageRevokeToken)
	wr.page("GET /account", s.pageAccount)
	wr.page("POST /account/password", s.pageChangePassword)
	wr.page("POST /account/tokens", s.pageCreateToken)
}

// tokenRow is a token for display.
type tokenRow struct {
	store.Token
	Expired, ExpiringSoon bool
}

func (s *Server) tokenRows(ts []store.Token) []tokenRow {
	now := s.cfg.Now()
	out := make([]tokenRow, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenRow{Token: t, Expired: t.Expired(now),
			ExpiringSoon: !t.Revoked && !t.Expired(now) && !t.ExpiresAt.IsZero() && t.ExpiresAt.Sub(now) < tokenExpiringSoon})
	}
	// Working tokens first, newest first.
	slices.SortStableFunc(out, func(a, b tokenRow) int {
		if da, db := a.Revoked || a.Expired, b.Revoked || b.Expired; da != db {
			if da {
				return 1
			}
			return -1
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return out
}

// secret is a value shown once.
type secret struct {
	What, Value, Hint string
}

type adminView struct {
	Teams      []store.Team
	Users      []store.User
	UsersTotal int
	Tokens     []tokenRow
	Team       string // the tokens shown are this team's ("" all)
	Roles      []store.Role
	DefaultTTL int
	MaxTTL     int
	Secret     *secret
	Error      string
}

// adminData gathers the administration page.
func (s *Server) adminData(r *http.Request) (adminView, error) {
	ctx := r.Context()
	p := principal(ctx)
	av := adminView{Team: r.URL.Query().Get("team"), Roles: []store.Role{store.RoleAdmin, store.RoleSecurity, store.RoleMember, store.RoleViewer},
		DefaultTTL: int(s.cfg.TokenTTL.Hours() / 24), MaxTTL: int(s.cfg.MaxTokenTTL.Hours() / 24)}
	if err := s.requireP(p, Admin, ""); err != nil {
		return av, err
	}
	teams, _, err := s.store.ListTeams(ctx, store.Page{Limit: 500})
	if err != nil {
		return av, err
	}
	av.Teams = teams
	if av.Users, av.UsersTotal, err = s.opListUsers(ctx, p, store.Page{Limit: 500}); err != nil {
		return av, err
	}
	ts, err := s.opListTokens(ctx, p, av.Team)
	if err != nil {
		return av, err
	}
	av.Tokens = s.tokenRows(ts)
	return av, nil
}

func (s *Server) pageAdmin(w http.ResponseWriter, r *http.Request) error {
	av, err := s.adminData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "admin.html", "Administration", av)
}

// adminAnswer shows the administration page again after a form: with the
// secret to copy, or with the form's error (4xx) in place.
func (s *Server) adminAnswer(w http.ResponseWriter, r *http.Request, sec *secret, ferr error) error {
	status := http.StatusOK
	msg := ""
	if ferr != nil {
		pe := classify(ferr)
		if pe == nil || pe.Status >= 500 || pe.Status == http.StatusForbidden || pe.Status == http.StatusNotFound {
			return ferr // the error page
		}
		status, msg = pe.Status, pe.Msg
	}
	av, err := s.adminData(r)
	if err != nil {
		return err
	}
	av.Secret, av.Error = sec, msg
	return s.renderStatus(w, r, status, "admin.html", "layout", s.viewFor(w, r, "Administration", av))
}

func (s *Server) pageCreateTeam(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	t, err := s.opCreateTeam(r.Context(), principal(r.Context()), teamCreate{ID: formValue(r, "id"), Name: formValue(r, "name")})
	if err != nil {
		return s.adminAnswer(w, r, nil, err)
	}
	return s.done(w, r, "/admin#teams", "Team "+t.ID+" created.")
}

// newPassword is a first or reset password to hand over.
func newPassword() string { return "ward-" + randomSecret()[:16] }

func (s *Server) pageCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	pw := newPassword()
	req := userCreate{Email: strings.ToLower(formValue(r, "email")), Name: formValue(r, "name"), Role: store.Role(formValue(r, "role")),
		Team: formValue(r, "team"), Password: pw}
	u, err := s.opCreateUser(r.Context(), principal(r.Context()), req)
	if err != nil {
		return s.adminAnswer(w, r, nil, err)
	}
	return s.adminAnswer(w, r, &secret{What: "First password of " + u.Email, Value: pw,
		Hint: "Hand it over privately; they sign in at /login and change it under My account. It is not shown again."}, nil)
}

func (s *Server) pageUpdateUser(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var req userPatch
	what := ""
	switch formValue(r, "action") {
	case "role":
		role, team := store.Role(formValue(r, "role")), formValue(r, "team")
		req.Role, req.Team = &role, &team
		what = "role changed to " + string(role)
	case "disable", "enable":
		d := formValue(r, "action") == "disable"
		req.Disabled = &d
		what = formValue(r, "action") + "d"
	default:
		return errorf(http.StatusBadRequest, "invalid", "unknown action")
	}
	u, err := s.opUpdateUser(r.Context(), principal(r.Context()), r.PathValue("id"), req)
	if err != nil {
		return s.adminAnswer(w, r, nil, err)
	}
	return s.done(w, r, "/admin#accounts", u.Email+": "+what+".")
}

func (s *Server) pageResetPassword(w http.ResponseWriter, r *http.Request) error {
	pw := newPassword()
	ctx := r.Context()
	p := principal(ctx)
	if err := s.opResetPassword(ctx, p, r.PathValue("id"), pw); err != nil {
		return s.adminAnswer(w, r, nil, err)
	}
	u, err := s.opGetUser(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.adminAnswer(w, r, &secret{What: "New password of " + u.Email, Value: pw,
		Hint: "Their sessions have ended. Hand it over privately; it is not shown again."}, nil)
}

// pageCreateToken creates a token from the administration page (any team)
// or from My account (the member's team).
func (s *Server) pageCreateToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := principal(ctx)
	req := tokenCreate{Name: formValue(r, "name"), Team: formValue(r, "team"), Role: store.Role(formValue(r, "role"))}
	if v := formValue(r, "expires_in_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errorf(http.StatusBadRequest, "invalid", "the expiry is a number of days")
		}
		req.ExpiresInDays = n
	}
	fromAccount := r.URL.Path == "/account/tokens"
	if fromAccount && p.Role == store.RoleMember {
		req.Team = p.TeamID
	}
	if !fromAccount {
		if err := s.requireP(p, Admin, ""); err != nil {
			return err // the administration page is the administrators'
		}
	}
	t, sec, err := s.opCreateToken(ctx, p, req)
	hint := "Store it as a secret (e.g. WARD_TOKEN in CI). It expires " + t.ExpiresAt.UTC().Format(time.DateOnly) + " and is not shown again."
	out := &secret{What: "API token " + t.Name, Value: sec, Hint: hint}
	if err != nil {
		out = nil
	}
	if fromAccount {
		return s.accountAnswer(w, r, out, err)
	}
	return s.adminAnswer(w, r, out, err)
}

func (s *Server) pageRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.opRevokeToken(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	to := "/account#tokens"
	if r.URL.Query().Get("from") == "admin" {
		to = "/admin#tokens"
	}
	return s.done(w, r, to, "Token revoked; it stops working now.")
}

type accountView struct {
	User        store.User
	ManageToken bool
	Tokens      []tokenRow
	Teams       []store.Team
	Secret      *secret
	Error       string
	MinPassword int
	DefaultTTL  int
	MaxTTL      int
}

func (s *Server) accountData(r *http.Request) (accountView, error) {
	ctx := r.Context()
	p := principal(ctx)
	av := accountView{MinPassword: MinPasswordLen, DefaultTTL: int(s.cfg.TokenTTL.Hours() / 24), MaxTTL: int(s.cfg.MaxTokenTTL.Hours() / 24)}
	if p.UserID == "" {
		return av, errorf(http.StatusForbidden, "forbidden", "My account is for signed-in accounts, not API tokens")
	}
	u, err := s.store.GetUser(ctx, p.UserID)
	if err != nil {
		return av, err
	}
	av.User = u
	av.ManageToken = mayManageTokens(p)
	if av.ManageToken {
		ts, err := s.opListTokens(ctx, p, "")
		if err != nil {
			return av, err
		}
		if p.Role == store.RoleAdmin {
			// An administrator's own tokens here; every team's under Administration.
			ts = slices.DeleteFunc(ts, func(t store.Token) bool { return t.Creator() != p.UserID })
			if av.Teams, _, err = s.store.ListTeams(ctx, store.Page{Limit: 500}); err != nil {
				return av, err
			}
		}
		av.Tokens = s.tokenRows(ts)
	}
	return av, nil
}

func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request) error {
	av, err := s.accountData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "account.html", "My account", av)
}

func (s *Server) accountAnswer(w http.ResponseWriter, r *http.Request, sec *secret, ferr error) error {
	status, msg := http.StatusOK, ""
	if ferr != nil {
		pe := classify(ferr)
		if pe == nil || pe.Status >= 500 || pe.Status == http.StatusNotFound {
			return ferr
		}
		status, msg = pe.Status, pe.Msg
	}
	av, err := s.accountData(r)
	if err != nil {
		return err
	}
	av.Secret, av.Error = sec, msg
	return s.renderStatus(w, r, status, "account.html", "layout", s.viewFor(w, r, "My account", av))
}

func (s *Server) pageChangePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return s.accountAnswer(w, r, nil, errorf(http.StatusBadRequest, "invalid", "the two new passwords differ"))
	}
	if err := s.opChangePassword(r.Context(), principal(r.Context()), r.PostFormValue("current"), r.PostFormValue("password")); err != nil {
		return s.accountAnswer(w, r, nil, err)
	}
	return s.done(w, r, "/account", "Password changed; your other sessions have ended.")
}
