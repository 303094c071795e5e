package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/store"
)

// A team's findings list on SQLite is answered from memory (issue 13). In
// WAL mode every commit makes each other connection drop its page cache,
// so under a steady trickle of pushes a findings query re-read and
// re-parsed its hundred-odd index and table pages every time (≈ 3 ms of
// CPU, the costliest read of the load benchmark).
//
// The findings rows of a version of a system never change: they are
// written once, when the version becomes the system's latest, and removed
// when the next one does. So they are cached by (system, version), and a
// query reads only the team's systems with their latest version (a few
// pages of the systems table) and filters, counts and sorts the cached
// rows in Go, with exactly the SQL path's semantics: SQLite's LIKE
// ignores ASCII case, its "=" and ORDER BY compare bytes as Go does.
// Because it reads the latest versions on every query it is never stale,
// whichever process pushed.
//
// PostgreSQL answers the same way when its database's collation orders
// text by bytes (the C library's C, POSIX or C.UTF-8: byteOrdered; not
// an ICU collation), with its LIKE, which
// keeps case. There the SQL path counted every finding of the team on
// every list (a list filtered on data kinds read all 4,000 rows of a team
// of the load benchmark, 10–18 ms of the database's CPU, in a table whose
// rows every push rewrites, so no scan is index-only); from memory a list
// is one query of the team's systems. A database with another collation
// keeps the SQL path, whose order Go cannot reproduce.

// findingsCacheRows bounds the cached rows; past it the cache starts over.
const findingsCacheRows = 200_000

// teamFindingsMax is the most systems a team may have for its list to be
// answered from memory; a larger team takes the SQL path.
const teamFindingsMax = 2_000

type findingsCache struct {
	filters filterIDs
	mu      sync.Mutex
	rows    int
	bySys   map[string]cachedFindings // system id → the rows of the latest version seen
}

type cachedFindings struct {
	version int
	rows    []findingRow
	// exact says the rows' lists give back the stored text (list of
	// Assets and DataKinds is the column): true for every row written
	// by list, which is all rows Ward writes (cachedExact).
	exact bool
	// memo remembers which rows each filter lists (findingsmemo.go).
	memo *filterMemo
}

// findingRow is a findings row as stored, with the lists as the LIKE
// filters see them (likeCase).
type findingRow struct {
	f            store.Finding
	rank         int
	assets, data string // ",a,b," lower-cased for ASCII
}

func (c *findingsCache) get(system string, version int) ([]findingRow, *filterMemo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.bySys[system]
	if !ok || e.version != version {
		return nil, nil, false
	}
	return e.rows, e.memo, true
}

// getExact is get for rows that give back the stored columns exactly
// (replaceFindings compares them with the rows it writes).
func (c *findingsCache) getExact(system string, version int) ([]findingRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.bySys[system]
	if !ok || e.version != version || !e.exact {
		return nil, false
	}
	return e.rows, true
}

func (c *findingsCache) put(system string, version int, rows []findingRow, exact bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.bySys[system]; ok {
		if old.version > version {
			return
		}
		c.rows -= len(old.rows)
	}
	if c.bySys == nil || c.rows+len(rows) > findingsCacheRows {
		c.bySys, c.rows = map[string]cachedFindings{}, 0
	}
	c.bySys[system] = cachedFindings{version: version, rows: rows, exact: exact, memo: &filterMemo{}}
	c.rows += len(rows)
}

// teamFindings answers q (with a TeamID) from memory; ok is false when it
// cannot (the team has too many systems, or a system's rows changed while
// they were read), and the caller takes the SQL path.
func (s *DB) teamFindings(ctx context.Context, q store.FindingQuery, p store.Page) ([]store.Finding, int, bool, error) {
	type sys struct {
		id     string
		latest int
	}
	var systems []sys
	query, args := `SELECT id, latest FROM systems WHERE team_id = $1`, []any{q.TeamID}
	if q.SystemID != "" {
		query, args = query+` AND id = $2`, append(args, q.SystemID)
	}
	done, err := s.lookup(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	rows, err := s.queryP(ctx, query, args...)
	if err != nil {
		done()
		return nil, 0, false, err
	}
	for rows.Next() {
		var x sys
		if err := rows.Scan(&x.id, &x.latest); err != nil {
			rows.Close()
			done()
			return nil, 0, false, err
		}
		if x.latest > 0 {
			systems = append(systems, x)
		}
	}
	rows.Close()
	done()
	if err := rows.Err(); err != nil {
		return nil, 0, false, err
	}
	if len(systems) > teamFindingsMax {
		return nil, 0, false, nil
	}
	rank := SeverityRank(q.MinSeverity)
	fold := func(v string) string {
		return "," + s.likeCase(strings.ReplaceAll(v, ",", "")) + ","
	}
	data, asset := fold(q.DataKind), fold(q.Asset)
	f := rowFilter{rank: rank, team: q.TeamID, status: q.Status, owner: q.Owner, data: data, asset: asset,
		hasData: q.DataKind != "", hasAsset: q.Asset != ""}
	order := bySeverity
	switch q.Sort {
	case "system":
		order, f.order = bySystem, q.Sort
	case "id":
		order, f.order = byID, q.Sort
	}
	type listed struct {
		rows []findingRow
		idx  []int32
	}
	lists := make([]listed, 0, len(systems))
	total, fid := 0, s.findings.filters.id(f)
	for _, x := range systems {
		fs, memo, ok := s.findings.get(x.id, x.latest)
		if !ok {
			if fs, ok, err = s.loadFindings(ctx, x.id, x.latest); err != nil || !ok {
				return nil, 0, false, err
			}
		}
		idx := memo.matching(fs, f, fid, order)
		lists = append(lists, listed{fs, idx})
		total += len(idx)
	}
	start := min(p.Offset, total)
	end := total
	if p.Limit < total-start {
		end = start + p.Limit
	}
	// The first end rows in order, as sorting all matches would give
	// (each order is total). A system's matching rows come in the order,
	// so its first row not kept ends the system; in bySystem order a full
	// heap ends every later system.
	h := firstHeap{n: end, order: order, h: make([]*findingRow, 0, end)}
	for _, l := range lists {
		if len(l.idx) == 0 || end == 0 {
			continue
		}
		if q.Sort == "system" && h.full() && l.rows[l.idx[0]].f.SystemID > h.h[0].f.SystemID {
			continue
		}
		for _, i := range l.idx {
			if !h.offer(&l.rows[i]) {
				break
			}
		}
	}
	match := h.h
	slices.SortFunc(match, order)
	match = match[start:end]
	if len(match) == 0 {
		return nil, total, true, nil
	}
	// The lists are copied (callers own what they get) into one backing
	// array, each capped so that appending to one cannot reach the next.
	k := 0
	for _, r := range match {
		k += len(r.f.Assets) + len(r.f.DataKinds)
	}
	lists2 := make([]string, 0, k)
	clone := func(xs []string) []string {
		if xs == nil {
			return nil
		}
		i := len(lists2)
		lists2 = append(lists2, xs...)
		return lists2[i:len(lists2):len(lists2)]
	}
	out := make([]store.Finding, len(match))
	for i, r := range match {
		out[i] = r.f
		out[i].Assets, out[i].DataKinds = clone(r.f.Assets), clone(r.f.DataKinds)
	}
	return out, total, true, nil
}

// loadFindings reads the findings rows of version of system and caches
// them. The rows of a version are written and removed in one transaction
// each, so a statement sees all of them or none: rows found are complete;
// none found is trusted only when the system's latest is still version
// afterwards (ok false otherwise).
func (s *DB) loadFindings(ctx context.Context, system string, version int) ([]findingRow, bool, error) {
	done, err := s.lookup(ctx)
	if err != nil {
		return nil, false, err
	}
	defer done()
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, id, rule, category, severity, sev_rank, score, status, title, owner, assets, data_kinds
		FROM findings WHERE system_id = $1 AND version = $2`, system, version)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []findingRow{}
	exact := true
	for rows.Next() {
		r := findingRow{f: store.Finding{SystemID: system, Version: version}}
		if err := rows.Scan(&r.f.TeamID, &r.f.ID, &r.f.Rule, &r.f.Category, &r.f.Severity, &r.rank, &r.f.Score, &r.f.Status, &r.f.Title, &r.f.Owner, &r.assets, &r.data); err != nil {
			return nil, false, err
		}
		r.f.Assets, r.f.DataKinds = unlist(r.assets), unlist(r.data)
		exact = exact && list(r.f.Assets) == r.assets && list(r.f.DataKinds) == r.data
		r.assets, r.data = s.likeCase(r.assets), s.likeCase(r.data)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	// Most severe first (the list's default order within a system), so
	// a query with a minimum severity stops at the first row below it.
	slices.SortFunc(out, func(a, b findingRow) int { return bySeverity(&a, &b) })
	if len(out) == 0 {
		var latest int
		if err := s.db.QueryRowContext(ctx, `SELECT latest FROM systems WHERE id = $1`, system).Scan(&latest); err != nil {
			return nil, false, mapErr(err)
		}
		if latest != version {
			return nil, false, nil
		}
	}
	s.findings.put(system, version, out, exact)
	return out, true, nil
}

// cacheWritten caches the findings rows p's push just stored as version
// of its system, as loadFindings would read them back, so that neither
// the next list nor the next push reads them from the database.
func (s *DB) cacheWritten(p store.Push, version int) {
	out := make([]findingRow, len(p.Findings))
	exact := true
	for i, f := range p.Findings {
		assets, data := list(f.Assets), list(f.DataKinds)
		r := findingRow{f: store.Finding{SystemID: p.SystemID, TeamID: p.TeamID, Version: version, ID: f.ID, Rule: f.Rule, Category: f.Category,
			Severity: f.Severity, Score: f.Score, Status: f.Status, Title: f.Title, Owner: f.Owner, Assets: unlist(assets), DataKinds: unlist(data)},
			rank: SeverityRank(f.Severity), assets: s.likeCase(assets), data: s.likeCase(data)}
		exact = exact && list(r.f.Assets) == assets && list(r.f.DataKinds) == data
		out[i] = r
	}
	slices.SortFunc(out, func(a, b findingRow) int { return bySeverity(&a, &b) })
	s.findings.put(p.SystemID, version, out, exact)
}

// likeCase is v as the database's LIKE compares it: lower-cased for ASCII
// on SQLite, as it is on PostgreSQL.
func (s *DB) likeCase(v string) string {
	if s.dialect == SQLite {
		return asciiLower(v)
	}
	return v
}

// byteOrdered reports whether collation (a PostgreSQL database's
// LC_COLLATE) compares text by its bytes, as Go's strings.Compare does:
// "C" and "POSIX" do, and so does C.UTF-8, which orders by code point,
// the byte order of UTF-8.
func byteOrdered(collation string) bool {
	switch strings.ToLower(collation) {
	case "c", "posix", "c.utf8", "c.utf-8":
		return true
	}
	return false
}

// asciiLower lower-cases ASCII letters only, as SQLite's LIKE compares.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// The orders of the SQL path: severity (sev_rank DESC, score DESC,
// system_id, id), system (system_id, sev_rank DESC, id) and id (id,
// system_id); (system_id, id) is unique, so each is total.
func bySeverity(a, b *findingRow) int {
	if a.rank != b.rank {
		return cmp.Compare(b.rank, a.rank)
	}
	if a.f.Score != b.f.Score {
		return cmp.Compare(b.f.Score, a.f.Score)
	}
	if c := strings.Compare(a.f.SystemID, b.f.SystemID); c != 0 {
		return c
	}
	return strings.Compare(a.f.ID, b.f.ID)
}

func bySystem(a, b *findingRow) int {
	if c := strings.Compare(a.f.SystemID, b.f.SystemID); c != 0 {
		return c
	}
	if a.rank != b.rank {
		return cmp.Compare(b.rank, a.rank)
	}
	return strings.Compare(a.f.ID, b.f.ID)
}

func byID(a, b *findingRow) int {
	if c := strings.Compare(a.f.ID, b.f.ID); c != 0 {
		return c
	}
	return strings.Compare(a.f.SystemID, b.f.SystemID)
}
