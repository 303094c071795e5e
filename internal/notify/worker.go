package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// Backoff is the retry schedule: the n-th failed attempt waits Base·2^(n-1),
// at most Max (and at least a receiver's Retry-After, also capped at Max);
// after Attempts attempts the delivery is given up (dead).
type Backoff struct {
	Base     time.Duration
	Max      time.Duration
	Attempts int
}

// DefaultBackoff retries after 30s, 1m, 2m, … up to 1h between attempts,
// for 10 attempts (about 5 hours in all).
var DefaultBackoff = Backoff{Base: 30 * time.Second, Max: time.Hour, Attempts: 10}

// Delay is the wait after the attempt-th failed attempt.
func (b Backoff) Delay(attempt int, retryAfter time.Duration) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(max(d, retryAfter), b.Max)
}

// Outbox is what the worker needs of the store.
type Outbox interface {
	ClaimDeliveries(ctx context.Context, lease string, now, until time.Time, limit int) ([]store.Delivery, error)
	FinishDelivery(ctx context.Context, r store.DeliveryResult) error
	GetWebhook(ctx context.Context, id string) (store.Webhook, error)
}

// Mailer sends an email.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Worker delivers the outbox. Several workers, in one process or many,
// may share a database: each claims due deliveries under its own lease.
type Worker struct {
	Store Outbox
	// Client sends webhooks (Policy.Client).
	Client *http.Client
	// Mail sends email; nil when SMTP is not configured (email deliveries
	// are then given up with a clear error).
	Mail   Mailer
	Sealer *Sealer
	// PrefsURL links emails to the preferences page.
	PrefsURL string
	Backoff  Backoff
	// Concurrency bounds deliveries in flight (default 4); Timeout bounds
	// each (default 15s); Lease is how long a claim holds (default
	// 2·Timeout+30s, longer than any attempt); Poll how often the outbox
	// is read when nothing wakes the worker (default 5s).
	Concurrency int
	Timeout     time.Duration
	Lease       time.Duration
	Poll        time.Duration
	Now         func() time.Time
	Log         *slog.Logger

	once sync.Once
	wake chan struct{}
	id   string

	delivered, retried, dead atomic.Int64
}

// Stats counts this worker's attempts since it started: delivered,
// failed and to be retried, given up.
func (w *Worker) Stats() (delivered, retried, dead int64) {
	return w.delivered.Load(), w.retried.Load(), w.dead.Load()
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		w.id = "w-" + hex.EncodeToString(b)
		if w.Concurrency <= 0 {
			w.Concurrency = 4
		}
		if w.Timeout <= 0 {
			w.Timeout = 15 * time.Second
		}
		if w.Lease <= 0 {
			w.Lease = 2*w.Timeout + 30*time.Second
		}
		if w.Poll <= 0 {
			w.Poll = 5 * time.Second
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Backoff.Attempts <= 0 {
			w.Backoff = DefaultBackoff
		}
		if w.Sealer == nil {
			w.Sealer = &Sealer{}
		}
		if w.Client == nil {
			w.Client = Policy{}.Client(w.Timeout)
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Wake makes a running worker read the outbox now (after an enqueue).
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then returns once the deliveries in flight
// have finished (each is bounded by Timeout).
func (w *Worker) Run(ctx context.Context) {
	w.init()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := w.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.Log.Warn("notifications: read the outbox", "err", err)
				}
				break
			}
			if n < w.Concurrency {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce claims up to Concurrency due deliveries, delivers them at once
// and records their outcomes; it returns how many it claimed. The
// attempts run to their own timeout even when ctx ends, so that a
// shutdown records what they did.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	now := w.Now()
	lease := w.id + "-" + strconv.FormatInt(now.UnixNano(), 36)
	ds, err := w.Store.ClaimDeliveries(ctx, lease, now, now.Add(w.Lease), w.Concurrency)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.Timeout)
			defer cancel()
			w.finish(actx, d, w.deliver(actx, d))
		})
	}
	wg.Wait()
	return len(ds), nil
}

// deliver makes one attempt.
func (w *Worker) deliver(ctx context.Context, d store.Delivery) error {
	var ev Event
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return &SendError{Msg: "notification payload does not decode", Permanent: true}
	}
	switch d.Channel {
	case store.ChannelWebhook:
		h, err := w.Store.GetWebhook(ctx, d.Target)
		if errors.Is(err, store.ErrNotFound) {
			return &SendError{Msg: "the webhook was deleted", Permanent: true}
		}
		if err != nil {
			return err
		}
		if !h.Enabled {
			return &SendError{Msg: "the webhook is disabled", Permanent: true}
		}
		secret, err := w.Sealer.Open(h.Secret)
		if err != nil {
			return &SendError{Msg: err.Error()}
		}
		body, err := WebhookBody(ev)
		if err != nil {
			return &SendError{Msg: err.Error(), Permanent: true}
		}
		return PostWebhook(ctx, w.Client, h.URL, secret, strconv.FormatInt(d.ID, 10), ev.Kind, body, w.Now())
	case store.ChannelEmail:
		if w.Mail == nil {
			return &SendError{Msg: "email is not configured on this server (--smtp-addr)", Permanent: true}
		}
		m, err := EmailFor(ev, d.Target, w.PrefsURL)
		if err != nil {
			return &SendError{Msg: err.Error(), Permanent: true}
		}
		return w.Mail.Send(ctx, m)
	}
	return &SendError{Msg: fmt.Sprintf("unknown channel %q", d.Channel), Permanent: true}
}

// finish records an attempt's outcome.
func (w *Worker) finish(ctx context.Context, d store.Delivery, err error) {
	now := w.Now()
	r := store.DeliveryResult{ID: d.ID, Lease: d.Lease, State: store.DeliveryDone, At: now}
	if err != nil {
		var se *SendError
		permanent, after := false, time.Duration(0)
		if errors.As(err, &se) {
			permanent, after = se.Permanent, se.RetryAfter
		}
		r.Error = err.Error()
		switch {
		case permanent:
			r.State = store.DeliveryDead
		case d.Attempts >= w.Backoff.Attempts:
			r.State, r.Error = store.DeliveryDead, fmt.Sprintf("gave up after %d attempts: %s", d.Attempts, r.Error)
		default:
			r.State, r.Retry = store.DeliveryPending, now.Add(w.Backoff.Delay(d.Attempts, after))
		}
		// The error names no secret: webhook URLs are redacted, SMTP
		// errors carry the server's answer only.
		w.Log.Info("notification not delivered", "delivery", d.ID, "channel", d.Channel, "kind", d.Kind, "attempt", d.Attempts, "state", r.State, "err", r.Error)
	} else {
		w.Log.Debug("notification delivered", "delivery", d.ID, "channel", d.Channel, "kind", d.Kind, "attempt", d.Attempts)
	}
	switch r.State {
	case store.DeliveryDone:
		w.delivered.Add(1)
	case store.DeliveryDead:
		w.dead.Add(1)
	default:
		w.retried.Add(1)
	}
	if err := w.Store.FinishDelivery(ctx, r); err != nil {
		w.Log.Warn("notifications: record an attempt", "delivery", d.ID, "err", err)
	}
}
