// Package review is the design-review workflow of a security team: a team
// requests a review of a design, answering the intake questions of package
// triage; security triages the request, reviews the design and approves it
// or asks for changes; an approval is recorded on the system, expires, and
// turns stale when a newer model version brings new high or critical risk.
//
// The package holds the rules only — states and allowed transitions, the
// queue ranked by risk priority, the week's capacity plan, approvals and
// the system badge, reminders — as pure functions over values. Storage
// (package store) and the HTTP API and pages (package server) wire it up.
package review

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wardtm/ward/internal/triage"
)

// State is where a review request stands.
type State string

// The states of a review request.
//
//	requested ──triage──▶ triaged ──start──▶ in_review ──approve──▶ approved
//	    │                    │                 ▲    │
//	    └──self_serve──▶ self_serve ◀──────────┘    └─request_changes─▶ changes_requested
//	                          │                                             │
//	                          └──triage (security pulls it back in)         └─resubmit/start─▶ in_review
//
// Requests whose triage tier is below security-led start as self_serve: the
// team threat-models the design itself and security spends no hours on it
// unless it pulls the request back in.
const (
	Requested        State = "requested"
	Triaged          State = "triaged"
	InReview         State = "in_review"
	ChangesRequested State = "changes_requested"
	Approved         State = "approved"
	SelfServe        State = "self_serve"
)

// States lists every state in workflow order.
var States = []State{Requested, Triaged, InReview, ChangesRequested, Approved, SelfServe}

// Open reports whether the request still waits on someone: it is in the
// queue and, when security-led, needs security's hours.
func (s State) Open() bool {
	return s == Requested || s == Triaged || s == InReview || s == ChangesRequested
}

// Label is the state for people.
func (s State) Label() string {
	switch s {
	case Requested:
		return "requested"
	case Triaged:
		return "triaged"
	case InReview:
		return "in review"
	case ChangesRequested:
		return "changes requested"
	case Approved:
		return "approved"
	case SelfServe:
		return "self-serve"
	}
	return string(s)
}

// ParseState parses a state name.
func ParseState(s string) (State, bool) {
	st := State(s)
	return st, slices.Contains(States, st)
}

// Action is what someone does to a request.
type Action string

// The actions. Every one but Resubmit is security's.
const (
	// Triage confirms the request needs security (requested → triaged), or
	// pulls a self-serve request back in (self_serve → triaged).
	Triage Action = "triage"
	// Start begins the review (triaged or changes_requested → in_review).
	Start Action = "start"
	// RequestChanges sends the design back to the team (in_review →
	// changes_requested).
	RequestChanges Action = "request_changes"
	// Resubmit is the team saying the changes are made (changes_requested →
	// in_review).
	Resubmit Action = "resubmit"
	// Approve approves the design (in_review → approved) and records the
	// approval on the system.
	Approve Action = "approve"
	// MakeSelfServe lets the team threat-model the design itself (requested
	// or triaged → self_serve).
	MakeSelfServe Action = "self_serve"
	// Assign changes the assignee; the state stays.
	Assign Action = "assign"
)

// Actions lists the actions.
var Actions = []Action{Triage, Start, RequestChanges, Resubmit, Approve, MakeSelfServe, Assign}

// BySecurity reports whether only security (and administrators) may take
// the action. Resubmit is the requesting team's.
func (a Action) BySecurity() bool { return a != Resubmit }

// Label is the action for buttons.
func (a Action) Label() string {
	switch a {
	case Triage:
		return "Triage"
	case Start:
		return "Start review"
	case RequestChanges:
		return "Request changes"
	case Resubmit:
		return "Changes made: review again"
	case Approve:
		return "Approve"
	case MakeSelfServe:
		return "Make self-serve"
	case Assign:
		return "Assign"
	}
	return string(a)
}

// transitions lists, per action, the states it leaves from and the state it
// leads to.
var transitions = map[Action]struct {
	from []State
	to   State
}{
	Triage:         {[]State{Requested, SelfServe}, Triaged},
	Start:          {[]State{Triaged, ChangesRequested}, InReview},
	RequestChanges: {[]State{InReview}, ChangesRequested},
	Resubmit:       {[]State{ChangesRequested}, InReview},
	Approve:        {[]State{InReview}, Approved},
	MakeSelfServe:  {[]State{Requested, Triaged}, SelfServe},
}

// ErrTransition is returned for an action the request's state does not
// allow.
var ErrTransition = errors.New("not allowed in this state")

// Next returns the state action a leads to from state s, or an error
// wrapping ErrTransition that says what is possible instead.
func Next(s State, a Action) (State, error) {
	if a == Assign {
		if !s.Open() {
			return s, fmt.Errorf("%w: a %s request has no assignee to change", ErrTransition, s.Label())
		}
		return s, nil
	}
	t, ok := transitions[a]
	if !ok {
		return s, fmt.Errorf("unknown action %q (one of %v)", a, Actions)
	}
	if !slices.Contains(t.from, s) {
		return s, fmt.Errorf("%w: cannot %s a %s request; possible: %v", ErrTransition, a.Label(), s.Label(), Possible(s))
	}
	return t.to, nil
}

// Possible lists the actions allowed from state s, in Actions order.
func Possible(s State) []Action {
	var out []Action
	for _, a := range Actions {
		if allowed(s, a) {
			out = append(out, a)
		}
	}
	return out
}

func allowed(s State, a Action) bool {
	if a == Assign {
		return s.Open()
	}
	t, ok := transitions[a]
	return ok && slices.Contains(t.from, s)
}

// InitialState is the state a new request starts in: security-led designs
// wait for security; the others are self-serve.
func InitialState(t triage.Tier) State {
	if t == triage.TierSecurityLed {
		return Requested
	}
	return SelfServe
}

// Settings are the organisation's review settings.
type Settings struct {
	// ApprovalDays is how long an approval is valid (default 365).
	ApprovalDays int `json:"approval_days"`
	// WarnDays is how long before expiry an approval shows a warning
	// (default 30).
	WarnDays int `json:"warn_days"`
	// DueDays is when a review is due after it is requested, when the
	// request names no wanted-by date (default 14).
	DueDays int `json:"due_days"`
	// SecurityLedHours and SelfServeHours estimate security's hours for a
	// review of each tier (defaults 8 and 2), for the capacity plan.
	SecurityLedHours float64 `json:"security_led_hours"`
	SelfServeHours   float64 `json:"self_serve_hours"`
}

// DefaultSettings returns Ward's defaults: approvals valid 365 days with a
// warning 30 days before, reviews due 14 days after the request, 8 hours
// for a security-led review and 2 for a self-serve one pulled in.
func DefaultSettings() Settings {
	return Settings{ApprovalDays: 365, WarnDays: 30, DueDays: 14, SecurityLedHours: 8, SelfServeHours: 2}
}

// Validate checks the settings' ranges.
func (s Settings) Validate() error {
	switch {
	case s.ApprovalDays < 1 || s.ApprovalDays > 3660:
		return fmt.Errorf("approval_days %d: use 1 to 3660 days", s.ApprovalDays)
	case s.WarnDays < 0 || s.WarnDays >= s.ApprovalDays:
		return fmt.Errorf("warn_days %d: use 0 to fewer than approval_days (%d)", s.WarnDays, s.ApprovalDays)
	case s.DueDays < 1 || s.DueDays > 365:
		return fmt.Errorf("due_days %d: use 1 to 365 days", s.DueDays)
	case !(s.SecurityLedHours > 0 && s.SecurityLedHours <= 200): // also refuses NaN
		return fmt.Errorf("security_led_hours %g: use more than 0 and at most 200", s.SecurityLedHours)
	case !(s.SelfServeHours > 0 && s.SelfServeHours <= 200):
		return fmt.Errorf("self_serve_hours %g: use more than 0 and at most 200", s.SelfServeHours)
	}
	return nil
}

// Estimate is the hours security expects to spend on a review of tier t.
func (s Settings) Estimate(t triage.Tier) float64 {
	if t == triage.TierSecurityLed {
		return s.SecurityLedHours
	}
	return s.SelfServeHours
}

// Due is when a review requested at created is due: the wanted-by date when
// there is one, DueDays later otherwise.
func (s Settings) Due(created, wantedBy time.Time) time.Time {
	if !wantedBy.IsZero() {
		return wantedBy
	}
	return created.AddDate(0, 0, s.DueDays)
}

// Request is a review request as the rules see it.
type Request struct {
	ID       string
	SystemID string
	TeamID   string
	Title    string
	State    State
	Tier     triage.Tier
	// Score is the triage score, 0–100: the review's risk priority.
	Score    int
	Assignee string
	Created  time.Time
	Due      time.Time
}

// Age is how long the request has waited, in whole days.
func (r Request) Age(now time.Time) int { return days(now.Sub(r.Created)) }

// Overdue reports whether an open request is past its due date.
func (r Request) Overdue(now time.Time) bool {
	return r.State.Open() && !r.Due.IsZero() && now.After(r.Due)
}

func days(d time.Duration) int {
	if d < 0 {
		return -days(-d)
	}
	return int(d / (24 * time.Hour))
}
