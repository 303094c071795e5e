package sqlstore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestStoredAnalysisPacked checks on both databases that a version's
// analysis is stored compressed (migration 00102), that a version stored
// before it (the JSON in result, result_s2 NULL) reads as before, and that
// a damaged compressed analysis is an error, not a panic.
func TestStoredAnalysisPacked(t *testing.T) {
	for name, dsn := range map[string]func(t testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "ward.db") },
		"postgres": freshPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			st, err := sqlstore.Open(t.Context(), dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := t.Context()
			if _, err := st.CreateTeam(ctx, store.Team{ID: "pay", Name: "pay"}, "admin"); err != nil {
				t.Fatal(err)
			}
			result := `{"findings":[` + strings.Repeat(`{"id":"F1","title":"Spoofing of the shop's session"},`, 2000) + `{}]}`
			p := store.Push{SystemID: "s1", TeamID: "pay", Name: "s1", YAML: []byte("ward: 1\n"), Result: []byte(result), Author: "a", Message: "m"}
			if _, _, err := st.PushVersion(ctx, p); err != nil {
				t.Fatal(err)
			}
			db := st.SQL()
			var text string
			var packed int
			if err := db.QueryRowContext(ctx, `SELECT result, length(result_s2) FROM versions WHERE system_id = 's1' AND number = 1`).Scan(&text, &packed); err != nil {
				t.Fatal(err)
			}
			if text != "" || packed == 0 || packed > len(result)/4 {
				t.Errorf("stored: result of %d bytes, result_s2 of %d bytes for an analysis of %d", len(text), packed, len(result))
			}
			// A version stored before the migration.
			if _, err := db.ExecContext(ctx, `INSERT INTO versions (system_id, number, sha256, yaml, result, author, message, created_at)
				VALUES ('s1', 2, 'x', 'ward: 2', $1, 'a', 'm', 0)`, result+" "); err != nil {
				t.Fatal(err)
			}
			v, err := st.GetVersion(ctx, "s1", 2)
			if err != nil || string(v.Result) != result+" " {
				t.Errorf("version stored before: result of %d bytes, %v", len(v.Result), err)
			}
			if v, err := st.GetVersion(ctx, "s1", 1); err != nil || string(v.Result) != result {
				t.Errorf("version 1: result of %d bytes, %v", len(v.Result), err)
			}
			if _, err := db.ExecContext(ctx, `UPDATE versions SET result_s2 = $1 WHERE system_id = 's1' AND number = 1`, []byte("\xff\x00garbage")); err != nil {
				t.Fatal(err)
			}
			if _, err := st.GetVersion(ctx, "s1", 1); err == nil || !strings.Contains(err.Error(), "stored analysis") {
				t.Errorf("damaged analysis: got %v, want an error", err)
			}
		})
	}
}
