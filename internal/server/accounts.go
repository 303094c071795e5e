package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/wardtm/ward/internal/store"
)

// Account lifecycle. Each operation is an op function over a principal,
// shared by the JSON handlers below and the web pages: authorization,
// validation and the store call live here only.
//
// What each one does to the account's sessions and tokens:
//
//	disable   sessions end; tokens it created stop working (kept, so that
//	          enabling restores them); open event streams close
//	enable    the account and its unexpired tokens work again
//	delete    sessions end; tokens it created are revoked; versions and
//	          audit events it authored stay, naming it by id, and the
//	          deletion's audit event records its id with its email
//	role      takes effect on the next request; an administrator's
//	          tokens stop when the account is no longer an administrator
//	password  a change ends the account's other sessions; an
//	          administrator's reset ends all of them

// userCreate is what creating an account takes.
type userCreate struct {
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Team     string     `json:"team"`
	Password string     `json:"password"`
}

// userPatch changes an account; nil fields stay as they are.
type userPatch struct {
	Role     *store.Role `json:"role"`
	Team     *string     `json:"team"`
	Disabled *bool       `json:"disabled"`
}

func (s *Server) requireAdmin(p *Principal) error {
	if !Allowed(p, Admin, "") {
		return errorf(http.StatusForbidden, "forbidden", "only administrators manage accounts")
	}
	return nil
}

// checkRole validates a role and its team (members need an existing team;
// other roles have none) and returns the team to store.
func (s *Server) checkRole(ctx context.Context, role store.Role, team string) (string, error) {
	switch role {
	case store.RoleAdmin, store.RoleSecurity, store.RoleViewer:
		return "", nil
	case store.RoleMember:
		if _, err := s.store.GetTeam(ctx, team); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", errorf(http.StatusBadRequest, "invalid", "a member needs an existing team (team)")
			}
			return "", err
		}
		return team, nil
	}
	return "", errorf(http.StatusBadRequest, "invalid", "role must be admin, security, member or viewer")
}

func (s *Server) opListUsers(ctx context.Context, p *Principal, pg store.Page) ([]store.User, int, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, 0, err
	}
	return s.store.ListUsers(ctx, pg)
}

func (s *Server) opGetUser(ctx context.Context, p *Principal, id string) (store.User, error) {
	if err := s.requireAdmin(p); err != nil {
		return store.User{}, err
	}
	return s.store.GetUser(ctx, id)
}

func (s *Server) opCreateUser(ctx context.Context, p *Principal, req userCreate) (store.User, error) {
	if err := s.requireAdmin(p); err != nil {
		return store.User{}, err
	}
	if !strings.Contains(req.Email, "@") || len(req.Email) > 254 {
		return store.User{}, errorf(http.StatusBadRequest, "invalid", "email must be an email address")
	}
	team, err := s.checkRole(ctx, req.Role, req.Team)
	if err != nil {
		return store.User{}, err
	}
	hash := ""
	if req.Password != "" {
		if hash, err = HashPassword(req.Password); err != nil {
			return store.User{}, err
		}
	}
	return s.store.CreateUser(ctx, store.User{ID: "u-" + newID(6), Email: req.Email, Name: req.Name, Role: req.Role, TeamID: team, PasswordHash: hash}, p.Actor())
}

// lastAdmin refuses a change that would leave no enabled administrator.
func (s *Server) lastAdmin(ctx context.Context, target store.User) error {
	if target.Role != store.RoleAdmin || target.Disabled {
		return nil
	}
	pg := store.Page{Limit: 500}
	for {
		us, total, err := s.store.ListUsers(ctx, pg)
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.ID != target.ID && u.Role == store.RoleAdmin && !u.Disabled {
				return nil
			}
		}
		pg.Offset += len(us)
		if len(us) == 0 || pg.Offset >= total {
			break
		}
	}
	return errorf(http.StatusConflict, "last_admin", "%s is the last enabled administrator; make another administrator first", target.Email)
}

// selfChange refuses to let a principal lock itself out.
func selfChange(p *Principal, id string) error {
	if p.OwnerID == id {
		return errorf(http.StatusConflict, "self", "you cannot disable, delete or demote your own account; ask another administrator")
	}
	return nil
}

func (s *Server) opUpdateUser(ctx context.Context, p *Principal, id string, req userPatch) (store.User, error) {
	if err := s.requireAdmin(p); err != nil {
		return store.User{}, err
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	demote := req.Role != nil && *req.Role != store.RoleAdmin
	if demote || req.Disabled != nil && *req.Disabled {
		if err := selfChange(p, id); err != nil {
			return u, err
		}
		if err := s.lastAdmin(ctx, u); err != nil {
			return u, err
		}
	}
	if req.Role != nil || req.Team != nil {
		role, team := u.Role, u.TeamID
		if req.Role != nil {
			role = *req.Role
		}
		if req.Team != nil {
			team = *req.Team
		}
		if team, err = s.checkRole(ctx, role, team); err != nil {
			return u, err
		}
		if role != u.Role || team != u.TeamID {
			if u, err = s.store.SetUserRole(ctx, id, role, team, p.Actor()); err != nil {
				return u, err
			}
			s.revoked("user:" + id)
		}
	}
	if req.Disabled != nil && *req.Disabled != u.Disabled {
		if u, err = s.store.SetUserDisabled(ctx, id, *req.Disabled, p.Actor()); err != nil {
			return u, err
		}
		if u.Disabled {
			s.revoked("user:" + id)
		}
	}
	return u, nil
}

func (s *Server) opDeleteUser(ctx context.Context, p *Principal, id string) error {
	if err := s.requireAdmin(p); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if err := selfChange(p, id); err != nil {
		return err
	}
	if err := s.lastAdmin(ctx, u); err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, id, p.Actor()); err != nil {
		return err
	}
	s.revoked("user:" + id)
	return nil
}

// opResetPassword sets another account's password (administrators only)
// and ends all its sessions.
func (s *Server) opResetPassword(ctx context.Context, p *Principal, id, password string) error {
	if err := s.requireAdmin(p); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if u.Subject != "" && u.PasswordHash == "" {
		return errorf(http.StatusConflict, "sso_account", "%s signs in with single sign-on; its password is managed there", u.Email)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetUserPassword(ctx, id, hash, "", "reset", p.Actor()); err != nil {
		return err
	}
	s.revoked("user:" + id)
	return nil
}

// opChangePassword changes the caller's own password, checking the
// current one; it ends the caller's other sessions. API tokens cannot.
func (s *Server) opChangePassword(ctx context.Context, p *Principal, current, password string) error {
	if p.TokenID != "" || p.UserID == "" {
		return errorf(http.StatusForbidden, "forbidden", "sign in to change your password; API tokens cannot")
	}
	keys := []string{"user:" + p.UserID}
	if d := s.limiter.wait(keys...); d > 0 {
		return throttled(d)
	}
	u, err := s.store.GetUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return errorf(http.StatusConflict, "sso_account", "your account signs in with single sign-on; change the password there")
	}
	if ok, err := CheckPassword(u.PasswordHash, current); err != nil || !ok {
		s.limiter.fail(keys...)
		return errorf(http.StatusForbidden, "bad_credentials", "the current password is wrong")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetUserPassword(ctx, u.ID, hash, p.session, "change", p.Actor()); err != nil {
		return err
	}
	s.streamSet.kickExcept("user:"+u.ID, p.session)
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	us, total, err := s.opListUsers(r.Context(), principal(r.Context()), pg)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(us))
	for _, u := range us {
		out = append(out, userJSON(u))
	}
	writeList(w, out, total, pg)
	return nil
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(principal(r.Context())); err != nil {
		return err
	}
	var req userCreate
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.opCreateUser(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userJSON(u))
	return nil
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.opGetUser(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(u))
	return nil
}

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(principal(r.Context())); err != nil {
		return err
	}
	var req userPatch
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.opUpdateUser(r.Context(), principal(r.Context()), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(u))
	return nil
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.opDeleteUser(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(principal(r.Context())); err != nil {
		return err
	}
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.opResetPassword(r.Context(), principal(r.Context()), r.PathValue("id"), req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.opChangePassword(r.Context(), principal(r.Context()), req.Current, req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
