// Package notify delivers Ward's notifications: events (a review was
// requested, a high risk was pushed, …) sent to teams' webhooks as
// Slack-compatible JSON signed with HMAC-SHA256, and to people by email
// over SMTP.
//
// Delivery goes through the store's outbox: the server turns an event into
// one delivery per webhook and per email address (Deliveries) and stores
// them; a Worker in every ward serve process claims due deliveries under a
// lease, sends them with a timeout and bounded concurrency, and records
// the outcome: done, retried later with exponential back-off (Backoff), or
// given up (dead). Webhook requests refuse link-local and cloud metadata
// addresses always, and private and loopback addresses unless allowed
// (Policy). Signing secrets are sealed with AES-GCM before they are stored
// (Sealer) and never logged.
//
// docs/notifications.md documents the events, payloads, signature
// verification, SMTP settings and retries.
package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is what an event is about. Kinds are stable names (webhook
// receivers and preferences use them).
type Kind string

// The kinds of event.
const (
	ReviewRequested       Kind = "review.requested"
	ReviewAssigned        Kind = "review.assigned"
	ReviewApproved        Kind = "review.approved"
	ReviewStale           Kind = "review.stale"
	AcceptanceExpiring    Kind = "acceptance.expiring"
	AssumptionInvalidated Kind = "assumption.invalidated"
	HighRiskPushed        Kind = "risk.high_pushed"
	EscapeImported        Kind = "escape.imported"
	PhaseProposed         Kind = "phase.proposed"
	SessionObserve        Kind = "session.observe"
	// Test is a test message (ward notify test); nobody subscribes to it.
	Test Kind = "ward.test"
)

// KindInfo describes a kind: its label and who hears of it by email.
type KindInfo struct {
	Kind  Kind   `json:"kind"`
	Label string `json:"label"`
	// Team: the accounts of the event's team (members); Security: security
	// engineers and administrators. Named recipients (Event.To) hear of it
	// too.
	Team     bool `json:"team"`
	Security bool `json:"security"`
}

// Kinds lists every kind, in the order pages show them.
var Kinds = []KindInfo{
	{ReviewRequested, "A design review is requested", false, true},
	{ReviewAssigned, "A design review is assigned (to you)", false, false},
	{ReviewApproved, "A design review is approved", true, false},
	{ReviewStale, "A design review is overdue", true, true},
	{AcceptanceExpiring, "An accepted risk's acceptance is expiring", true, false},
	{AssumptionInvalidated, "An assumption is invalidated", true, true},
	{HighRiskPushed, "A push adds a high or critical risk", true, true},
	{EscapeImported, "An outside finding no model covered is imported", true, true},
	{PhaseProposed, "A team phase change is proposed", true, true},
	{SessionObserve, "A team in Observation opens a session (security observes)", false, true},
}

// Info returns the kind's description; ok is false for an unknown kind.
func Info(k Kind) (KindInfo, bool) {
	i := slices.IndexFunc(Kinds, func(x KindInfo) bool { return x.Kind == k })
	if i < 0 {
		return KindInfo{}, false
	}
	return Kinds[i], true
}

// AllKinds returns every kind's name.
func AllKinds() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k.Kind)
	}
	return out
}

// CheckKinds checks a list of kind names: each known, none twice.
func CheckKinds(ks []string) error {
	seen := map[string]bool{}
	for _, k := range ks {
		if _, ok := Info(Kind(k)); !ok {
			return fmt.Errorf("unknown event kind %q: use one of %s", k, strings.Join(AllKinds(), ", "))
		}
		if seen[k] {
			return fmt.Errorf("event kind %q listed twice", k)
		}
		seen[k] = true
	}
	return nil
}

// Event is something people should hear of. It travels as JSON in the
// outbox and in webhook bodies (under "ward"); it never holds a secret.
type Event struct {
	// Key identifies the event: enqueueing it twice (from two processes,
	// or a periodic job run twice) delivers it once. The server builds it
	// from what the event is about, e.g. "review.requested:rv-1a2b3".
	Key  string    `json:"key"`
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`
	Team string    `json:"team"`
	// System is the system concerned, when there is one.
	System string `json:"system,omitempty"`
	// Title is one line; Text a few more, plain text.
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
	// URL links to the page in Ward (absolute when the server knows its
	// address, else a path).
	URL string `json:"url,omitempty"`
	// Actor is who caused it (an email or "token:ID"); people are not
	// notified of their own actions.
	Actor string `json:"actor,omitempty"`
	// ActorID is the account behind the actor (a token's creator), who
	// is not notified either; not sent.
	ActorID string `json:"-"`
	// Data carries the kind's details (ids, severities, dates).
	Data map[string]any `json:"data,omitempty"`
	// To names accounts (emails) to notify besides the kind's audience,
	// e.g. the assignee of a review.
	To []string `json:"-"`
}

// Check reports an event the server must not enqueue.
func (e Event) Check() error {
	if _, ok := Info(e.Kind); !ok && e.Kind != Test {
		return fmt.Errorf("notify: unknown event kind %q", e.Kind)
	}
	if e.Key == "" || len(e.Key) > 300 {
		return fmt.Errorf("notify: event %s needs a key of at most 300 bytes", e.Kind)
	}
	if e.Team == "" || e.Title == "" {
		return fmt.Errorf("notify: event %s needs a team and a title", e.Kind)
	}
	return nil
}
