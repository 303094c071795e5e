package server

import (
	"io/fs"
	"log/slog"
	"path"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// BenchmarkNotifyPush measures what notifications add to a push: reading
// and decoding the previous version's result and comparing threats and
// assumptions (the examples/events model, no webhook, no email).
func BenchmarkNotifyPush(b *testing.B) {
	st, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := New(Config{}, st, slog.New(slog.DiscardHandler))
	files := map[string]string{}
	entries, _ := fs.ReadDir(examples.FS, "events")
	for _, e := range entries {
		data, _ := fs.ReadFile(examples.FS, path.Join("events", e.Name()))
		files[e.Name()] = string(data)
	}
	bundle := Bundle{Main: "ward.yaml", Files: files}
	if err := s.LoadDemo(b.Context(), "demo", bundle); err != nil {
		b.Fatal(err)
	}
	_, res, err := s.analyseBundle(b.Context(), bundle)
	if err != nil {
		b.Fatal(err)
	}
	a, err := newStoredAnalysis(res)
	if err != nil {
		b.Fatal(err)
	}
	pr := &Principal{UserID: "u", Email: "ann@example.com", Role: store.RoleMember, TeamID: "demo"}
	for b.Loop() {
		s.notifyPush(b.Context(), pr, res.System.ID, "demo", 2, a.notify, nil)
	}
}
