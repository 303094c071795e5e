package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// API tokens. A token belongs to a team and acts as a member or viewer of
// it, or is an administrator's own token (role admin, no team) for the
// ward user, ward team and ward token commands. Every token expires
// (Config.TokenTTL by default, at most Config.MaxTokenTTL) and stops
// working when it is revoked, when the account that created it is
// disabled or deleted, and — for an administrator's token — when that
// account is no longer an administrator.

// tokenCreate is what creating a token takes.
type tokenCreate struct {
	Name string     `json:"name"`
	Team string     `json:"team"`
	Role store.Role `json:"role"`
	// ExpiresInDays is the token's lifetime (default Config.TokenTTL).
	ExpiresInDays int `json:"expires_in_days"`
}

// tokenExpiringSoon is how close to its expiry a token is flagged.
const tokenExpiringSoon = 14 * 24 * time.Hour

func (s *Server) tokenJSON(t store.Token) map[string]any {
	out := map[string]any{"id": t.ID, "name": t.Name, "team": t.TeamID, "role": t.Role, "created_by": t.CreatedBy, "created_at": t.CreatedAt,
		"last_used": t.LastUsed, "revoked": t.Revoked, "expires_at": t.ExpiresAt}
	now := s.cfg.Now()
	out["expired"] = t.Expired(now)
	out["expiring_soon"] = !t.Revoked && !t.Expired(now) && !t.ExpiresAt.IsZero() && t.ExpiresAt.Sub(now) < tokenExpiringSoon
	return out
}

// mayManageTokens: administrators (signed in or by an administrator's
// token) and signed-in members for their own team.
func mayManageTokens(p *Principal) bool {
	return p.Role == store.RoleAdmin || p.Role == store.RoleMember && p.TokenID == ""
}

func (s *Server) opListTokens(ctx context.Context, p *Principal, team string) ([]store.Token, error) {
	if !mayManageTokens(p) {
		return nil, errorf(http.StatusForbidden, "forbidden", "only administrators and team members manage tokens")
	}
	if p.Role != store.RoleAdmin {
		team = p.TeamID
	}
	return s.store.ListTokens(ctx, team)
}

// opCreateToken creates a token and returns it with its secret, which is
// shown this once; the server keeps its hash.
func (s *Server) opCreateToken(ctx context.Context, p *Principal, req tokenCreate) (store.Token, string, error) {
	if !mayManageTokens(p) {
		return store.Token{}, "", errorf(http.StatusForbidden, "forbidden", "API tokens cannot create tokens; sign in (or use an administrator's token)")
	}
	if req.Role == "" {
		req.Role = store.RoleMember
	}
	if req.Name == "" || len(req.Name) > 100 {
		return store.Token{}, "", errorf(http.StatusBadRequest, "invalid", "name the token (1 to 100 characters), e.g. after the CI job using it")
	}
	ttl := s.cfg.TokenTTL
	if req.ExpiresInDays != 0 {
		ttl = time.Duration(req.ExpiresInDays) * 24 * time.Hour
		if req.ExpiresInDays < 0 || ttl > s.cfg.MaxTokenTTL {
			return store.Token{}, "", errorf(http.StatusBadRequest, "invalid", "expires_in_days must be between 1 and %d", int(s.cfg.MaxTokenTTL.Hours()/24))
		}
	}
	switch req.Role {
	case store.RoleMember, store.RoleViewer:
		if err := s.requireP(p, Write, req.Team); err != nil {
			return store.Token{}, "", err
		}
		if _, err := s.store.GetTeam(ctx, req.Team); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return store.Token{}, "", errorf(http.StatusNotFound, "not_found", "team %q does not exist", req.Team)
			}
			return store.Token{}, "", err
		}
	case store.RoleAdmin:
		// An administrator's own token: only a signed-in administrator
		// makes one, so that a leaked token cannot mint a longer-lived one.
		if p.Role != store.RoleAdmin || p.TokenID != "" {
			return store.Token{}, "", errorf(http.StatusForbidden, "forbidden", "only a signed-in administrator creates an administrator's token")
		}
		req.Team = ""
	default:
		return store.Token{}, "", errorf(http.StatusBadRequest, "invalid", "a token's role is member, viewer or admin")
	}
	id := newID(6)
	secret := "ward_" + id + "_" + randomSecret()
	creator := "user:" + p.OwnerID
	if p.OwnerID == "" {
		creator = p.Actor()
	}
	t, err := s.store.CreateToken(ctx, store.Token{ID: id, Name: req.Name, TeamID: req.Team, Role: req.Role, Hash: hashSecret(secret),
		CreatedBy: creator, ExpiresAt: s.cfg.Now().Add(ttl)}, p.Actor())
	return t, secret, err
}

func (s *Server) opRevokeToken(ctx context.Context, p *Principal, id string) error {
	ts, err := s.store.ListTokens(ctx, "")
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		if !mayManageTokens(p) {
			return errorf(http.StatusForbidden, "forbidden", "API tokens cannot revoke tokens; sign in")
		}
		if !Allowed(p, Read, t.TeamID) {
			return store.ErrNotFound // another team's token: do not reveal it exists
		}
		if !Allowed(p, Write, t.TeamID) {
			return errorf(http.StatusForbidden, "forbidden", "you cannot revoke this token")
		}
		if err := s.store.RevokeToken(ctx, id, p.Actor()); err != nil {
			return err
		}
		s.revoked("token:" + id)
		return nil
	}
	return store.ErrNotFound
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.opListTokens(r.Context(), principal(r.Context()), r.URL.Query().Get("team"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		out = append(out, s.tokenJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenCreate
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t, secret, err := s.opCreateToken(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	out := s.tokenJSON(t)
	out["token"] = secret
	out["note"] = "this is the only time the token is shown; store it as a secret"
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.opRevokeToken(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
