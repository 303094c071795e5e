package server

import (
	"context"
	"errors"

	"github.com/wardtm/ward/internal/store"
)

// DemoAccount is an account ward serve --demo creates so that each role
// can be tried in the browser.
type DemoAccount struct {
	Email string
	Role  store.Role
	Team  string
}

// DemoAccounts are the accounts of the demo: one per role, the member in
// the demo team.
var DemoAccounts = []DemoAccount{
	{"admin@demo.example", store.RoleAdmin, ""},
	{"security@demo.example", store.RoleSecurity, ""},
	{"member@demo.example", store.RoleMember, "demo"},
	{"viewer@demo.example", store.RoleViewer, ""},
}

// LoadDemoAccounts creates the demo accounts with password, when no
// account exists yet; it reports whether it created them. The one-time
// setup is then closed: the demo administrator is the administrator.
func (s *Server) LoadDemoAccounts(ctx context.Context, password string) (bool, error) {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if _, err := s.store.GetTeam(ctx, "demo"); errors.Is(err, store.ErrNotFound) {
		if _, err := s.store.CreateTeam(ctx, store.Team{ID: "demo", Name: "Demo"}, "demo"); err != nil && !errors.Is(err, store.ErrExists) {
			return false, err
		}
	} else if err != nil {
		return false, err
	}
	for _, a := range DemoAccounts {
		hash, err := HashPassword(password)
		if err != nil {
			return false, err
		}
		if _, err := s.store.CreateUser(ctx, store.User{ID: "u-" + newID(6), Email: a.Email, Name: roleLabel(a.Role) + " (demo)", Role: a.Role,
			TeamID: a.Team, PasswordHash: hash}, "demo"); err != nil {
			return false, err
		}
	}
	s.setupUsed = true
	return true, s.loadDemoTraining(ctx)
}
