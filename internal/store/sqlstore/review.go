package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
)

const reviewCols = `SELECT id, system_id, team_id, title, design_doc, answers, tier, score, reasons, policy, state, assignee,
	requested_by, wanted_by, due, note, revision, created_at, updated_at FROM review_requests`

func scanReview(r scanner) (store.ReviewRequest, error) {
	var x store.ReviewRequest
	var wanted, due, c, u int64
	if err := r.Scan(&x.ID, &x.SystemID, &x.TeamID, &x.Title, &x.DesignDoc, &x.Answers, &x.Tier, &x.Score, &x.Reasons, &x.Policy,
		&x.State, &x.Assignee, &x.RequestedBy, &wanted, &due, &x.Note, &x.Revision, &c, &u); err != nil {
		return x, mapErr(err)
	}
	x.WantedBy, x.Due, x.CreatedAt, x.UpdatedAt = fromMS(wanted), fromMS(due), fromMS(c), fromMS(u)
	return x, nil
}

func isForeignKey(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503"))
}

func insertReviewEvent(ctx context.Context, tx *sql.Tx, ev store.ReviewEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO review_events (request_id, seq, at, actor, action, from_state, to_state, note)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM review_events WHERE request_id = $1), $2, $3, $4, $5, $6, $7)`,
		ev.RequestID, ms(ev.At), ev.Actor, ev.Action, ev.From, ev.To, ev.Note)
	return mapErr(err)
}

// CreateReview stores a new review request with its first event.
func (s *DB) CreateReview(ctx context.Context, r store.ReviewRequest, ev store.ReviewEvent) (store.ReviewRequest, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if !ev.At.IsZero() {
		now = ev.At.UTC().Truncate(time.Millisecond)
	}
	r.CreatedAt, r.UpdatedAt, r.Revision = now, now, 1
	r.WantedBy, r.Due = r.WantedBy.UTC().Truncate(time.Millisecond), r.Due.UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_requests (id, system_id, team_id, title, design_doc, answers, tier, score, reasons, policy,
			state, assignee, requested_by, wanted_by, due, note, revision, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			r.ID, r.SystemID, r.TeamID, r.Title, r.DesignDoc, r.Answers, r.Tier, r.Score, r.Reasons, r.Policy, r.State, r.Assignee, r.RequestedBy,
			ms(r.WantedBy), ms(r.Due), r.Note, r.Revision, ms(now), ms(now)); err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("team %q: %w", r.TeamID, store.ErrNotFound)
			}
			return mapErr(err)
		}
		ev.RequestID, ev.At = r.ID, now
		if err := insertReviewEvent(ctx, tx, ev); err != nil {
			return err
		}
		return audit(ctx, tx, now, ev.Actor, "review.request", "review:"+r.ID, fmt.Sprintf("system %s, tier %s, score %d", r.SystemID, r.Tier, r.Score))
	})
	if err != nil {
		return store.ReviewRequest{}, err
	}
	return r, nil
}

// GetReview returns a review request.
func (s *DB) GetReview(ctx context.Context, id string) (store.ReviewRequest, error) {
	return scanReview(s.db.QueryRowContext(ctx, reviewCols+` WHERE id = $1`, id))
}

// ListReviews lists review requests, newest first.
func (s *DB) ListReviews(ctx context.Context, q store.ReviewQuery) ([]store.ReviewRequest, int, error) {
	p := q.Page.Normal()
	where := ` WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR system_id = $2) AND ($3 = ',' OR $3 LIKE '%,' || state || ',%')`
	args := []any{q.TeamID, q.SystemID, list(q.States)}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_requests`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, reviewCols+where+` ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.ReviewRequest
	for rows.Next() {
		x, err := scanReview(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// UpdateReview changes a review request, appends its event and records
// the approval, if any, in one transaction.
func (s *DB) UpdateReview(ctx context.Context, u store.ReviewUpdate) (store.ReviewRequest, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if !u.Event.At.IsZero() {
		now = u.Event.At.UTC().Truncate(time.Millisecond)
	}
	r := u.Request
	err := s.tx(ctx, func(tx *sql.Tx) error {
		lockClause := ""
		if s.dialect == Postgres {
			lockClause = " FOR UPDATE"
		}
		old, err := scanReview(tx.QueryRowContext(ctx, reviewCols+` WHERE id = $1`+lockClause, r.ID))
		if err != nil {
			return err
		}
		if old.Revision != u.BaseRevision {
			return fmt.Errorf("review %s is at revision %d, not %d: %w", r.ID, old.Revision, u.BaseRevision, store.ErrConflict)
		}
		// Identity, origin and creation stay as they were.
		r.SystemID, r.TeamID, r.RequestedBy, r.CreatedAt = old.SystemID, old.TeamID, old.RequestedBy, old.CreatedAt
		r.Revision, r.UpdatedAt = old.Revision+1, now
		r.WantedBy, r.Due = r.WantedBy.UTC().Truncate(time.Millisecond), r.Due.UTC().Truncate(time.Millisecond)
		if _, err := tx.ExecContext(ctx, `UPDATE review_requests SET title = $1, design_doc = $2, answers = $3, tier = $4, score = $5, reasons = $6,
			policy = $7, state = $8, assignee = $9, wanted_by = $10, due = $11, note = $12, revision = $13, updated_at = $14 WHERE id = $15`,
			r.Title, r.DesignDoc, r.Answers, r.Tier, r.Score, r.Reasons, r.Policy, r.State, r.Assignee, ms(r.WantedBy), ms(r.Due), r.Note,
			r.Revision, ms(now), r.ID); err != nil {
			return mapErr(err)
		}
		ev := u.Event
		ev.RequestID, ev.At = r.ID, now
		if err := insertReviewEvent(ctx, tx, ev); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: %s -> %s", ev.Action, old.State, r.State)
		if a := u.Approval; a != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO review_approvals (system_id, seq, team_id, request_id, version, approved_by, approved_at, expires_at, high_risks)
				VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM review_approvals WHERE system_id = $1), $2, $3, $4, $5, $6, $7, $8)`,
				r.SystemID, r.TeamID, r.ID, a.Version, a.ApprovedBy, ms(a.ApprovedAt), ms(a.ExpiresAt), list(a.HighRisks)); err != nil {
				return mapErr(err)
			}
			detail += fmt.Sprintf(", approved version %d until %s", a.Version, a.ExpiresAt.UTC().Format(time.DateOnly))
		}
		return audit(ctx, tx, now, ev.Actor, "review."+ev.Action, "review:"+r.ID, detail)
	})
	if err != nil {
		return store.ReviewRequest{}, err
	}
	return r, nil
}

// ReviewEvents returns a review request's history, oldest first.
func (s *DB) ReviewEvents(ctx context.Context, requestID string) ([]store.ReviewEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT request_id, seq, at, actor, action, from_state, to_state, note FROM review_events
		WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ReviewEvent
	for rows.Next() {
		var e store.ReviewEvent
		var at int64
		if err := rows.Scan(&e.RequestID, &e.Seq, &at, &e.Actor, &e.Action, &e.From, &e.To, &e.Note); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

const approvalCols = `SELECT system_id, team_id, request_id, version, approved_by, approved_at, expires_at, high_risks FROM review_approvals a`

func scanApproval(r scanner) (store.Approval, error) {
	var a store.Approval
	var at, exp int64
	var risks string
	if err := r.Scan(&a.SystemID, &a.TeamID, &a.RequestID, &a.Version, &a.ApprovedBy, &at, &exp, &risks); err != nil {
		return a, mapErr(err)
	}
	a.ApprovedAt, a.ExpiresAt, a.HighRisks = fromMS(at), fromMS(exp), unlist(risks)
	return a, nil
}

// LatestApproval returns a system's latest approval.
func (s *DB) LatestApproval(ctx context.Context, systemID string) (store.Approval, error) {
	return scanApproval(s.db.QueryRowContext(ctx, approvalCols+` WHERE system_id = $1 ORDER BY seq DESC LIMIT 1`, systemID))
}

// LatestApprovals returns every system's latest approval, by system.
func (s *DB) LatestApprovals(ctx context.Context, teamID string) ([]store.Approval, error) {
	rows, err := s.db.QueryContext(ctx, approvalCols+` WHERE ($1 = '' OR team_id = $1)
		AND seq = (SELECT MAX(seq) FROM review_approvals b WHERE b.system_id = a.system_id) ORDER BY system_id`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Approval
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetCapacity sets an engineer's hours for a week; 0 removes them.
func (s *DB) SetCapacity(ctx context.Context, c store.Capacity) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c.Hours <= 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM review_capacity WHERE week = $1 AND engineer = $2`, c.Week, c.Engineer)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO review_capacity (week, engineer, hours, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (week, engineer) DO UPDATE SET hours = excluded.hours, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				c.Week, c.Engineer, c.Hours, c.UpdatedBy, ms(now))
		}
		if err != nil {
			return mapErr(err)
		}
		return audit(ctx, tx, now, c.UpdatedBy, "review.capacity", "capacity:"+c.Week+":"+c.Engineer, fmt.Sprintf("%g hours", c.Hours))
	})
}

// ListCapacity lists the hours entered for a week, by engineer.
func (s *DB) ListCapacity(ctx context.Context, week string) ([]store.Capacity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT week, engineer, hours, updated_by, updated_at FROM review_capacity WHERE week = $1 ORDER BY engineer`, week)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Capacity
	for rows.Next() {
		var c store.Capacity
		var at int64
		if err := rows.Scan(&c.Week, &c.Engineer, &c.Hours, &c.UpdatedBy, &at); err != nil {
			return nil, err
		}
		c.UpdatedAt = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ReviewSetting returns a review setting, "" when unset.
func (s *DB) ReviewSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM review_settings WHERE key = $1`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetReviewSetting stores a review setting; "" removes it.
func (s *DB) SetReviewSetting(ctx context.Context, key, value, actor string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if value == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM review_settings WHERE key = $1`, key)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO review_settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				key, value, actor, ms(now))
		}
		if err != nil {
			return mapErr(err)
		}
		return audit(ctx, tx, now, actor, "review.settings", "setting:"+key, fmt.Sprintf("%d bytes", len(value)))
	})
}
