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

// TrainingRun is a training run (package training): its latest state as
// JSON, updated by compare-and-set on Seq. CompletedAt is zero until the
// run is done.
type TrainingRun struct {
	ID         string
	ExerciseID string
	// ExerciseSource is the exercise's YAML as the run opened it (not
	// returned by ListTrainingRuns).
	ExerciseSource []byte
	Title          string
	Phase          string
	Seq            int64
	State          []byte
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    time.Time
}

// TrainingEvidence records that members of a team completed a training
// exercise in a run. The programme's maturity rules read it.
type TrainingEvidence struct {
	TeamID     string
	ExerciseID string
	RunID      string
	// Participants counts the team's members who took part.
	Participants int
	CompletedAt  time.Time
}

// TrainingExercise is an exercise an instructor wrote, as YAML (package
// training parses it).
type TrainingExercise struct {
	ID        string
	Title     string
	Source    []byte
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Training keeps training runs, the exercises instructors wrote and the
// evidence runs leave.
type Training interface {
	// PutTrainingExercise stores an exercise, replacing the one with the
	// same id (keeping its CreatedAt and CreatedBy).
	PutTrainingExercise(ctx context.Context, x TrainingExercise) error
	GetTrainingExercise(ctx context.Context, id string) (TrainingExercise, error)
	// ListTrainingExercises lists the stored exercises by id, without
	// their Source.
	ListTrainingExercises(ctx context.Context) ([]TrainingExercise, error)
	CreateTrainingRun(ctx context.Context, r TrainingRun) error
	GetTrainingRun(ctx context.Context, id string) (TrainingRun, error)
	// ListTrainingRuns lists runs, newest first, without their State.
	ListTrainingRuns(ctx context.Context, p Page) ([]TrainingRun, error)
	// UpdateTrainingRun stores r (Seq, State, Phase, CompletedAt) when the
	// stored run is at base: ErrConflict when it moved, ErrNotFound when
	// there is none. Evidence, when given, is recorded in the same
	// transaction (once per run and team: recording again keeps the first).
	UpdateTrainingRun(ctx context.Context, r TrainingRun, base int64, evidence []TrainingEvidence) error
	// ListTrainingEvidence lists a team's evidence ("" for every team),
	// newest first.
	ListTrainingEvidence(ctx context.Context, teamID string) ([]TrainingEvidence, error)
}
