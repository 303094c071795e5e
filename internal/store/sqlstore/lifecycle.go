package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// msOrZero stores the zero time as 0 (never), not as a negative epoch.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// SetUserDisabled disables (ending its sessions) or enables an account.
func (s *DB) SetUserDisabled(ctx context.Context, id string, disabled bool, actor string) (store.User, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := mustAffect(tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, id)); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, s.now().UTC(), actor, action, "user:"+id, "")
	})
	if err != nil {
		return store.User{}, err
	}
	return s.GetUser(ctx, id)
}

// DeleteUser deletes an account and its sessions and revokes the tokens it
// created; what it authored stays.
func (s *DB) DeleteUser(ctx context.Context, id, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&email); err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = $1 WHERE created_by = $2`, true, "user:"+id); err != nil {
			return err
		}
		if err := mustAffect(tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, s.now().UTC(), actor, "user.delete", "user:"+id, email)
	})
}

// SetUserPassword replaces a password hash and ends the account's other
// sessions.
func (s *DB) SetUserPassword(ctx context.Context, id, hash, keepSession, detail, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := mustAffect(tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, id, keepSession); err != nil {
			return err
		}
		return audit(ctx, tx, s.now().UTC(), actor, "user.password", "user:"+id, detail)
	})
}

// GetDiff returns a stored diff.
func (s *DB) GetDiff(ctx context.Context, k store.DiffKey) ([]byte, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM diff_cache WHERE system_id = $1 AND from_version = $2 AND to_version = $3 AND engine = $4`,
		k.SystemID, k.From, k.To, k.Engine).Scan(&body)
	if err != nil {
		return nil, mapErr(err)
	}
	return []byte(body), nil
}

// PutDiff stores a diff; a second store of the same key keeps the first.
func (s *DB) PutDiff(ctx context.Context, k store.DiffKey, body []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO diff_cache (system_id, from_version, to_version, engine, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, k.SystemID, k.From, k.To, k.Engine, string(body), ms(s.now()))
		return mapErr(err)
	})
}
