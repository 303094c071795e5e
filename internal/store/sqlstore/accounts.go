package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// Findings queries findings of every system's latest version.
//
// A team's list is answered from memory on SQLite, and on PostgreSQL
// when its collation orders by bytes (findingscache.go).
func (s *DB) Findings(ctx context.Context, q store.FindingQuery) ([]store.Finding, int, error) {
	switch q.Sort {
	case "", "severity", "system", "id":
	default:
		return nil, 0, fmt.Errorf("sort %q: use severity, system or id", q.Sort)
	}
	if s.findingsInMemory && q.TeamID != "" {
		if fs, total, ok, err := s.teamFindings(ctx, q, q.Page.Normal()); ok || err != nil {
			return fs, total, err
		}
	}
	return s.findingsSQL(ctx, q)
}

// findingsSQL is Findings answered by the database.
func (s *DB) findingsSQL(ctx context.Context, q store.FindingQuery) ([]store.Finding, int, error) {
	p := q.Page.Normal()
	like := func(v string) string {
		return "%," + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, ",", "").Replace(v) + ",%"
	}
	// Only the filters in use become conditions: "($1 = '' OR team_id = $1)"
	// would keep the planner from using the indexes, so every query
	// scanned the whole table. Without a minimum severity there is no
	// range on sev_rank either, so a team's list sorted by system reads
	// findings_team_system in order (migration 00090).
	where := "WHERE TRUE"
	var args []any
	if r := SeverityRank(q.MinSeverity); r > 0 {
		args = append(args, r)
		where += " AND sev_rank >= $1"
	}
	for _, c := range []struct{ cond, v string }{
		{"team_id = $%d", q.TeamID}, {"system_id = $%d", q.SystemID}, {"status = $%d", q.Status},
		{`data_kinds LIKE $%d ESCAPE '\'`, q.DataKind}, {`assets LIKE $%d ESCAPE '\'`, q.Asset}, {"owner = $%d", q.Owner},
	} {
		if c.v == "" {
			continue
		}
		v := c.v
		if strings.Contains(c.cond, "LIKE") {
			v = like(v)
		}
		args = append(args, v)
		where += " AND " + fmt.Sprintf(c.cond, len(args))
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := `sev_rank DESC, score DESC, system_id, id`
	switch q.Sort {
	case "system":
		order = `system_id, sev_rank DESC, id`
	case "id":
		order = `id, system_id`
	case "", "severity":
	default:
		return nil, 0, fmt.Errorf("sort %q: use severity, system or id", q.Sort)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT system_id, team_id, version, id, rule, category, severity, score, status, title, owner, assets, data_kinds
		FROM findings `+where+fmt.Sprintf(` ORDER BY %s LIMIT $%d OFFSET $%d`, order, len(args)+1, len(args)+2), append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Finding
	for rows.Next() {
		var f store.Finding
		var assets, kinds string
		if err := rows.Scan(&f.SystemID, &f.TeamID, &f.Version, &f.ID, &f.Rule, &f.Category, &f.Severity, &f.Score, &f.Status, &f.Title, &f.Owner, &assets, &kinds); err != nil {
			return nil, 0, err
		}
		f.Assets, f.DataKinds = unlist(assets), unlist(kinds)
		out = append(out, f)
	}
	return out, total, rows.Err()
}

// Mitigations lists mitigations of latest versions.
func (s *DB) Mitigations(ctx context.Context, teamID, status string, p store.Page) ([]store.Mitigation, int, error) {
	p = p.Normal()
	var total int
	where := `WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR status = $2)`
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mitigations `+where, teamID, status).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT system_id, team_id, id, title, status, owner, due FROM mitigations `+where+
		` ORDER BY system_id, id LIMIT $3 OFFSET $4`, teamID, status, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Mitigation
	for rows.Next() {
		var m store.Mitigation
		if err := rows.Scan(&m.SystemID, &m.TeamID, &m.ID, &m.Title, &m.Status, &m.Owner, &m.Due); err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// Assumptions lists assumptions of latest versions.
func (s *DB) Assumptions(ctx context.Context, teamID, status string, p store.Page) ([]store.Assumption, int, error) {
	p = p.Normal()
	var total int
	where := `WHERE ($1 = '' OR team_id = $1) AND ($2 = '' OR status = $2)`
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM assumptions `+where, teamID, status).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT system_id, team_id, id, text, status FROM assumptions `+where+
		` ORDER BY system_id, id LIMIT $3 OFFSET $4`, teamID, status, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Assumption
	for rows.Next() {
		var a store.Assumption
		if err := rows.Scan(&a.SystemID, &a.TeamID, &a.ID, &a.Text, &a.Status); err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

const userCols = `SELECT id, email, name, role, team_id, password_hash, subject, disabled, created_at FROM users`

func scanUser(r scanner) (store.User, error) {
	var u store.User
	var role string
	var at int64
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.TeamID, &u.PasswordHash, &u.Subject, &u.Disabled, &at); err != nil {
		return u, mapErr(err)
	}
	u.Role, u.CreatedAt = store.Role(role), fromMS(at)
	return u, nil
}

// CreateUser creates an account. Emails are stored lower-case.
func (s *DB) CreateUser(ctx context.Context, u store.User, actor string) (store.User, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, team_id, password_hash, subject, disabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, u.ID, u.Email, u.Name, string(u.Role), u.TeamID, u.PasswordHash, u.Subject, u.Disabled, ms(u.CreatedAt)); err != nil {
			return mapErr(err)
		}
		return audit(ctx, tx, u.CreatedAt, actor, "user.create", "user:"+u.ID, string(u.Role))
	})
	return u, err
}

// GetUser returns an account by id.
func (s *DB) GetUser(ctx context.Context, id string) (store.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, userCols+` WHERE id = $1`, id))
}

// GetUserByEmail returns an account by email, case-insensitively.
func (s *DB) GetUserByEmail(ctx context.Context, email string) (store.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, userCols+` WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
}

// GetUserBySubject returns a single-sign-on account by its issuer|subject.
func (s *DB) GetUserBySubject(ctx context.Context, subject string) (store.User, error) {
	if subject == "" {
		return store.User{}, store.ErrNotFound
	}
	return scanUser(s.db.QueryRowContext(ctx, userCols+` WHERE subject = $1`, subject))
}

// SetUserRole changes an account's role and team.
func (s *DB) SetUserRole(ctx context.Context, id string, role store.Role, teamID, actor string) (store.User, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, team_id = $2 WHERE id = $3`, string(role), teamID, id)
		if err != nil {
			return mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		detail := string(role)
		if teamID != "" {
			detail += " " + teamID
		}
		return audit(ctx, tx, s.now().UTC(), actor, "user.role", "user:"+id, detail)
	})
	if err != nil {
		return store.User{}, err
	}
	return s.GetUser(ctx, id)
}

// ListUsers lists accounts by email.
func (s *DB) ListUsers(ctx context.Context, p store.Page) ([]store.User, int, error) {
	p = p.Normal()
	total, err := s.CountUsers(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, userCols+` ORDER BY email LIMIT $1 OFFSET $2`, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// CountUsers counts accounts.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession stores a session.
func (s *DB) CreateSession(ctx context.Context, x store.Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		x.IDHash, x.UserID, ms(x.CreatedAt), ms(x.ExpiresAt))
	return mapErr(err)
}

// GetSession returns a session by the hash of its id.
func (s *DB) GetSession(ctx context.Context, idHash string) (store.Session, error) {
	var x store.Session
	var c, e int64
	err := s.db.QueryRowContext(ctx, `SELECT id_hash, user_id, created_at, expires_at FROM sessions WHERE id_hash = $1`, idHash).Scan(&x.IDHash, &x.UserID, &c, &e)
	x.CreatedAt, x.ExpiresAt = fromMS(c), fromMS(e)
	return x, mapErr(err)
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, ms(now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const tokenCols = `SELECT id, name, team_id, role, hash, created_by, created_at, last_used, revoked, expires_at FROM tokens`

func scanToken(r scanner) (store.Token, error) {
	var t store.Token
	var role string
	var c, l, e int64
	if err := r.Scan(&t.ID, &t.Name, &t.TeamID, &role, &t.Hash, &t.CreatedBy, &c, &l, &t.Revoked, &e); err != nil {
		return t, mapErr(err)
	}
	t.Role, t.CreatedAt, t.LastUsed, t.ExpiresAt = store.Role(role), fromMS(c), fromMS(l), fromMS(e)
	return t, nil
}

// CreateToken stores an API token (its hash only).
func (s *DB) CreateToken(ctx context.Context, t store.Token, actor string) (store.Token, error) {
	t.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, name, team_id, role, hash, created_by, created_at, last_used, revoked, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`, t.ID, t.Name, t.TeamID, string(t.Role), t.Hash, t.CreatedBy, ms(t.CreatedAt), false, msOrZero(t.ExpiresAt)); err != nil {
			return mapErr(err)
		}
		detail := "team:" + t.TeamID
		if !t.ExpiresAt.IsZero() {
			detail += " expires:" + t.ExpiresAt.Format(time.RFC3339)
		}
		return audit(ctx, tx, t.CreatedAt, actor, "token.create", "token:"+t.ID, detail)
	})
	return t, err
}

// GetTokenByHash returns a token by the hash of its secret.
func (s *DB) GetTokenByHash(ctx context.Context, hash string) (store.Token, error) {
	return scanToken(s.db.QueryRowContext(ctx, tokenCols+` WHERE hash = $1`, hash))
}

// ListTokens lists a team's tokens (all when teamID is empty).
func (s *DB) ListTokens(ctx context.Context, teamID string) ([]store.Token, error) {
	rows, err := s.db.QueryContext(ctx, tokenCols+` WHERE ($1 = '' OR team_id = $1) ORDER BY created_at, id`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token.
func (s *DB) RevokeToken(ctx context.Context, id, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = $1 WHERE id = $2`, true, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return audit(ctx, tx, s.now().UTC(), actor, "token.revoke", "token:"+id, "")
	})
}

// TouchToken records when a token was last used.
func (s *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE tokens SET last_used = $1 WHERE id = $2`, ms(at), id)
	return err
}

// Audit lists audit events after a sequence number, oldest first.
func (s *DB) Audit(ctx context.Context, afterSeq int64, p store.Page) ([]store.AuditEvent, error) {
	p = p.Normal()
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, actor, action, object, detail FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2`, afterSeq, p.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var e store.AuditEvent
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
