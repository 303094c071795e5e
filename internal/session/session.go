// Package session is the domain of live threat-modeling sessions: a team
// gathers on one board to review a design, brainstorm threats per element
// with STRIDE, reveal, group duplicates, dot-vote, decide what becomes part
// of the model, and close by asking whether the job was good enough.
//
// A session is the fold of an append-only list of events: Apply checks an
// event against the state (who may do what in which phase, budgets,
// optimistic card versions) and applies it, or returns an error and leaves
// the state unchanged. There is no I/O here; the server stores the events
// (package store), fans them out and renders them. View narrows the state
// to what one member may see (hidden cards, anonymity, vote tallies), and
// Record is the session's history for export as Markdown and JSON.
package session

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Role is a member's role in one session.
type Role string

// Roles in a session.
const (
	// Facilitator moves the phases and changes the settings; any member of
	// the system's team can open a session and facilitate it.
	Facilitator Role = "facilitator"
	// Participant adds cards, merges, votes and reflects.
	Participant Role = "participant"
	// Observer (typically security) watches and posts hints, which are
	// marked as hints and never counted as the team's cards.
	Observer Role = "observer"
	// Guest joined by a guest link: reads and contributes like a
	// participant, in this session only.
	Guest Role = "guest"
)

// Phase is where a session stands.
type Phase string

// Phases, in order.
const (
	Review     Phase = "review"
	Brainstorm Phase = "brainstorm"
	Reveal     Phase = "reveal"
	Group      Phase = "group"
	Vote       Phase = "vote"
	Decide     Phase = "decide"
	Reflect    Phase = "reflect"
	Close      Phase = "close"
)

// StrideLetters are the STRIDE categories.
var StrideLetters = []string{"S", "T", "R", "I", "D", "E"}

// Phases lists the phases in order.
var Phases = []Phase{Review, Brainstorm, Reveal, Group, Vote, Decide, Reflect, Close}

func (p Phase) index() int { return slices.Index(Phases, p) }

// Card kinds.
const (
	KindTeam = "team" // a card a participant wrote
	KindHint = "hint" // an observer's hint, never a team card
	// KindThreat and KindQuestion are seed cards from the engine's
	// analysis of the version: its findings and its open questions.
	KindThreat   = "engine_threat"
	KindQuestion = "engine_question"
)

// Seed states of engine cards.
const (
	SeedOffered   = "offered"
	SeedTaken     = "taken"
	SeedDismissed = "dismissed"
)

// Settings are the facilitator's choices, editable live.
type Settings struct {
	// Anonymous hides card authors from everyone (the record too).
	Anonymous bool `json:"anonymous"`
	// HideUntilReveal shows other members' cards only after the reveal.
	HideUntilReveal bool `json:"hide_until_reveal"`
	// Budget is each member's number of votes (default 5).
	Budget int `json:"budget"`
	// MaxPerCard is the most votes one member may put on a card (default 3).
	MaxPerCard int `json:"max_per_card"`
	// Majority is the percentage of members present that must answer yes
	// for the session to be signed off: strictly more than it (default 50).
	Majority int `json:"majority"`
	// Locked stops everyone but the facilitator from changing the board.
	Locked bool `json:"locked"`
}

// DefaultSettings are the settings of a new session.
func DefaultSettings() Settings {
	return Settings{HideUntilReveal: true, Budget: 5, MaxPerCard: 3, Majority: 50}
}

// Member is someone who joined.
type Member struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     Role      `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
	Ready    bool      `json:"ready"`
	Hand     bool      `json:"hand"`
}

// Card is one item on the board.
type Card struct {
	ID string `json:"id"`
	// Version increases on every change of the card; edits name the
	// version they were based on (optimistic concurrency).
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	// Authors wrote the card; merging keeps every author.
	Authors []string `json:"authors"`
	// Target is the element or flow id the card is about.
	Target string `json:"target"`
	// Stride holds STRIDE letters (S, T, R, I, D, E).
	Stride []string `json:"stride"`
	Asset  string   `json:"asset,omitempty"`
	Text   string   `json:"text"`
	// Source is the finding or question id of an engine card.
	Source string `json:"source,omitempty"`
	// Seed is the state of an engine card: offered, taken or dismissed.
	Seed string `json:"seed,omitempty"`
	// MergedInto names the card this one was merged into.
	MergedInto string `json:"merged_into,omitempty"`
	// Hidden is set in views for cards the viewer may not read yet.
	Hidden bool `json:"hidden,omitempty"`
	// Merged lists the cards merged into this one.
	Merged []string `json:"merged,omitempty"`
	// HintIDs lists observer hints merged into this card: a threat
	// promoted from it was found with security's help.
	Hints     []string  `json:"hints,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Live reports whether the card is on the board (not merged away or dismissed).
func (c Card) Live() bool { return c.MergedInto == "" && c.Seed != SeedDismissed }

// Votable reports whether members may vote on the card.
func (c Card) Votable() bool {
	return c.Live() && (c.Kind == KindTeam || c.Kind == KindHint || c.Seed == SeedTaken)
}

// Decision is what the team decided about a card in the decide phase.
type Decision struct {
	Card       string `json:"card"`
	Title      string `json:"title"`
	Likelihood string `json:"likelihood"`
	Impact     string `json:"impact"`
	// Status is mitigate, accept or false_positive.
	Status string `json:"status"`
	Owner  string `json:"owner,omitempty"`
	// Mitigation is what will be done, for mitigate.
	Mitigation string `json:"mitigation,omitempty"`
	Due        string `json:"due,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Expires    string `json:"expires,omitempty"`
	// Assumption is something the team assumed while deciding.
	Assumption string `json:"assumption,omitempty"`
}

// Reflection is one member's answer to "did we do a good enough job?".
type Reflection struct {
	Yes     bool   `json:"yes"`
	Comment string `json:"comment,omitempty"`
}

// Merge records one card merged into another.
type Merge struct {
	Into string    `json:"into"`
	From string    `json:"from"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Span is the time a phase lasted.
type Span struct {
	Phase Phase     `json:"phase"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Outcomes of a reflection.
const (
	SignedOff = "signed_off"
	StaysOpen = "open"
)

// State is a session.
type State struct {
	ID       string `json:"id"`
	SystemID string `json:"system"`
	TeamID   string `json:"team"`
	// Version is the model version the session reviews.
	Version int       `json:"version"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	// Elements and Assets are the reviewed version's, for the board.
	Elements []Element  `json:"elements"`
	Assets   []AssetRef `json:"assets"`
	Settings Settings   `json:"settings"`
	Phase    Phase      `json:"phase"`
	// SecurityInvited: security was invited to observe when it opened.
	SecurityInvited bool `json:"security_invited,omitempty"`
	// Deadline is the phase timer's end, zero without a timer.
	Deadline  time.Time `json:"deadline,omitzero"`
	Spans     []Span    `json:"spans"`
	Members   []Member  `json:"members"`
	Cards     []Card    `json:"cards"`
	Revealed  bool      `json:"revealed"`
	Presented string    `json:"presented,omitempty"`
	// Votes holds each member's votes: member → card → count.
	Votes       map[string]map[string]int `json:"votes"`
	Merges      []Merge                   `json:"merges"`
	Decisions   []Decision                `json:"decisions"`
	Reflections map[string]Reflection     `json:"reflections"`
	// Outcome is signed_off or open once the facilitator closed the
	// reflection; Dissent keeps the "not yet" answers.
	Outcome string `json:"outcome,omitempty"`
	// Produced is the model version the decisions were saved as.
	Produced int `json:"produced,omitempty"`
	// Threats maps promoted card ids to the threat (or finding) ids they
	// became in the model.
	Threats map[string]string `json:"threats,omitempty"`
	// GuestSecret is the guest link's secret, shown to the facilitator
	// only (View blanks it for everyone else).
	GuestSecret string `json:"guest_secret,omitempty"`
	// Seq is the sequence number of the last event applied.
	Seq int64 `json:"seq"`
}

// Errors of Apply. They are errors of the request, not of the server.
var (
	ErrForbidden = errors.New("not allowed")
	ErrPhase     = errors.New("not in this phase")
	ErrInvalid   = errors.New("invalid")
	ErrStale     = errors.New("the card changed since it was read")
	ErrNotFound  = errors.New("no such card")
)

// Event types.
const (
	EvCreate   = "create"
	EvJoin     = "join"
	EvPhase    = "phase"
	EvSettings = "settings"
	EvAdd      = "card.add"
	EvEdit     = "card.edit"
	EvTake     = "card.take"
	EvDismiss  = "card.dismiss"
	EvMerge    = "card.merge"
	EvPresent  = "present"
	EvReady    = "ready"
	EvHand     = "hand"
	EvVote     = "vote"
	EvDecide   = "decide"
	EvPromoted = "promoted"
	EvReflect  = "reflect"
	EvConclude = "conclude"
)

// Event is one change to a session. Only the fields of its type are set.
type Event struct {
	Seq   int64     `json:"seq"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Type  string    `json:"type"`

	// create
	Session *State `json:"session,omitempty"`
	// join
	Member *Member `json:"member,omitempty"`
	// phase
	Phase Phase `json:"phase,omitempty"`
	// Timer is the phase's time box in seconds (0: none).
	Timer int `json:"timer,omitempty"`
	// settings
	Settings *Settings `json:"settings,omitempty"`
	// card.add, card.edit: Card; card.edit names Card.Version as the base.
	Card *Card `json:"card,omitempty"`
	// card.take, card.dismiss, present, vote, card.merge (into)
	CardID string `json:"card_id,omitempty"`
	// card.merge: the card merged into CardID
	From string `json:"from,omitempty"`
	// vote: the member's number of votes on the card, ready/hand: On
	Count int  `json:"count,omitempty"`
	On    bool `json:"on,omitempty"`
	// decide
	Decision *Decision `json:"decision,omitempty"`
	// promoted: the version produced and card → threat ids
	Produced int               `json:"produced,omitempty"`
	Threats  map[string]string `json:"threats,omitempty"`
	// reflect
	Reflection *Reflection `json:"reflection,omitempty"`
}

// Bulk reports whether the event changes much of the board at once (a
// phase change, the reveal, a merge, settings), so that viewers refresh
// whole regions instead of receiving one fragment.
func (e *Event) Bulk() bool {
	switch e.Type {
	case EvAdd, EvEdit, EvTake, EvDismiss, EvVote, EvReady, EvHand, EvJoin, EvReflect:
		return false
	}
	return true
}

// Info describes a new session.
type Info struct {
	ID       string
	SystemID string
	TeamID   string
	Version  int
	Title    string
	// Facilitator is the member id (and Name the name) of who opens it.
	Facilitator string
	Name        string
	Elements    []Element
	Assets      []AssetRef
	// SecurityInvited records that security was invited to observe (the
	// default for a team in the programme's Observation phase).
	SecurityInvited bool
}

// New returns the create event of a session on a version of a system,
// with the engine's seed cards.
func New(in Info, seeds []Card, at time.Time) Event {
	s := &State{ID: in.ID, SystemID: in.SystemID, TeamID: in.TeamID, Version: in.Version, Title: in.Title, Created: at, Settings: DefaultSettings(),
		Phase: Review, Elements: in.Elements, Assets: in.Assets, SecurityInvited: in.SecurityInvited}
	facilitator := in.Facilitator
	s.Members = []Member{{ID: facilitator, Name: in.Name, Role: Facilitator, JoinedAt: at}}
	for i, c := range seeds {
		c.ID = fmt.Sprintf("e%d", i+1)
		c.Version = 1
		c.Seed = SeedOffered
		c.Authors = nil
		c.CreatedAt = at
		s.Cards = append(s.Cards, c)
	}
	return Event{At: at, Actor: facilitator, Type: EvCreate, Session: s}
}

// Member returns the member with the id, or nil.
func (s *State) Member(id string) *Member {
	for i := range s.Members {
		if s.Members[i].ID == id {
			return &s.Members[i]
		}
	}
	return nil
}

// Card returns the card with the id, or nil.
func (s *State) Card(id string) *Card {
	for i := range s.Cards {
		if s.Cards[i].ID == id {
			return &s.Cards[i]
		}
	}
	return nil
}

func (s *State) role(id string) Role {
	if m := s.Member(id); m != nil {
		return m.Role
	}
	return ""
}

// Used returns how many votes the member has cast.
func (s *State) Used(member string) int {
	n := 0
	for _, c := range s.Votes[member] {
		n += c
	}
	return n
}

// Tally returns the votes on each card.
func (s *State) Tally() map[string]int {
	t := map[string]int{}
	for _, vs := range s.Votes {
		for c, n := range vs {
			t[c] += n
		}
	}
	return t
}
