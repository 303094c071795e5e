package store

import (
	"context"
	"time"
)

// RoleGuest is the role of a principal who joined one session by its
// guest link: it reads and contributes to that session only. Guests are
// not accounts; they are never stored in users.
const RoleGuest Role = "guest"

// LiveSession is a live threat-modeling session (package session). Its
// history is an append-only list of events numbered from 1; State is the
// session after event Seq, as JSON, so that readers need not replay the
// whole log.
type LiveSession struct {
	ID       string
	SystemID string
	TeamID   string
	Title    string
	Phase    string
	Seq      int64
	State    []byte
	// GuestHash is the hash of the guest link's secret ("" without one).
	GuestHash string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpiresAt ends guest links.
	ExpiresAt time.Time
}

// LiveEvent is one event of a session's log.
type LiveEvent struct {
	SessionID string
	Seq       int64
	At        time.Time
	Actor     string
	Type      string
	// RequestID, when set, is unique within the session: a request sent
	// twice (a retry after a lost response) is stored once.
	RequestID string
	Data      []byte
}

// LiveGuest is a guest who joined a session by its guest link. Only the
// hash of the guest's own secret (their cookie) is stored.
type LiveGuest struct {
	Hash      string
	SessionID string
	MemberID  string
	Name      string
	CreatedAt time.Time
}

// LiveSessions keeps live sessions and their event logs.
type LiveSessions interface {
	// CreateLiveSession stores a session with its first event (Seq 1).
	CreateLiveSession(ctx context.Context, s LiveSession, first LiveEvent) error
	GetLiveSession(ctx context.Context, id string) (LiveSession, error)
	// GetLiveSessionByGuest finds a session by the hash of its guest link.
	GetLiveSessionByGuest(ctx context.Context, guestHash string) (LiveSession, error)
	// ListLiveSessions lists a system's sessions, newest first, without
	// their State.
	ListLiveSessions(ctx context.Context, systemID string, p Page) ([]LiveSession, error)
	// AppendLiveEvent stores e as event base+1 with the session's new
	// state and phase, when the session is at event base: ErrConflict when
	// another event came first, ErrExists when e.RequestID was stored
	// already.
	AppendLiveEvent(ctx context.Context, e LiveEvent, base int64, state []byte, phase string) error
	// LiveEvents returns up to limit events after seq, in order.
	LiveEvents(ctx context.Context, sessionID string, after int64, limit int) ([]LiveEvent, error)
	// LiveEventByRequest returns the event stored for a request id.
	LiveEventByRequest(ctx context.Context, sessionID, requestID string) (LiveEvent, error)
	CreateLiveGuest(ctx context.Context, g LiveGuest) error
	GetLiveGuest(ctx context.Context, hash string) (LiveGuest, error)
}
