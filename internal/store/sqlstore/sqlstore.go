// Package sqlstore implements store.Store over database/sql, for SQLite
// (modernc.org/sqlite, pure Go, WAL mode) and PostgreSQL (pgx). Both use the
// same SQL text with $n placeholders; only the schema's DDL differs. Schema
// migrations are embedded and run at start-up; on PostgreSQL an advisory
// lock serialises replicas that start together.
package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/wardtm/ward/internal/store"
)

//go:embed migrations
var migrations embed.FS

// Dialect is the database engine.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a store.Store on a SQL database.
type DB struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	// writeMu queues this process's SQLite write transactions in Go: SQLite
	// runs one writer at a time, and writers waiting in its busy handler
	// would each hold a pool connection (starving readers) and poll with
	// sleeps of up to 100 ms.
	writeMu sync.Mutex
	// findings caches the findings rows of systems' latest versions for
	// team findings lists (findingscache.go), when findingsInMemory.
	findings         findingsCache
	findingsInMemory bool
	// prepared holds the hottest reads prepared, on SQLite (stmtcache.go).
	prepared stmtCache
	// sideRows says which mitigations and assumptions rows the versions
	// this process stored wrote (siderows.go).
	sideRows sideRowsCache
	// lookups is the turn the hottest reads take for a connection
	// (lookup).
	lookups chan struct{}
	// ckpt runs SQLite's WAL checkpoints off the writes (checkpoint.go);
	// nil on PostgreSQL.
	ckpt *checkpointer
}

// lookup waits for a turn to run one of the hottest reads (a system, a
// version, a team's systems and findings rows) and returns its release.
// The turns are fewer than the pool's connections, so a read with a turn
// rarely waits for one, and waiting readers get their turn in arrival
// order: a Go channel hands a freed slot to the sender that has waited
// longest, where database/sql hands a freed connection to a random
// waiter, which made the longest waits of a load far longer than the
// queue (issue 13: ≈ 1,100 waits for a connection a load-benchmark run
// on PostgreSQL, 45–59 s in all).
func (s *DB) lookup(ctx context.Context) (func(), error) {
	select {
	case s.lookups <- struct{}{}:
		return func() { <-s.lookups }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var _ store.Store = (*DB)(nil)

// Open connects to dsn — a postgres:// or postgresql:// URL, or a SQLite
// file path — and runs pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	d := SQLite
	driver, conn := "sqlite", sqliteDSN(dsn)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		d, driver, conn = Postgres, "pgx", dsn
	}
	db, err := sql.Open(driver, conn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	maxOpen := 8
	if d == SQLite {
		// One writer at a time; WAL lets readers run alongside it.
		db.SetMaxOpenConns(maxOpen)
	} else {
		maxOpen = 32
		// Every connection may stay idle (none is closed when a burst
		// ends only to be opened again at the next: a new PostgreSQL
		// backend process, authentication and pgx's statement cache
		// filled again, ≈ 20 a load-benchmark run with 16 idle), and an
		// idle one is closed after five minutes, so a quiet server holds
		// few backends.
		db.SetMaxOpenConns(maxOpen)
		db.SetMaxIdleConns(maxOpen)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	// A quarter of the connections stays out of the lookups' turns, for
	// writes and everything else.
	s := &DB{db: db, dialect: d, now: time.Now, lookups: make(chan struct{}, maxOpen*3/4)}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.findingsInMemory = d == SQLite
	if d == SQLite {
		s.startCheckpointer()
	}
	if d == Postgres {
		// The collation, and who provides it: from PostgreSQL 15 a
		// database may take ICU's (datlocprovider 'i'), whatever
		// datcollate says; the row as JSON reads the column where it
		// exists.
		var collation, provider string
		if err := db.QueryRowContext(ctx, `SELECT datcollate, COALESCE(to_jsonb(d)->>'datlocprovider', 'c')
			FROM pg_database d WHERE datname = current_database()`).Scan(&collation, &provider); err != nil {
			db.Close()
			return nil, fmt.Errorf("read the database's collation: %w", err)
		}
		s.findingsInMemory = provider == "c" && byteOrdered(collation)
	}
	return s, nil
}

// sqliteDSN turns a path into a modernc DSN with WAL, a busy timeout,
// foreign keys, the file memory-mapped (up to 256 MiB) and immediate
// transactions (so writers queue instead of failing on lock upgrades).
//
// Memory-mapping is for reads under writes (issue 13): in WAL mode every
// commit makes each other connection drop its page cache at its next read,
// so a connection re-reads its pages all the time. Mapped pages cost no
// system call to read again and are not held in the page cache, so dropping
// it is cheap; a larger page cache instead (16 MiB) made every drop free
// thousands of pages (17 % of the load run's CPU) and every read a pread.
func sqliteDSN(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(268435456)&_pragma=wal_autocheckpoint(" + strconv.Itoa(walBackstop) + ")&_txlock=immediate"
}

func (s *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate the database: %w", err)
	}
	return nil
}

// Dialect returns the database engine.
func (s *DB) Dialect() Dialect { return s.dialect }

// WritesConcurrently reports whether write transactions run in the
// database server, several at once (PostgreSQL), rather than one at a time
// as this process's work (SQLite's single writer).
func (s *DB) WritesConcurrently() bool { return s.dialect == Postgres }

// SQL returns the underlying database, for backups and tests.
func (s *DB) SQL() *sql.DB { return s.db }

// Stats returns the connection pool's statistics (for /metrics).
func (s *DB) Stats() sql.DBStats { return s.db.Stats() }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the database.
func (s *DB) Close() error {
	s.ckpt.close()
	s.prepared.close()
	return s.db.Close()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// list encodes a list for LIKE matching: ",a,b,".
func list(xs []string) string {
	if len(xs) == 0 {
		return ","
	}
	return "," + strings.Join(xs, ",") + ","
}

func unlist(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// mapErr turns driver errors into store errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %s", store.ErrExists, pe.ConstraintName)
	}
	if strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %v", store.ErrExists, err)
	}
	return err
}

// tx runs fn in a transaction, rolling back on error.
func (s *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.ckpt.wrote()
	return nil
}

const auditInsert = `INSERT INTO audit (at, actor, action, object, detail) VALUES ($1, $2, $3, $4, $5)`

func audit(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, object, detail string) error {
	_, err := tx.ExecContext(ctx, auditInsert, ms(at), actor, action, object, detail)
	return err
}

// auditP is audit, prepared on SQLite (for a push, stmtcache.go).
func (s *DB) auditP(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, object, detail string) error {
	_, err := s.txExec(ctx, tx, auditInsert, ms(at), actor, action, object, detail)
	return err
}

// CreateTeam creates a team.
func (s *DB) CreateTeam(ctx context.Context, t store.Team, actor string) (store.Team, error) {
	t.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, t.ID, t.Name, ms(t.CreatedAt)); err != nil {
			return mapErr(err)
		}
		return audit(ctx, tx, t.CreatedAt, actor, "team.create", "team:"+t.ID, t.Name)
	})
	return t, err
}

// GetTeam returns a team.
func (s *DB) GetTeam(ctx context.Context, id string) (store.Team, error) {
	var t store.Team
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at FROM teams WHERE id = $1`, id).Scan(&t.ID, &t.Name, &at)
	t.CreatedAt = fromMS(at)
	return t, mapErr(err)
}

// ListTeams lists teams by id.
func (s *DB) ListTeams(ctx context.Context, p store.Page) ([]store.Team, int, error) {
	p = p.Normal()
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM teams ORDER BY id LIMIT $1 OFFSET $2`, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Team
	for rows.Next() {
		var t store.Team
		var at int64
		if err := rows.Scan(&t.ID, &t.Name, &at); err != nil {
			return nil, 0, err
		}
		t.CreatedAt = fromMS(at)
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// Digest returns the hex SHA-256 of a model's YAML.
func Digest(yaml []byte) string {
	sum := sha256.Sum256(yaml)
	return hex.EncodeToString(sum[:])
}

// PushVersion stores a new version of a system's model.
func (s *DB) PushVersion(ctx context.Context, p store.Push) (store.Version, bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if p.Origin == "" {
		p.Origin = store.OriginPush
	}
	v := store.Version{SystemID: p.SystemID, SHA256: Digest(p.YAML), YAML: p.YAML, Result: p.Result, Author: p.Author, Message: p.Message, CreatedAt: now, Origin: p.Origin, Pushed: p.Pushed}
	created := false
	var sideSum [sha256.Size]byte
	// The analysis is stored compressed (packed.go); one that cannot be
	// goes to result as it is.
	packed, packDone := packResult(p.Result)
	defer packDone()
	var resultS2 any
	resultText := ""
	if packed != nil {
		resultS2 = packed
	} else {
		resultText = text(v.Result)
	}
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		lockClause := ""
		if s.dialect == Postgres {
			lockClause = " FOR UPDATE"
		}
		var teamID string
		var latest int
		var rev int64
		// The system, locked; a system's first push creates it first
		// (every later push saves that statement: issue 13).
		err = s.txQueryRow(ctx, tx, `SELECT team_id, latest, revision FROM systems WHERE id = $1`+lockClause, p.SystemID).Scan(&teamID, &latest, &rev)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := s.txExec(ctx, tx, `INSERT INTO systems (id, team_id, name, latest, revision, created_at, updated_at)
			VALUES ($1, $2, $3, 0, 0, $4, $4) ON CONFLICT (id) DO NOTHING`, p.SystemID, p.TeamID, p.Name, ms(now)); err != nil {
				if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503") {
					return fmt.Errorf("team %q: %w", p.TeamID, store.ErrNotFound)
				}
				return mapErr(err)
			}
			err = s.txQueryRow(ctx, tx, `SELECT team_id, latest, revision FROM systems WHERE id = $1`+lockClause, p.SystemID).Scan(&teamID, &latest, &rev)
		}
		if err != nil {
			return mapErr(err)
		}
		if teamID != p.TeamID {
			return fmt.Errorf("system %q belongs to team %q: %w", p.SystemID, teamID, store.ErrConflict)
		}
		if p.BaseRevision != 0 && p.BaseRevision != rev {
			return fmt.Errorf("system %q is at revision %d, not %d: %w", p.SystemID, rev, p.BaseRevision, store.ErrConflict)
		}
		if latest > 0 {
			var sum string
			if err := s.txQueryRow(ctx, tx, `SELECT sha256 FROM versions WHERE system_id = $1 AND number = $2`, p.SystemID, latest).Scan(&sum); err != nil {
				return mapErr(err)
			}
			if sum == v.SHA256 {
				got, err := scanVersion(s.txQueryRow(ctx, tx, versionCols+` WHERE system_id = $1 AND number = $2`, p.SystemID, latest))
				v = got
				return err
			}
		}
		v.Number = latest + 1
		created = true
		if _, err := s.txExec(ctx, tx, `INSERT INTO versions (system_id, number, sha256, yaml, result, author, message, created_at, origin, pushed, result_s2)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, v.SystemID, v.Number, v.SHA256, text(v.YAML), resultText, v.Author, v.Message, ms(now), v.Origin, text(v.Pushed), resultS2); err != nil {
			return mapErr(err)
		}
		if _, err := s.txExec(ctx, tx, `UPDATE systems SET latest = $1, revision = revision + 1, name = $2, updated_at = $3 WHERE id = $4`,
			v.Number, p.Name, ms(now), p.SystemID); err != nil {
			return err
		}
		if sideSum, err = s.replaceLatest(ctx, tx, p, latest, v.Number); err != nil {
			return err
		}
		return s.auditP(ctx, tx, now, p.Author, "version.push", fmt.Sprintf("system:%s@%d", p.SystemID, v.Number), v.SHA256)
	})
	if err != nil {
		return store.Version{}, false, err
	}
	if created {
		s.sideRows.put(p.SystemID, v.Number, sideSum)
	}
	if created && s.findingsInMemory {
		s.cacheWritten(p, v.Number)
	}
	return v, created, nil
}

// text passes a version's bytes to the database as text without copying
// them (a stored analysis is about 280 KB for the shop example): the
// bytes are not modified while the statement runs, and the drivers copy
// their arguments.
func text(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// replaceLatest replaces the queryable rows of a system with those of its
// new latest version number (the version before is prev), and returns the
// digest of its mitigations and assumptions rows; they are left as they
// are when version prev wrote the same (siderows.go).
func (s *DB) replaceLatest(ctx context.Context, tx *sql.Tx, p store.Push, prev, number int) ([sha256.Size]byte, error) {
	sum := sideRowsDigest(p)
	if err := s.replaceFindings(ctx, tx, p, number); err != nil {
		return sum, err
	}
	if prev > 0 && s.sideRows.same(p.SystemID, prev, sum) {
		return sum, nil
	}
	return sum, s.replaceSideRows(ctx, tx, p)
}

// replaceSideRows replaces the system's mitigations and assumptions rows
// with p's.
func (s *DB) replaceSideRows(ctx context.Context, tx *sql.Tx, p store.Push) error {
	for _, q := range []string{`DELETE FROM mitigations WHERE system_id = $1`, `DELETE FROM assumptions WHERE system_id = $1`} {
		if _, err := s.txExec(ctx, tx, q, p.SystemID); err != nil {
			return err
		}
	}
	mit := make([][]any, len(p.Mitigations))
	for i, m := range p.Mitigations {
		mit[i] = []any{p.SystemID, p.TeamID, m.ID, m.Title, m.Status, m.Owner, m.Due}
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO mitigations (system_id, team_id, id, title, status, owner, due) VALUES `, mit); err != nil {
		return err
	}
	as := make([][]any, len(p.Assumptions))
	for i, a := range p.Assumptions {
		as[i] = []any{p.SystemID, p.TeamID, a.ID, a.Text, a.Status}
	}
	return s.insertRows(ctx, tx, `INSERT INTO assumptions (system_id, team_id, id, text, status) VALUES `, as)
}

// insertRowsMax bounds the rows of one INSERT statement on PostgreSQL, so
// that its parameters stay far below its limit of 65,535 whatever the
// width of the rows.
const insertRowsMax = 200

// insertRows inserts rows (all of the same width) in a push's transaction
// (issue 13: one statement per row was the largest part of storing a
// push). On PostgreSQL they go as multi-row INSERTs, a round trip per 200
// rows instead of one per row. On SQLite, which has no round trips but
// parses "$N" parameters by name (a long statement costs quadratic time),
// one single-row statement is prepared once and run per row.
func (s *DB) insertRows(ctx context.Context, tx *sql.Tx, insert string, rows [][]any) error {
	return s.insertRowsThen(ctx, tx, insert, rows, "")
}

// insertRowsThen is insertRows with suffix (an ON CONFLICT clause) after
// the VALUES of each statement.
func (s *DB) insertRowsThen(ctx context.Context, tx *sql.Tx, insert string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	values := func(n int) string {
		var q strings.Builder
		q.WriteString(insert)
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range width {
				if j > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", i*width+j+1)
			}
			q.WriteByte(')')
		}
		q.WriteString(suffix)
		return q.String()
	}
	if s.dialect == SQLite {
		q := values(1)
		var st *sql.Stmt
		if ps := s.stmt(ctx, q); ps != nil {
			st = tx.StmtContext(ctx, ps)
		} else {
			var err error
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
		}
		defer st.Close()
		for _, r := range rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				return mapErr(err)
			}
		}
		return nil
	}
	for len(rows) > 0 {
		n := min(len(rows), insertRowsMax)
		args := make([]any, 0, n*width)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, values(n), args...); err != nil {
			return mapErr(err)
		}
		rows = rows[n:]
	}
	return nil
}

// SeverityRank orders severities: info 1 … critical 5, unknown 0.
func SeverityRank(s string) int {
	switch s {
	case "info":
		return 1
	case "low":
		return 2
	case "medium":
		return 3
	case "high":
		return 4
	case "critical":
		return 5
	}
	return 0
}

const versionCols = `SELECT system_id, number, sha256, yaml, result, author, message, created_at, origin, pushed, result_s2 FROM versions`

type scanner interface{ Scan(...any) error }

func scanVersion(r scanner) (store.Version, error) {
	var v store.Version
	var y, res, pushed string
	var packed []byte
	var at int64
	if err := r.Scan(&v.SystemID, &v.Number, &v.SHA256, &y, &res, &v.Author, &v.Message, &at, &v.Origin, &pushed, &packed); err != nil {
		return v, mapErr(err)
	}
	result, err := unpackResult(res, packed)
	if err != nil {
		return v, fmt.Errorf("version %d of system %q: %w", v.Number, v.SystemID, err)
	}
	v.YAML, v.Result, v.CreatedAt = []byte(y), result, fromMS(at)
	if pushed != "" {
		v.Pushed = []byte(pushed)
	}
	return v, nil
}

const systemCols = `SELECT id, team_id, name, latest, revision, created_at, updated_at FROM systems`

func scanSystem(r scanner) (store.System, error) {
	var x store.System
	var c, u int64
	if err := r.Scan(&x.ID, &x.TeamID, &x.Name, &x.Latest, &x.Revision, &c, &u); err != nil {
		return x, mapErr(err)
	}
	x.CreatedAt, x.UpdatedAt = fromMS(c), fromMS(u)
	return x, nil
}

// GetSystem returns a system.
func (s *DB) GetSystem(ctx context.Context, id string) (store.System, error) {
	done, err := s.lookup(ctx)
	if err != nil {
		return store.System{}, err
	}
	defer done()
	return scanSystem(s.queryRowP(ctx, systemCols+` WHERE id = $1`, id))
}

// ListSystems lists systems, of one team when teamID is set.
func (s *DB) ListSystems(ctx context.Context, teamID string, p store.Page) ([]store.System, int, error) {
	p = p.Normal()
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM systems WHERE ($1 = '' OR team_id = $1)`, teamID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, systemCols+` WHERE ($1 = '' OR team_id = $1) ORDER BY id LIMIT $2 OFFSET $3`, teamID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.System
	for rows.Next() {
		x, err := scanSystem(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// GetVersion returns a version; number 0 means the latest.
func (s *DB) GetVersion(ctx context.Context, systemID string, number int) (store.Version, error) {
	done, err := s.lookup(ctx)
	if err != nil {
		return store.Version{}, err
	}
	defer done()
	if number == 0 {
		return scanVersion(s.db.QueryRowContext(ctx, versionCols+` WHERE system_id = $1 ORDER BY number DESC LIMIT 1`, systemID))
	}
	return scanVersion(s.db.QueryRowContext(ctx, versionCols+` WHERE system_id = $1 AND number = $2`, systemID, number))
}

// listVersionsSQL reads versions without their YAML and result; on SQLite
// it is answered from the covering index versions_list (migration 00101).
const listVersionsSQL = `SELECT system_id, number, sha256, '', '', author, message, created_at, origin, '', NULL FROM versions
		WHERE system_id = $1 ORDER BY number DESC LIMIT $2 OFFSET $3`

// ListVersions lists a system's versions, newest first, without their YAML
// and result.
func (s *DB) ListVersions(ctx context.Context, systemID string, p store.Page) ([]store.Version, int, error) {
	p = p.Normal()
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions WHERE system_id = $1`, systemID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, listVersionsSQL, systemID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, 0, err
		}
		v.YAML, v.Result = nil, nil
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// Backup writes a consistent copy of the SQLite database at src to dst
// with VACUUM INTO, which is safe while other connections write.
func Backup(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite", sqliteDSN(src))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
