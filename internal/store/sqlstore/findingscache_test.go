package sqlstore

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// TestTeamFindingsMatchSQL compares the in-memory team findings list with
// the SQL path on random findings, for every filter and sort, across new
// versions (which replace the cached rows) and pages, on SQLite and (with
// WARD_TEST_POSTGRES) PostgreSQL.
func TestTeamFindingsMatchSQL(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testTeamFindingsMatchSQL(t, filepath.Join(t.TempDir(), "ward.db")) })
	t.Run("postgres", func(t *testing.T) { testTeamFindingsMatchSQL(t, postgresSchema(t)) })
}

// postgresSchema returns a URL of WARD_TEST_POSTGRES with a new empty
// schema, dropped when t ends; it skips t without WARD_TEST_POSTGRES
// (and fails it in CI).
func postgresSchema(t *testing.T) string {
	base := os.Getenv("WARD_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but WARD_TEST_POSTGRES is not: PostgreSQL is required in CI")
		}
		t.Skip("WARD_TEST_POSTGRES is not set")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := fmt.Sprintf("ward_itest_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := db.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", base); err == nil {
			db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func testTeamFindingsMatchSQL(t *testing.T, dsn string) {
	ctx := t.Context()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.findingsInMemory {
		t.Skip("this database's collation is not byte order: lists take the SQL path")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	teams := []string{"pay", "ops"}
	for _, tm := range teams {
		if _, err := s.CreateTeam(ctx, store.Team{ID: tm, Name: tm}, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	pushAll := func(round int) {
		for i := range 12 {
			if round > 0 && i%3 == 0 {
				continue // kept, with the filters they remember
			}
			sys := fmt.Sprintf("s%02d", i)
			p := store.Push{SystemID: sys, TeamID: teams[i%2], Name: sys, YAML: fmt.Appendf(nil, "ward: 1\n# %d\n", round),
				Result: []byte(`{}`), Author: "a", Message: "m"}
			for j := range rng.IntN(15) {
				f := store.Finding{ID: fmt.Sprintf("%s:%d", pick("r1", "r2", "R3"), j), Rule: "r", Category: "spoofing",
					Severity: pick("info", "low", "medium", "high", "critical"), Score: rng.IntN(5),
					Status: pick("open", "accepted", "mitigated"), Title: "t", Owner: pick("", "bob", "Bob")}
				for range rng.IntN(3) {
					f.DataKinds = append(f.DataKinds, pick("pii", "PII", "payment_card", "pii_x", "a%b"))
					f.Assets = append(f.Assets, pick("cards", "Cards", "logs", "card"))
				}
				p.Findings = append(p.Findings, f)
			}
			if _, _, err := s.PushVersion(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(round int) {
		n := 0
		for _, tm := range teams {
			for _, sev := range []string{"", "low", "high"} {
				for _, q := range []store.FindingQuery{
					{}, {Status: "open"}, {Owner: "bob"}, {DataKind: "pii"}, {DataKind: "PII"}, {DataKind: "a%b"}, {DataKind: "%"},
					{Asset: "card"}, {Asset: "cards"}, {SystemID: "s03"}, {SystemID: "s04", Status: "accepted"},
					{Sort: "system"}, {Sort: "id"}, {Sort: "system", Page: store.Page{Limit: 5, Offset: 3}}, {Page: store.Page{Offset: 1000}},
					{Page: store.Page{Limit: 3}}, {Sort: "id", Page: store.Page{Limit: 4, Offset: 2}}, {Status: "open", Page: store.Page{Limit: 2, Offset: 1}},
				} {
					q.TeamID, q.MinSeverity = tm, sev
					want, wantTotal, err := s.findingsSQL(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for try := range 2 { // the second from the filters remembered
						got, gotTotal, ok, err := s.teamFindings(ctx, q, q.Page.Normal())
						if err != nil || !ok {
							t.Fatalf("round %d %+v: ok %v, %v", round, q, ok, err)
						}
						if gotTotal != wantTotal || !reflect.DeepEqual(got, want) {
							t.Errorf("round %d try %d %+v:\n memory %d %v\n    SQL %d %v", round, try, q, gotTotal, got, wantTotal, want)
						}
					}
					n += wantTotal
				}
			}
		}
		if n == 0 {
			t.Fatalf("round %d: every query was empty", round)
		}
	}
	for round := range 3 {
		pushAll(round)
		check(round)
	}
	if _, _, err := s.Findings(ctx, store.FindingQuery{TeamID: "pay", Sort: "nope"}); err == nil {
		t.Error("an unknown sort was accepted")
	}
}

// BenchmarkTeamFindings measures a team's findings list from memory as
// cmd/ward-load asks for it: 50 systems of 60 findings each (the shop
// example's size), each of the load's filters in turn, 50 rows a page.
func BenchmarkTeamFindings(b *testing.B) {
	ctx := b.Context()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateTeam(ctx, store.Team{ID: "pay", Name: "pay"}, "admin"); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	for i := range 50 {
		sys := fmt.Sprintf("s%02d", i)
		p := store.Push{SystemID: sys, TeamID: "pay", Name: sys, YAML: []byte("ward: 1\n"), Result: []byte(`{}`), Author: "a", Message: "m"}
		for j := range 60 {
			p.Findings = append(p.Findings, store.Finding{ID: fmt.Sprintf("rule-%d:component-%d", j%20, j), Rule: "r", Category: "spoofing",
				Severity: pick("info", "low", "medium", "medium", "high", "critical"), Score: rng.IntN(25),
				Status: pick("open", "open", "open", "accepted", "mitigated"), Title: "A finding title of some length", Owner: pick("", "bob"),
				DataKinds: []string{pick("pii", "payment_card", "credentials")}, Assets: []string{pick("cards", "orders", "logs")}})
		}
		if _, _, err := s.PushVersion(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	queries := []store.FindingQuery{{MinSeverity: "high", Status: "open"}, {MinSeverity: "medium"}, {DataKind: "pii"},
		{Status: "accepted"}, {Sort: "system", Page: store.Page{Limit: 20}}, {MinSeverity: "critical", Sort: "id"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		q.TeamID = "pay"
		if _, _, ok, err := s.teamFindings(ctx, q, q.Page.Normal()); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// TestSQLiteFindingsIndexes: on SQLite the findings table keeps only the
// indexes its remaining SQL uses (migration 00100): the team findings
// lists are answered from memory, and every push rewrites a system's rows
// in each index.
func TestSQLiteFindingsIndexes(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.db.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	want := []string{"findings_rank", "findings_team", "sqlite_autoindex_findings_1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("indexes on findings: %v, want %v", got, want)
	}
}

// BenchmarkListVersions lists a page of 20 of a system's 100 versions, each
// holding a stored analysis of 280 KB (the server's history page and a
// push's search for its base). On SQLite a row's columns are stored in
// order, so reading a version's metadata from the table walks past its
// YAML and analysis; migration 00101's covering index answers the list
// from the index alone.
func BenchmarkListVersions(b *testing.B) {
	ctx := b.Context()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateTeam(ctx, store.Team{ID: "pay", Name: "pay"}, "admin"); err != nil {
		b.Fatal(err)
	}
	result := []byte(`{"x":"` + strings.Repeat("a", 280<<10) + `"}`)
	for i := range 100 {
		p := store.Push{SystemID: "s", TeamID: "pay", Name: "s", YAML: fmt.Appendf(nil, "ward: 1\n# %d\n", i), Result: result, Author: "a", Message: "m"}
		if _, _, err := s.PushVersion(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		vs, total, err := s.ListVersions(ctx, "s", store.Page{Limit: 20})
		if err != nil || len(vs) != 20 || total != 100 {
			b.Fatal(len(vs), total, err)
		}
	}
}

// TestSQLiteVersionListCovered: the version list is answered from the
// covering index of migration 00101, never from the table's rows.
func TestSQLiteVersionListCovered(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.db.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+listVersionsSQL, "s", 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "USING COVERING INDEX versions_list") {
		t.Errorf("plan of the version list: %q, want one step using the covering index versions_list", plan)
	}
}

func TestByteOrdered(t *testing.T) {
	for c, want := range map[string]bool{"C": true, "POSIX": true, "C.UTF-8": true, "C.utf8": true,
		"en_US.UTF-8": false, "en_US.utf8": false, "de_DE": false, "": false, "und-x-icu": false} {
		if got := byteOrdered(c); got != want {
			t.Errorf("byteOrdered(%q) = %v, want %v", c, got, want)
		}
	}
}
