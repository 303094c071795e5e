package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
	"github.com/wardtm/ward/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// postgresURL returns the test server's URL. WARD_TEST_POSTGRES names it;
// in CI (CI set) PostgreSQL is required and a missing server fails the test.
func postgresURL(t testing.TB) string {
	url := os.Getenv("WARD_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but WARD_TEST_POSTGRES is not: PostgreSQL is required in CI")
		}
		t.Skip("WARD_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return url
}

var schemaSeq atomic.Int64

// freshPostgres creates an empty schema for one test and returns a URL that
// uses it, so tests never see each other's data.
func freshPostgres(t testing.TB) string {
	base := postgresURL(t)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	schema := fmt.Sprintf("ward_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
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

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.Open(t.Context(), freshPostgres(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestPostgresReplicasMigrateTogether starts several stores on one empty
// database at once: migrations must run exactly once, safely.
func TestPostgresReplicasMigrateTogether(t *testing.T) {
	url := freshPostgres(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := sqlstore.Open(t.Context(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestClaimRaceTwoProcesses claims one outbox from two handles of one
// database, as two ward serve processes do: no delivery twice.
func TestClaimRaceTwoProcesses(t *testing.T) {
	for name, dsn := range map[string]func(t testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "ward.db") },
		"postgres": freshPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			url := dsn(t)
			a, err := sqlstore.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := sqlstore.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			storetest.ClaimRace(t, a, b)
		})
	}
}

// BenchmarkClaimFinish claims and finishes outbox deliveries, 4 at a time
// (the worker's default), on SQLite and PostgreSQL.
func BenchmarkClaimFinish(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			if name == "postgres" && os.Getenv("WARD_TEST_POSTGRES") == "" {
				b.Skip("WARD_TEST_POSTGRES is not set")
			}
			url := ""
			if name == "sqlite" {
				url = filepath.Join(b.TempDir(), "ward.db")
			} else {
				url = freshPostgres(b)
			}
			s, err := sqlstore.Open(b.Context(), url)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ds := make([]store.Delivery, b.N)
			for i := range ds {
				ds[i] = store.Delivery{Key: fmt.Sprint("k", i), Channel: store.ChannelWebhook, Target: "wh", TeamID: "t", Kind: "review.requested", Payload: []byte(`{}`)}
			}
			if _, err := s.EnqueueDeliveries(b.Context(), ds); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for done := 0; done < b.N; {
				now := time.Now()
				got, err := s.ClaimDeliveries(b.Context(), "bench", now, now.Add(time.Minute), 4)
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range got {
					if err := s.FinishDelivery(b.Context(), store.DeliveryResult{ID: d.ID, Lease: "bench", State: store.DeliveryDone}); err != nil {
						b.Fatal(err)
					}
				}
				done += len(got)
			}
		})
	}
}

// TestPostgresLZ4 checks that a version's large columns are compressed
// with lz4 (migration 00100) when the database server supports it (the
// conformance suite reads such versions back).
func TestPostgresLZ4(t *testing.T) {
	url := freshPostgres(t)
	s, err := sqlstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.SQL()
	if _, err := db.ExecContext(t.Context(), `CREATE TEMP TABLE lz4_probe (x TEXT COMPRESSION lz4)`); err != nil {
		t.Skipf("this PostgreSQL has no lz4: %v", err)
	}
	for _, col := range []struct{ table, column string }{{"versions", "result"}, {"versions", "yaml"}, {"diff_cache", "body"}} {
		var c string
		err := db.QueryRowContext(t.Context(), `SELECT attcompression::text FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`, col.table, col.column).Scan(&c)
		if err != nil {
			t.Fatal(err)
		}
		if c != "l" {
			t.Errorf("%s.%s: compression %q, want l (lz4)", col.table, col.column, c)
		}
	}
}
