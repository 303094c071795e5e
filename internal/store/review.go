package store

import (
	"context"
	"time"
)

// ReviewRequest is a request for a security design review (package review
// holds its rules). Answers and Reasons are JSON kept as written, so the
// store stays free of the triage package.
type ReviewRequest struct {
	ID       string
	SystemID string
	TeamID   string
	Title    string
	// DesignDoc links to the design document.
	DesignDoc string
	// Answers are the intake answers (JSON of review.Form).
	Answers string
	// Tier, Score, Reasons (JSON) and Policy are the triage result.
	Tier    string
	Score   int
	Reasons string
	Policy  string
	State   string
	// Assignee is the security engineer's email, empty when unassigned.
	Assignee    string
	RequestedBy string
	// WantedBy is the date the team asked for (zero when none); Due is
	// when the review is due.
	WantedBy time.Time
	Due      time.Time
	// Note is the latest comment (changes requested, triage note).
	Note string
	// Revision increases on every change (optimistic concurrency).
	Revision  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReviewEvent is one step in a review request's history.
type ReviewEvent struct {
	RequestID string
	Seq       int
	// At is when it happened; when set on CreateReview or UpdateReview it
	// is also the request's creation or update time (default: the store's
	// clock).
	At       time.Time
	Actor    string
	Action   string
	From, To string
	Note     string
}

// ReviewUpdate changes a review request: the new request (its ID names
// it), the revision it was based on, the event to append, and an approval
// to record in the same transaction.
type ReviewUpdate struct {
	Request      ReviewRequest
	BaseRevision int64
	Event        ReviewEvent
	Approval     *Approval
}

// ReviewQuery filters review requests. Empty fields match everything.
type ReviewQuery struct {
	TeamID   string
	SystemID string
	// States keeps requests in any of these states.
	States []string
	Page   Page
}

// Approval is a design approval recorded on a system.
type Approval struct {
	SystemID  string
	TeamID    string
	RequestID string
	// Version is the model version approved.
	Version    int
	ApprovedBy string
	ApprovedAt time.Time
	ExpiresAt  time.Time
	// HighRisks are the ids of the high and critical findings open on the
	// approved version.
	HighRisks []string
}

// Capacity is a security engineer's hours for reviews in an ISO week
// ("2026-W49").
type Capacity struct {
	Week      string
	Engineer  string
	Hours     float64
	UpdatedBy string
	UpdatedAt time.Time
}

// Reviews keeps design reviews.
type Reviews interface {
	// CreateReview stores a new request with its first event; ErrExists
	// when the id is taken, ErrNotFound when the team does not exist.
	CreateReview(ctx context.Context, r ReviewRequest, ev ReviewEvent) (ReviewRequest, error)
	GetReview(ctx context.Context, id string) (ReviewRequest, error)
	// ListReviews lists requests, newest first, with the total matching.
	ListReviews(ctx context.Context, q ReviewQuery) ([]ReviewRequest, int, error)
	// UpdateReview changes a request, appends its event and records the
	// approval, if any, in one transaction; ErrConflict when the request's
	// revision is not u.BaseRevision.
	UpdateReview(ctx context.Context, u ReviewUpdate) (ReviewRequest, error)
	ReviewEvents(ctx context.Context, requestID string) ([]ReviewEvent, error)

	// LatestApproval returns a system's latest approval; ErrNotFound when
	// it has none.
	LatestApproval(ctx context.Context, systemID string) (Approval, error)
	// LatestApprovals returns the latest approval of every system (of one
	// team when teamID is set).
	LatestApprovals(ctx context.Context, teamID string) ([]Approval, error)

	// SetCapacity sets an engineer's hours for a week (0 removes them).
	SetCapacity(ctx context.Context, c Capacity) error
	ListCapacity(ctx context.Context, week string) ([]Capacity, error)

	// ReviewSetting returns a setting's value, "" when unset.
	ReviewSetting(ctx context.Context, key string) (string, error)
	// SetReviewSetting stores a setting ("" removes it), audited.
	SetReviewSetting(ctx context.Context, key, value, actor string) error
}
