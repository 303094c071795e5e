package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// The notification outbox. A claim is one UPDATE … RETURNING over the due
// rows whose lease has lapsed: on PostgreSQL the inner SELECT locks them
// FOR UPDATE SKIP LOCKED, so concurrent claimers take disjoint rows without
// waiting, and the outer WHERE repeats the conditions, which PostgreSQL
// re-checks on a row another transaction changed meanwhile; on SQLite
// writers are serialised (immediate transactions), so the UPDATE is atomic.
// Finishing an attempt is a compare-and-set on the lease, so a process
// whose lease lapsed cannot overwrite the outcome of the claim after it.

const deliveryCols = `id, dedup_key, channel, target, team_id, kind, payload, state, attempts, next_attempt_at, lease, lease_until, last_error, created_at, updated_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (store.Delivery, error) {
	var d store.Delivery
	var payload string
	var next, until, created, updated, delivered int64
	err := row.Scan(&d.ID, &d.Key, &d.Channel, &d.Target, &d.TeamID, &d.Kind, &payload, &d.State, &d.Attempts, &next, &d.Lease, &until,
		&d.LastError, &created, &updated, &delivered)
	if err != nil {
		return d, mapErr(err)
	}
	d.Payload = []byte(payload)
	d.NextAttemptAt, d.LeaseUntil, d.CreatedAt, d.UpdatedAt, d.DeliveredAt = fromMS(next), fromMS(until), fromMS(created), fromMS(updated), fromMS(delivered)
	return d, nil
}

// EnqueueDeliveries adds deliveries, skipping taken keys.
func (s *DB) EnqueueDeliveries(ctx context.Context, ds []store.Delivery) (int, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	now := s.now()
	added := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, d := range ds {
			if d.Key == "" || d.Channel == "" || d.Target == "" {
				return fmt.Errorf("enqueue delivery: key, channel and target are required")
			}
			next := d.NextAttemptAt
			if next.IsZero() {
				next = now
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (dedup_key, channel, target, team_id, kind, payload, state, attempts, next_attempt_at, lease, lease_until, last_error, created_at, updated_at, delivered_at)
				VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, '', 0, '', $8, $8, 0) ON CONFLICT (dedup_key) DO NOTHING`,
				d.Key, d.Channel, d.Target, d.TeamID, d.Kind, string(d.Payload), ms(next), ms(now))
			if err != nil {
				return mapErr(err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	return added, err
}

// ClaimDeliveries claims due deliveries under a lease.
func (s *DB) ClaimDeliveries(ctx context.Context, lease string, now, until time.Time, limit int) ([]store.Delivery, error) {
	if lease == "" || !until.After(now) {
		return nil, fmt.Errorf("claim deliveries: a lease name and a lease end after now are required")
	}
	limit = min(max(limit, 1), 500)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE notify_outbox SET lease = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
		WHERE state = 'pending' AND next_attempt_at <= $3 AND lease_until <= $3 AND id IN (
			SELECT id FROM notify_outbox WHERE state = 'pending' AND next_attempt_at <= $3 AND lease_until <= $3
			ORDER BY next_attempt_at, id LIMIT $4` + lock + `)
		RETURNING ` + deliveryCols
	var out []store.Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, lease, ms(until), ms(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishDelivery records an attempt's outcome under its lease.
func (s *DB) FinishDelivery(ctx context.Context, r store.DeliveryResult) error {
	switch r.State {
	case store.DeliveryDone, store.DeliveryDead, store.DeliveryPending:
	default:
		return fmt.Errorf("finish delivery: state %q", r.State)
	}
	at := r.At
	if at.IsZero() {
		at = s.now()
	}
	delivered := int64(0)
	if r.State == store.DeliveryDone {
		delivered = ms(at)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET state = $1, next_attempt_at = $2, last_error = $3, lease = '', lease_until = 0,
			updated_at = $4, delivered_at = $5 WHERE id = $6 AND lease = $7`,
			r.State, ms(r.Retry), truncate(r.Error, 1000), ms(at), delivered, r.ID, r.Lease)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("delivery %d: the lease %q is no longer held: %w", r.ID, r.Lease, store.ErrConflict)
		}
		return nil
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…" // a rune cut in two is dropped
}

// PruneDeliveries deletes finished deliveries last changed before before.
func (s *DB) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM notify_outbox WHERE state IN ('done', 'dead') AND updated_at < $1`, ms(before))
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	return n, err
}

// ListDeliveries lists deliveries, newest first.
func (s *DB) ListDeliveries(ctx context.Context, q store.DeliveryQuery) ([]store.Delivery, int, error) {
	p := q.Page.Normal()
	where := ` WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR channel = $2) AND ($3 = '' OR target = $3) AND ($4 = '' OR state = $4)`
	args := []any{q.TeamID, q.Channel, q.Target, q.State}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_outbox`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryCols+` FROM notify_outbox`+where+` ORDER BY id DESC LIMIT $5 OFFSET $6`,
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

const webhookCols = `SELECT id, team_id, name, url, secret, kinds, enabled, created_by, created_at, updated_at FROM notify_webhooks`

func scanWebhook(row interface{ Scan(...any) error }) (store.Webhook, error) {
	var w store.Webhook
	var kinds string
	var enabled int
	var created, updated int64
	if err := row.Scan(&w.ID, &w.TeamID, &w.Name, &w.URL, &w.Secret, &kinds, &enabled, &w.CreatedBy, &created, &updated); err != nil {
		return w, mapErr(err)
	}
	w.Kinds, w.Enabled, w.CreatedAt, w.UpdatedAt = unlist(kinds), enabled != 0, fromMS(created), fromMS(updated)
	return w, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateWebhook stores a team's webhook.
func (s *DB) CreateWebhook(ctx context.Context, w store.Webhook, actor string) (store.Webhook, error) {
	now := s.now()
	w.CreatedBy, w.CreatedAt, w.UpdatedAt = actor, fromMS(ms(now)), fromMS(ms(now))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = $1`, w.TeamID).Scan(&one); err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_webhooks (id, team_id, name, url, secret, kinds, enabled, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, w.ID, w.TeamID, w.Name, w.URL, w.Secret, list(w.Kinds), boolInt(w.Enabled), actor, ms(now)); err != nil {
			return mapErr(err)
		}
		return audit(ctx, tx, now, actor, "webhook.create", "webhook:"+w.ID, "team "+w.TeamID)
	})
	return w, err
}

// GetWebhook returns a webhook.
func (s *DB) GetWebhook(ctx context.Context, id string) (store.Webhook, error) {
	return scanWebhook(s.db.QueryRowContext(ctx, webhookCols+` WHERE id = $1`, id))
}

// ListWebhooks lists webhooks by name.
func (s *DB) ListWebhooks(ctx context.Context, teamID string) ([]store.Webhook, error) {
	rows, err := s.db.QueryContext(ctx, webhookCols+` WHERE ($1 = '' OR team_id = $1) ORDER BY team_id, name, id LIMIT 1000`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// UpdateWebhook replaces a webhook's settings.
func (s *DB) UpdateWebhook(ctx context.Context, w store.Webhook, actor string) (store.Webhook, error) {
	now := s.now()
	var out store.Webhook
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_webhooks SET name = $1, url = $2, secret = $3, kinds = $4, enabled = $5, updated_at = $6 WHERE id = $7`,
			w.Name, w.URL, w.Secret, list(w.Kinds), boolInt(w.Enabled), ms(now), w.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		if out, err = scanWebhook(tx.QueryRowContext(ctx, webhookCols+` WHERE id = $1`, w.ID)); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "webhook.update", "webhook:"+w.ID, "team "+out.TeamID)
	})
	return out, err
}

// DeleteWebhook deletes a webhook.
func (s *DB) DeleteWebhook(ctx context.Context, id, actor string) error {
	now := s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		w, err := scanWebhook(tx.QueryRowContext(ctx, webhookCols+` WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notify_webhooks WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "webhook.delete", "webhook:"+id, "team "+w.TeamID)
	})
}

// NotifyPrefs returns an account's preferences.
func (s *DB) NotifyPrefs(ctx context.Context, userID string) (store.NotifyPrefs, error) {
	p := store.NotifyPrefs{UserID: userID}
	var email int
	var kinds string
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT email, kinds, updated_at FROM notify_prefs WHERE user_id = $1`, userID).Scan(&email, &kinds, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.Email, p.Kinds, p.UpdatedAt = email != 0, unlist(kinds), fromMS(updated)
	return p, nil
}

// SetNotifyPrefs stores an account's preferences.
func (s *DB) SetNotifyPrefs(ctx context.Context, p store.NotifyPrefs) error {
	if p.UserID == "" {
		return fmt.Errorf("notification preferences: no account")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, email, kinds, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, kinds = excluded.kinds, updated_at = excluded.updated_at`,
			p.UserID, boolInt(p.Email), list(p.Kinds), ms(s.now()))
		return err
	})
}
