package sqlstore

import (
	"context"
	"database/sql"

	"github.com/wardtm/ward/internal/store"
)

// replaceFindings makes the system's findings rows those of p at version
// number (issue 13). Consecutive versions mostly raise the same findings,
// so instead of deleting every row and inserting it again — in every
// index of the table — it updates in place: a row whose values did not
// change only gets the new version number (a column no index holds), a
// changed row is updated, a new one inserted and a gone one deleted. The
// rows afterwards are exactly what deleting and inserting all of them
// would leave.
//
// On SQLite, whose B-trees are this process's work, that storing a
// version took 4.7 → 3.0 ms of CPU in the load benchmark. PostgreSQL
// upserts instead (upsertFindings): reading the rows back to compare them
// cost Ward's process more than it saved; when this process has the
// rows before (cachedBefore) and few changed, it updates in place too.
func (s *DB) replaceFindings(ctx context.Context, tx *sql.Tx, p store.Push, number int) error {
	type row = findingsRow
	if s.dialect != SQLite {
		// Each changed or gone row is a statement, a round trip: few
		// (a decision changes one) take that path, many the upsert.
		if have := s.cachedBefore(p, number); have != nil {
			if want, ok := wantedFindings(p); ok && changedRows(want, have) <= pgChangedRowsMax {
				return s.updateFindings(ctx, tx, p, number, want, have)
			}
		}
		return s.upsertFindings(ctx, tx, p, number)
	}
	want, ok := wantedFindings(p)
	if !ok {
		return s.rewriteFindings(ctx, tx, p, number) // fails on the primary key, as it always did
	}
	if have := s.cachedBefore(p, number); have != nil {
		return s.updateFindings(ctx, tx, p, number, want, have)
	}
	have := map[string]row{}
	rows, err := tx.QueryContext(ctx, `SELECT id, team_id, rule, category, severity, sev_rank, score, status, title, owner, assets, data_kinds
		FROM findings WHERE system_id = $1`, p.SystemID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.team, &r.rule, &r.category, &r.severity, &r.rank, &r.score, &r.status, &r.title, &r.owner, &r.assets, &r.data); err != nil {
			rows.Close()
			return err
		}
		have[id] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return s.updateFindings(ctx, tx, p, number, want, have)
}

// cachedBefore returns the findings rows of the version before number
// of p's system when this process has them as stored (cacheWritten,
// loadFindings), else nil. The system's rows are always those of its
// latest version, number − 1, and a version's rows never change, so they
// need not be read back: on SQLite that read was ≈ 0.4 ms a push; on
// PostgreSQL, where the rows were upserted all again without reading
// them, only the rows that changed are written besides the version
// number (a heap-only update of every row, as the upsert's).
func (s *DB) cachedBefore(p store.Push, number int) map[string]findingsRow {
	if number <= 1 || !s.findingsInMemory {
		return nil
	}
	cached, ok := s.findings.getExact(p.SystemID, number-1)
	if !ok {
		return nil
	}
	have := make(map[string]findingsRow, len(cached))
	for _, c := range cached {
		f := &c.f
		have[f.ID] = findingsRow{f.TeamID, f.Rule, f.Category, f.Severity, c.rank, f.Score, f.Status, f.Title, f.Owner, list(f.Assets), list(f.DataKinds)}
	}
	return have
}

// pgChangedRowsMax is the most changed or gone rows a push updates one
// by one on PostgreSQL; past it, it upserts them all.
const pgChangedRowsMax = 8

// changedRows counts the rows of want that differ from have's or are not
// in it, and those of have not in want.
func changedRows(want, have map[string]findingsRow) int {
	n := 0
	for id, w := range want {
		if h, ok := have[id]; !ok || h != w {
			n++
		}
	}
	for id := range have {
		if _, ok := want[id]; !ok {
			n++
		}
	}
	return n
}

// wantedFindings returns p's findings rows by id; ok is false when an id
// is there twice (the caller takes the path that fails on the key).
func wantedFindings(p store.Push) (map[string]findingsRow, bool) {
	want := make(map[string]findingsRow, len(p.Findings))
	for _, f := range p.Findings {
		if _, dup := want[f.ID]; dup {
			return nil, false
		}
		want[f.ID] = findingsRow{p.TeamID, f.Rule, f.Category, f.Severity, SeverityRank(f.Severity), f.Score, f.Status, f.Title, f.Owner,
			list(f.Assets), list(f.DataKinds)}
	}
	return want, true
}

// updateFindings turns the system's rows have into want, p's rows at
// version number (replaceFindings).
func (s *DB) updateFindings(ctx context.Context, tx *sql.Tx, p store.Push, number int, want, have map[string]findingsRow) error {
	for id := range have {
		if _, ok := want[id]; !ok {
			if _, err := s.txExec(ctx, tx, `DELETE FROM findings WHERE system_id = $1 AND id = $2`, p.SystemID, id); err != nil {
				return err
			}
		}
	}
	if _, err := s.txExec(ctx, tx, `UPDATE findings SET version = $1 WHERE system_id = $2`, number, p.SystemID); err != nil {
		return err
	}
	var inserts [][]any
	for _, f := range p.Findings {
		w := want[f.ID]
		old, ok := have[f.ID]
		switch {
		case !ok:
			inserts = append(inserts, []any{p.SystemID, w.team, number, f.ID, w.rule, w.category, w.severity, w.rank, w.score, w.status, w.title, w.owner, w.assets, w.data})
		case old != w:
			if _, err := s.txExec(ctx, tx, `UPDATE findings SET team_id = $1, rule = $2, category = $3, severity = $4, sev_rank = $5, score = $6,
				status = $7, title = $8, owner = $9, assets = $10, data_kinds = $11 WHERE system_id = $12 AND id = $13`,
				w.team, w.rule, w.category, w.severity, w.rank, w.score, w.status, w.title, w.owner, w.assets, w.data, p.SystemID, f.ID); err != nil {
				return mapErr(err)
			}
		}
	}
	return s.insertRows(ctx, tx, findingsInsert, inserts)
}

// findingsRow is a findings row's columns but its system, version and
// id, as replaceFindings compares them.
type findingsRow struct {
	team, rule, category, severity string
	rank, score                    int
	status, title, owner           string
	assets, data                   string
}

const findingsInsert = `INSERT INTO findings (system_id, team_id, version, id, rule, category, severity, sev_rank, score, status, title, owner, assets, data_kinds) VALUES `

// findingsUpsert makes an INSERT of findings rows update a row that is
// already there (same system and id) to the new values.
const findingsUpsert = ` ON CONFLICT (system_id, id) DO UPDATE SET team_id = EXCLUDED.team_id, version = EXCLUDED.version,
	rule = EXCLUDED.rule, category = EXCLUDED.category, severity = EXCLUDED.severity, sev_rank = EXCLUDED.sev_rank,
	score = EXCLUDED.score, status = EXCLUDED.status, title = EXCLUDED.title, owner = EXCLUDED.owner,
	assets = EXCLUDED.assets, data_kinds = EXCLUDED.data_kinds`

// upsertFindings is replaceFindings on PostgreSQL, in two statements and
// without reading the rows back: one deletes the rows whose findings are
// gone, one inserts p's rows, updating those already there. Deleting and
// inserting every row, as before, wrote each row into all six indexes of
// the table and left as many dead entries in each; an update that changes
// no indexed column (a finding raised again: only its version changes) is
// a heap-only tuple update, with no index write at all (the table keeps
// free space in its pages for them: migration 00101). The database's CPU
// per version stored is what this saves (issue 13: on the shared cores of
// the load benchmark it competes with the server's). Duplicate ids in p
// take the old path, which fails on the primary key as it always did.
func (s *DB) upsertFindings(ctx context.Context, tx *sql.Tx, p store.Push, number int) error {
	ids := make([]string, len(p.Findings))
	seen := make(map[string]bool, len(p.Findings))
	fs := make([][]any, len(p.Findings))
	for i, f := range p.Findings {
		if seen[f.ID] {
			return s.rewriteFindings(ctx, tx, p, number)
		}
		seen[f.ID] = true
		ids[i] = f.ID
		fs[i] = []any{p.SystemID, p.TeamID, number, f.ID, f.Rule, f.Category, f.Severity, SeverityRank(f.Severity), f.Score, f.Status, f.Title, f.Owner,
			list(f.Assets), list(f.DataKinds)}
	}
	if _, err := s.txExec(ctx, tx, `DELETE FROM findings WHERE system_id = $1 AND NOT (id = ANY($2))`, p.SystemID, ids); err != nil {
		return err
	}
	return s.insertRowsThen(ctx, tx, findingsInsert, fs, findingsUpsert)
}

// rewriteFindings deletes the system's findings rows and inserts p's.
func (s *DB) rewriteFindings(ctx context.Context, tx *sql.Tx, p store.Push, number int) error {
	if _, err := s.txExec(ctx, tx, `DELETE FROM findings WHERE system_id = $1`, p.SystemID); err != nil {
		return err
	}
	fs := make([][]any, len(p.Findings))
	for i, f := range p.Findings {
		fs[i] = []any{p.SystemID, p.TeamID, number, f.ID, f.Rule, f.Category, f.Severity, SeverityRank(f.Severity), f.Score, f.Status, f.Title, f.Owner,
			list(f.Assets), list(f.DataKinds)}
	}
	return s.insertRows(ctx, tx, findingsInsert, fs)
}
