// Package store defines what the Ward server keeps: teams, systems, the
// versions of each system's model (the YAML as pushed and its analysis),
// findings, mitigations and assumptions of each system's latest version for
// organisation-wide queries, accounts, sessions, API tokens and an
// append-only audit log.
//
// Store is implemented once over database/sql for SQLite and PostgreSQL
// (package sqlstore) and tested by one conformance suite (package storetest)
// against both.
package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Errors every implementation returns, for callers to map to HTTP statuses.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write was based on a stale revision.
	ErrConflict = errors.New("conflict: the object changed since it was read")
	// ErrExists means an object with that identity already exists.
	ErrExists = errors.New("already exists")
)

// Team is a group of people owning systems.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// System is a modelled system with its version history.
type System struct {
	ID     string
	TeamID string
	Name   string
	// Latest is the number of the latest version (0 before the first push).
	Latest int
	// Revision increases on every change; writers pass the revision they
	// read and get ErrConflict when it moved (optimistic concurrency).
	Revision  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Version is one stored version of a system's model.
type Version struct {
	SystemID string
	Number   int
	// SHA256 is the hex digest of YAML; pushing the same YAML again is a no-op.
	SHA256 string
	YAML   []byte
	// Result is the analysis as JSON (ward.result/v1).
	Result    []byte
	Author    string
	Message   string
	CreatedAt time.Time
	// Origin is OriginPush or OriginEdit.
	Origin string
	// Pushed is the client's model as sent when it differs from YAML
	// (changes made on the server merged in); empty otherwise. Not filled
	// by ListVersions.
	Pushed []byte
}

// Origins of a version.
const (
	OriginPush = "push" // a client sent the model
	OriginEdit = "edit" // a change made on the server (a decision, a status)
)

// Finding is a finding of a system's latest version, for queries across
// the organisation.
type Finding struct {
	SystemID  string
	TeamID    string
	Version   int
	ID        string
	Rule      string
	Category  string
	Severity  string
	Score     int
	Status    string
	Title     string
	Owner     string
	Assets    []string
	DataKinds []string
}

// Mitigation is a mitigation of a system's latest version.
type Mitigation struct {
	SystemID string
	TeamID   string
	ID       string
	Title    string
	Status   string
	Owner    string
	Due      string
}

// Assumption is an assumption of a system's latest version.
type Assumption struct {
	SystemID string
	TeamID   string
	ID       string
	Text     string
	Status   string
}

// Push is a new version of a system's model with its analysis.
type Push struct {
	SystemID string
	TeamID   string
	Name     string
	YAML     []byte
	Result   []byte
	Author   string
	Message  string
	// BaseRevision, when not zero, must equal the system's revision.
	BaseRevision int64
	// Origin is OriginPush (the default) or OriginEdit; Pushed as in Version.
	Origin      string
	Pushed      []byte
	Findings    []Finding
	Mitigations []Mitigation
	Assumptions []Assumption
}

// Page selects part of a list.
type Page struct {
	Limit  int
	Offset int
}

// Normal returns the page with defaults (50) and bounds (1..500) applied.
func (p Page) Normal() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	p.Limit = min(p.Limit, 500)
	p.Offset = max(p.Offset, 0)
	return p
}

// FindingQuery filters findings across the organisation. Empty fields
// match everything.
type FindingQuery struct {
	TeamID   string
	SystemID string
	// MinSeverity keeps findings at or above it (info, low, medium, high, critical).
	MinSeverity string
	Status      string
	DataKind    string
	Asset       string
	Owner       string
	// Sort is "severity" (default, worst first), "system" or "id".
	Sort string
	Page Page
}

// Role is what an account may do.
type Role string

// Roles, from most to least privileged.
const (
	RoleAdmin    Role = "admin"
	RoleSecurity Role = "security"
	RoleMember   Role = "member"
	RoleViewer   Role = "viewer"
)

// User is a local or single-sign-on account.
type User struct {
	ID    string
	Email string
	Name  string
	Role  Role
	// TeamID is the team a member edits; empty for other roles.
	TeamID string
	// PasswordHash is an argon2id PHC string, empty for SSO-only accounts.
	PasswordHash string
	// Subject is the OIDC issuer and subject, for SSO accounts.
	Subject   string
	Disabled  bool
	CreatedAt time.Time
}

// Session is a signed-in browser session. Only a hash of its id is stored.
type Session struct {
	IDHash    string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is an API token scoped to a team. Only a hash of its secret is stored.
type Token struct {
	ID        string
	Name      string
	TeamID    string
	Role      Role
	Hash      string
	CreatedBy string
	CreatedAt time.Time
	LastUsed  time.Time
	Revoked   bool
	// ExpiresAt is when the token stops working; the zero time means never
	// (only tokens made outside the server: the server always sets it).
	ExpiresAt time.Time
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Creator returns the id of the account that created the token, from
// CreatedBy "user:ID"; empty when an account did not create it.
func (t Token) Creator() string {
	id, ok := strings.CutPrefix(t.CreatedBy, "user:")
	if !ok {
		return ""
	}
	return id
}

// DiffKey names a stored diff between two versions of a system, computed
// by one engine version.
type DiffKey struct {
	SystemID string
	From, To int
	Engine   string
}

// AuditEvent records who did what, when. The log is append-only.
type AuditEvent struct {
	Seq    int64
	At     time.Time
	Actor  string
	Action string
	Object string
	Detail string
}

// Store is the server's persistence.
type Store interface {
	Reviews // design reviews (review.go)
	CreateTeam(ctx context.Context, t Team, actor string) (Team, error)
	GetTeam(ctx context.Context, id string) (Team, error)
	ListTeams(ctx context.Context, p Page) ([]Team, int, error)

	// PushVersion stores a new version of a system's model, creating the
	// system on its first push. It returns created=false, with the latest
	// version, when the YAML is unchanged. A version stored adds one to
	// the system's revision (so a push with a BaseRevision leaves it at
	// BaseRevision + 1, or at BaseRevision when unchanged).
	PushVersion(ctx context.Context, p Push) (v Version, created bool, err error)
	GetSystem(ctx context.Context, id string) (System, error)
	ListSystems(ctx context.Context, teamID string, p Page) ([]System, int, error)
	GetVersion(ctx context.Context, systemID string, number int) (Version, error)
	ListVersions(ctx context.Context, systemID string, p Page) ([]Version, int, error)

	Findings(ctx context.Context, q FindingQuery) ([]Finding, int, error)
	Mitigations(ctx context.Context, teamID, status string, p Page) ([]Mitigation, int, error)
	Assumptions(ctx context.Context, teamID, status string, p Page) ([]Assumption, int, error)

	CreateUser(ctx context.Context, u User, actor string) (User, error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// GetUserBySubject returns the single-sign-on account whose Subject
	// (issuer + "|" + sub) is subject; ErrNotFound when there is none (or
	// subject is empty).
	GetUserBySubject(ctx context.Context, subject string) (User, error)
	// SetUserRole changes an account's role and team, recording it in the
	// audit log; ErrNotFound when the account does not exist.
	SetUserRole(ctx context.Context, id string, role Role, teamID, actor string) (User, error)
	ListUsers(ctx context.Context, p Page) ([]User, int, error)
	CountUsers(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, idHash string) (Session, error)
	DeleteSession(ctx context.Context, idHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	CreateToken(ctx context.Context, t Token, actor string) (Token, error)
	GetTokenByHash(ctx context.Context, hash string) (Token, error)
	ListTokens(ctx context.Context, teamID string) ([]Token, error)
	RevokeToken(ctx context.Context, id, actor string) error
	TouchToken(ctx context.Context, id string, at time.Time) error

	Audit(ctx context.Context, afterSeq int64, p Page) ([]AuditEvent, error)

	// Account lifecycle (issue 10). Each records itself in the audit log
	// and answers ErrNotFound for a missing account.
	//
	// SetUserDisabled disables or enables an account. Disabling ends its
	// sessions; its tokens are kept but the server refuses them while
	// their creator is disabled, so enabling the account again restores
	// them.
	SetUserDisabled(ctx context.Context, id string, disabled bool, actor string) (User, error)
	// DeleteUser deletes an account: its sessions are deleted, the tokens
	// it created are revoked (kept, for the audit trail), and what it
	// authored (versions, audit events) is kept unchanged, naming the
	// account by its id; the audit event of the deletion records the id
	// with the email, so those records stay attributable.
	DeleteUser(ctx context.Context, id, actor string) error
	// SetUserPassword replaces an account's password hash and ends every
	// session of the account except keepSession (a session id hash, or ""
	// to end them all). detail says why ("change" or "reset").
	SetUserPassword(ctx context.Context, id, hash, keepSession, detail, actor string) error

	// GetDiff returns a stored diff; ErrNotFound when none is stored.
	GetDiff(ctx context.Context, k DiffKey) ([]byte, error)
	// PutDiff stores a diff (storing it twice keeps the first).
	PutDiff(ctx context.Context, k DiffKey, body []byte) error

	LiveSessions // live threat-modeling sessions (sessions.go)
	Training     // training runs, exercises and evidence (training.go)

	Notifications // notification outbox, webhooks, preferences (notifications.go)
	Programme     // the self-serve programme (programme.go)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}
