package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wardtm/ward/internal/store"
)

// Live sessions: one row per session (its latest state as JSON and the
// sequence number of its last event) and an append-only event log. An
// append is a compare-and-set on the session's seq in the same
// transaction as the event's insert, so that replicas sharing a database
// agree on one order of events.

const liveCols = `SELECT id, system_id, team_id, title, phase, seq, state, guest_hash, created_by, created_at, updated_at, expires_at FROM live_sessions`

func scanLive(row interface{ Scan(...any) error }) (store.LiveSession, error) {
	var x store.LiveSession
	var state string
	var created, updated, expires int64
	err := row.Scan(&x.ID, &x.SystemID, &x.TeamID, &x.Title, &x.Phase, &x.Seq, &state, &x.GuestHash, &x.CreatedBy, &created, &updated, &expires)
	if err != nil {
		return x, mapErr(err)
	}
	x.State = []byte(state)
	x.CreatedAt, x.UpdatedAt, x.ExpiresAt = fromMS(created), fromMS(updated), fromMS(expires)
	return x, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateLiveSession stores a session with its first event.
func (s *DB) CreateLiveSession(ctx context.Context, x store.LiveSession, first store.LiveEvent) error {
	if first.Seq != 1 {
		return fmt.Errorf("a session's first event is number 1, not %d", first.Seq)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_sessions (id, system_id, team_id, title, phase, seq, state, guest_hash, created_by, created_at, updated_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $9, $10)`,
			x.ID, x.SystemID, x.TeamID, x.Title, x.Phase, string(x.State), x.GuestHash, x.CreatedBy, ms(x.CreatedAt), ms(x.ExpiresAt)); err != nil {
			return mapErr(err)
		}
		first.SessionID = x.ID
		return insertLiveEvent(ctx, tx, first)
	})
}

func insertLiveEvent(ctx context.Context, tx *sql.Tx, e store.LiveEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO live_events (session_id, seq, at, actor, type, request_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.SessionID, e.Seq, ms(e.At), e.Actor, e.Type, nullable(e.RequestID), string(e.Data))
	return mapErr(err)
}

// GetLiveSession returns a session.
func (s *DB) GetLiveSession(ctx context.Context, id string) (store.LiveSession, error) {
	return scanLive(s.db.QueryRowContext(ctx, liveCols+` WHERE id = $1`, id))
}

// GetLiveSessionByGuest finds a session by its guest link's hash.
func (s *DB) GetLiveSessionByGuest(ctx context.Context, hash string) (store.LiveSession, error) {
	if hash == "" {
		return store.LiveSession{}, store.ErrNotFound
	}
	return scanLive(s.db.QueryRowContext(ctx, liveCols+` WHERE guest_hash = $1`, hash))
}

// ListLiveSessions lists a system's sessions, newest first.
func (s *DB) ListLiveSessions(ctx context.Context, systemID string, p store.Page) ([]store.LiveSession, error) {
	p = p.Normal()
	rows, err := s.db.QueryContext(ctx, `SELECT id, system_id, team_id, title, phase, seq, '', guest_hash, created_by, created_at, updated_at, expires_at
		FROM live_sessions WHERE system_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`, systemID, p.Limit, p.Offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.LiveSession
	for rows.Next() {
		x, err := scanLive(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AppendLiveEvent stores e as event base+1 when the session is at base.
func (s *DB) AppendLiveEvent(ctx context.Context, e store.LiveEvent, base int64, state []byte, phase string) error {
	e.Seq = base + 1
	return s.tx(ctx, func(tx *sql.Tx) error {
		if e.RequestID != "" {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM live_events WHERE session_id = $1 AND request_id = $2`, e.SessionID, e.RequestID).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: request %s", store.ErrExists, e.RequestID)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE live_sessions SET seq = $1, state = $2, phase = $3, updated_at = $4 WHERE id = $5 AND seq = $6`,
			e.Seq, string(state), phase, ms(e.At), e.SessionID, base)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := scanLive(tx.QueryRowContext(ctx, liveCols+` WHERE id = $1`, e.SessionID)); err != nil {
				return err
			}
			return store.ErrConflict
		}
		// A request stored by another replica between the check and this
		// insert fails on the unique index with ErrExists.
		return insertLiveEvent(ctx, tx, e)
	})
}

// LiveEvents returns up to limit events after seq.
func (s *DB) LiveEvents(ctx context.Context, sessionID string, after int64, limit int) ([]store.LiveEvent, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT session_id, seq, at, actor, type, COALESCE(request_id, ''), data FROM live_events
		WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, sessionID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.LiveEvent
	for rows.Next() {
		e, err := scanLiveEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanLiveEvent(row interface{ Scan(...any) error }) (store.LiveEvent, error) {
	var e store.LiveEvent
	var at int64
	var data string
	if err := row.Scan(&e.SessionID, &e.Seq, &at, &e.Actor, &e.Type, &e.RequestID, &data); err != nil {
		return e, mapErr(err)
	}
	e.At, e.Data = fromMS(at), []byte(data)
	return e, nil
}

// LiveEventByRequest returns the event stored for a request id.
func (s *DB) LiveEventByRequest(ctx context.Context, sessionID, requestID string) (store.LiveEvent, error) {
	if requestID == "" {
		return store.LiveEvent{}, store.ErrNotFound
	}
	return scanLiveEvent(s.db.QueryRowContext(ctx, `SELECT session_id, seq, at, actor, type, COALESCE(request_id, ''), data FROM live_events
		WHERE session_id = $1 AND request_id = $2`, sessionID, requestID))
}

// CreateLiveGuest stores a guest of a session.
func (s *DB) CreateLiveGuest(ctx context.Context, g store.LiveGuest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO live_guests (hash, session_id, member_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
			g.Hash, g.SessionID, g.MemberID, g.Name, ms(g.CreatedAt))
		return mapErr(err)
	})
}

// GetLiveGuest returns a guest by the hash of their secret.
func (s *DB) GetLiveGuest(ctx context.Context, hash string) (store.LiveGuest, error) {
	var g store.LiveGuest
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT hash, session_id, member_id, name, created_at FROM live_guests WHERE hash = $1`, hash).
		Scan(&g.Hash, &g.SessionID, &g.MemberID, &g.Name, &at)
	g.CreatedAt = fromMS(at)
	return g, mapErr(err)
}
