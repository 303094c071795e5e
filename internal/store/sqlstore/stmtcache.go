package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// The hottest reads (a system by id on every system and version read, a
// team's systems for every findings list) run as prepared statements on
// SQLite (issue 13). modernc's driver compiles a statement's SQL on every
// query that is not prepared: for a one-row lookup, parsing and planning
// cost about as much as running it. database/sql prepares a *sql.Stmt
// once on each pool connection that runs it and keeps it there.
// PostgreSQL's driver (pgx) already caches prepared statements per
// connection, so it keeps the plain path.

type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// stmt returns query prepared on the pool, or nil when it cannot be
// (the caller then runs the query unprepared).
func (s *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	if s.dialect != SQLite {
		return nil
	}
	c := &s.prepared
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st
}

// queryRowP is QueryRowContext, prepared on SQLite.
func (s *DB) queryRowP(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, query, args...)
}

// queryP is QueryContext, prepared on SQLite.
func (s *DB) queryP(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, query, args...)
}

// closeStmts closes the prepared statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// A push's statements run in its transaction as prepared statements on
// SQLite too: compiling their SQL on every push (about ten statements,
// the single-row insert of each findings, mitigations and assumptions
// batch included) was 5 % of a write's CPU. tx.StmtContext reuses the
// statement already prepared on the transaction's connection.

// txExec is tx.ExecContext, prepared on SQLite.
func (s *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// txQueryRow is tx.QueryRowContext, prepared on SQLite.
func (s *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}
