package store

import (
	"context"
	"time"
)

// OutsideFinding is an imported pen-test, bug-bounty, incident or
// after-the-fact security-review finding, with the answer to "would the
// model have caught it?" computed when it was imported (package programme).
type OutsideFinding struct {
	ID       string
	TeamID   string
	SystemID string
	// Source is pen_test, bug_bounty, incident or security_review.
	Source   string
	Ref      string // the finding's id on its platform
	Title    string
	Severity string
	Found    time.Time
	Element  string
	Category string
	CWE      []int
	Threat   string
	// Cost in the organisation's currency, 0 when unknown.
	Cost float64
	// Catch is known, engine, escape or unlinked; CatchThreat the threat
	// that matched; CatchWhy the explanation.
	Catch       string
	CatchThreat string
	CatchWhy    string
	Batch       string
	ImportedBy  string
	ImportedAt  time.Time
}

// ImportBatch is one import of outside findings.
type ImportBatch struct {
	ID         string
	Source     string
	File       string
	Format     string
	ImportedBy string
	At         time.Time
}

// OutsideQuery filters outside findings; empty fields match everything.
type OutsideQuery struct {
	TeamID   string
	SystemID string
	Source   string
	Catch    string
	Batch    string
	// Severities keeps findings of these severities (all when empty).
	Severities []string
	Page       Page
}

// TeamPhase is the phase of a team in the self-serve programme.
type TeamPhase struct {
	TeamID    string
	Phase     string
	Since     time.Time
	UpdatedBy string
}

// PhaseEvent is one step of a team's programme history: a phase set by a
// coach, a proposal made, confirmed or dismissed.
type PhaseEvent struct {
	TeamID   string
	Seq      int
	At       time.Time
	Actor    string
	Kind     string // set, proposed, confirmed, dismissed
	From, To string
	Note     string
	Proposal string
}

// PhaseProposal is a phase move Ward proposed from evidence; a security
// coach confirms or dismisses it with a note.
type PhaseProposal struct {
	ID       string
	TeamID   string
	From, To string
	StepBack bool
	// State is open, confirmed or dismissed.
	State   string
	Summary string
	// Evidence is the proposal with its checks and references (JSON of
	// programme.Proposal), as it was when proposed.
	Evidence  string
	CreatedAt time.Time
	DecidedBy string
	DecidedAt time.Time
	Note      string
}

// ReviewedModel records a model version security reviewed (approved): its
// threats credited to who found them (JSON of []programme.Threat).
type ReviewedModel struct {
	TeamID     string
	SystemID   string
	Version    int
	RequestID  string
	ReviewedAt time.Time
	Threats    string
}

// ProgrammeActivity is programme evidence other than reviews: a training
// exercise completed, a session security observed.
type ProgrammeActivity struct {
	TeamID string
	Kind   string
	Ref    string
	Label  string
	At     time.Time
}

// RiskSnapshot is one team's weekly snapshot for leadership's trend
// (JSON of the counts, kept as written).
type RiskSnapshot struct {
	Week   string // ISO week, 2026-W49
	TeamID string
	Data   string
	At     time.Time
}

// Programme keeps the self-serve programme's records.
type Programme interface {
	// ImportOutside stores a batch of outside findings in one transaction
	// and returns how many were new: a finding whose source, system and
	// ref were imported before is skipped, so importing a file twice adds
	// nothing. ErrNotFound when a team does not exist.
	ImportOutside(ctx context.Context, b ImportBatch, fs []OutsideFinding) (int, error)
	// OutsideFindings lists outside findings, newest found first.
	OutsideFindings(ctx context.Context, q OutsideQuery) ([]OutsideFinding, int, error)

	// TeamPhase returns a team's phase; ErrNotFound when none was set
	// (the team is Traditional).
	TeamPhase(ctx context.Context, teamID string) (TeamPhase, error)
	ListTeamPhases(ctx context.Context) ([]TeamPhase, error)
	// SetTeamPhase sets a team's phase and appends ev, audited.
	SetTeamPhase(ctx context.Context, p TeamPhase, ev PhaseEvent) error
	PhaseEvents(ctx context.Context, teamID string) ([]PhaseEvent, error)

	// CreateProposal stores an open proposal and its event; ErrExists when
	// the team has an open proposal already.
	CreateProposal(ctx context.Context, p PhaseProposal) (PhaseProposal, error)
	GetProposal(ctx context.Context, id string) (PhaseProposal, error)
	// ListProposals lists a team's proposals ("" for every team), newest
	// first, in state ("" for any).
	ListProposals(ctx context.Context, teamID, state string) ([]PhaseProposal, error)
	// DecideProposal confirms or dismisses an open proposal with a note;
	// confirming moves the team to the proposal's phase in the same
	// transaction. ErrConflict when the proposal is not open.
	DecideProposal(ctx context.Context, id string, confirm bool, actor, note string, at time.Time) (PhaseProposal, error)

	// RecordReviewedModel stores (or replaces) a reviewed model version.
	RecordReviewedModel(ctx context.Context, m ReviewedModel) error
	// ReviewedModels lists a team's reviewed models ("" for every team),
	// newest first, at most limit (0: 500).
	ReviewedModels(ctx context.Context, teamID string, limit int) ([]ReviewedModel, error)

	// RecordActivity stores an activity (once per team, kind and ref).
	RecordActivity(ctx context.Context, a ProgrammeActivity) error
	Activities(ctx context.Context, teamID string) ([]ProgrammeActivity, error)

	// PutSnapshot stores (or replaces) a team's weekly snapshot.
	PutSnapshot(ctx context.Context, s RiskSnapshot) error
	// Snapshots lists snapshots from week since on ("" for all), oldest
	// first, of one team or all ("").
	Snapshots(ctx context.Context, teamID, since string) ([]RiskSnapshot, error)
}
