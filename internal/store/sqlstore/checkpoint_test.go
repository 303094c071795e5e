package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestCheckpointOffTheWrites checks that a SQLite store checkpoints its
// WAL in the background after writes, that its connections' automatic
// checkpoint is only the backstop, and that Close stops the goroutine.
func TestCheckpointOffTheWrites(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var pages int
	if err := st.SQL().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != 16000 {
		t.Errorf("wal_autocheckpoint = %d, want the backstop 16000", pages)
	}
	if _, err := st.CreateTeam(ctx, store.Team{ID: "pay", Name: "pay"}, "admin"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		result := fmt.Sprintf(`{"findings":[%s{"n":%d}]}`, strings.Repeat(`{"id":"F1","title":"Spoofing"},`, 3000), i)
		p := store.Push{SystemID: "s1", TeamID: "pay", Name: "s1", YAML: fmt.Appendf(nil, "ward: 1\n# %d\n", i), Result: []byte(result), Author: "a", Message: "m"}
		if _, _, err := st.PushVersion(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.Checkpoints() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st.Checkpoints() == 0 {
		t.Fatal("no background checkpoint ran after five versions")
	}
	done := make(chan error, 1)
	go func() { done <- st.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}
