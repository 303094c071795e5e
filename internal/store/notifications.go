package store

import (
	"context"
	"time"
)

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery states: pending until delivered (done) or given up (dead).
const (
	DeliveryPending = "pending"
	DeliveryDone    = "done"
	DeliveryDead    = "dead"
)

// Delivery is one notification on its way to one webhook or one email
// address: a row of the outbox. Any server process may claim a due
// delivery; the claim holds a lease until LeaseUntil, so that two
// processes never deliver the same row at once, and a process that dies
// mid-delivery leaves a lease that expires and is claimed again.
type Delivery struct {
	ID int64
	// Key is unique: enqueueing a delivery whose key is taken does
	// nothing, so an event seen by several processes is delivered once.
	Key string
	// Channel is ChannelWebhook (Target is the webhook's id) or
	// ChannelEmail (Target is the address).
	Channel string
	Target  string
	TeamID  string
	Kind    string
	// Payload is the event as JSON. It never holds a secret.
	Payload []byte
	State   string
	// Attempts counts the claims (attempts started).
	Attempts      int
	NextAttemptAt time.Time
	// Lease names the current claim; LeaseUntil is when it lapses.
	Lease      string
	LeaseUntil time.Time
	// LastError is why the last attempt failed ("" when none did).
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt time.Time
}

// DeliveryResult is the outcome of one attempt: done, dead (given up), or
// to be tried again at Retry.
type DeliveryResult struct {
	ID    int64
	Lease string
	State string
	Retry time.Time
	Error string
	At    time.Time
}

// DeliveryQuery filters the outbox; empty fields match everything.
type DeliveryQuery struct {
	TeamID  string
	Channel string
	Target  string
	State   string
	Page    Page
}

// Webhook is a team's webhook. Secret is the signing secret as sealed by
// the server (package notify); the API never returns it.
type Webhook struct {
	ID     string
	TeamID string
	Name   string
	URL    string
	Secret string
	// Kinds are the event kinds sent to it (none: every kind).
	Kinds     []string
	Enabled   bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NotifyPrefs is an account's notification preferences.
type NotifyPrefs struct {
	UserID string
	// Email turns email on or off.
	Email bool
	// Kinds are the event kinds the account wants (none: no kind).
	Kinds     []string
	UpdatedAt time.Time
}

// Notifications keeps the notification outbox, teams' webhooks and
// accounts' preferences.
type Notifications interface {
	// EnqueueDeliveries adds deliveries to the outbox in one transaction,
	// pending and due at their NextAttemptAt (now when zero); those whose
	// Key is taken are skipped. It returns how many it added.
	EnqueueDeliveries(ctx context.Context, ds []Delivery) (int, error)
	// ClaimDeliveries claims up to limit pending deliveries due at now
	// whose lease has lapsed, under the lease name lease until until, and
	// counts an attempt on each. Concurrent claims never return the same
	// delivery while its lease holds.
	ClaimDeliveries(ctx context.Context, lease string, now, until time.Time, limit int) ([]Delivery, error)
	// FinishDelivery records an attempt's outcome; ErrConflict when the
	// lease is no longer r.Lease (it lapsed and another claim took it).
	FinishDelivery(ctx context.Context, r DeliveryResult) error
	// PruneDeliveries deletes delivered and given-up deliveries last
	// changed before before; pending ones stay. It returns how many it
	// deleted.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)
	// ListDeliveries lists deliveries, newest first, with the total.
	ListDeliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, int, error)

	// CreateWebhook stores a webhook (audited); ErrExists when its id is
	// taken, ErrNotFound when its team does not exist.
	CreateWebhook(ctx context.Context, w Webhook, actor string) (Webhook, error)
	GetWebhook(ctx context.Context, id string) (Webhook, error)
	// ListWebhooks lists a team's webhooks ("" for every team's) by name.
	ListWebhooks(ctx context.Context, teamID string) ([]Webhook, error)
	// UpdateWebhook replaces a webhook's name, URL, secret, kinds and
	// enabled flag (audited).
	UpdateWebhook(ctx context.Context, w Webhook, actor string) (Webhook, error)
	// DeleteWebhook deletes a webhook (audited); its deliveries stay.
	DeleteWebhook(ctx context.Context, id, actor string) error

	// NotifyPrefs returns an account's preferences; ErrNotFound when it
	// has not set any.
	NotifyPrefs(ctx context.Context, userID string) (NotifyPrefs, error)
	// SetNotifyPrefs stores an account's preferences.
	SetNotifyPrefs(ctx context.Context, p NotifyPrefs) error
}
