package sqlstore_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestSideRowsAfterPushes pushes versions that mostly keep their
// mitigations and assumptions, from two stores on one database (another
// replica), some going back to the rows of an earlier version, and checks after each push that
// the tables hold the latest version's rows: a push leaves the rows when
// the version before wrote the same, which only the store that wrote it
// knows (siderows.go).
func TestSideRowsAfterPushes(t *testing.T) {
	replicas(t, func(t *testing.T, st, other *sqlstore.DB) {
		ctx := t.Context()
		rng := rand.New(rand.NewPCG(5, 6))
		var ms []store.Mitigation
		var as []store.Assumption
		type state struct {
			ms []store.Mitigation
			as []store.Assumption
		}
		var hist []state
		for round := range 80 {
			hist = append(hist, state{ms, as})
			switch rng.IntN(5) {
			case 3: // back to the rows of an earlier version
				h := hist[rng.IntN(len(hist))]
				ms, as = h.ms, h.as
			case 0:
				ms = append(slices.Clone(ms), store.Mitigation{ID: fmt.Sprintf("m%d", round), Title: "t", Status: "planned", Owner: "bob", Due: "2027-01-01"})
			case 1:
				if len(ms) > 0 {
					ms = slices.Clone(ms)
					ms[rng.IntN(len(ms))].Status = []string{"planned", "implemented", "verified"}[rng.IntN(3)]
				}
			case 2:
				if len(as) > 0 && rng.IntN(2) == 0 {
					as = as[:len(as)-1]
				} else {
					as = append(slices.Clone(as), store.Assumption{ID: fmt.Sprintf("a%d", round), Text: "x", Status: "open"})
				}
			}
			pusher := st
			if rng.IntN(4) == 0 {
				pusher = other
			}
			if _, _, err := pusher.PushVersion(ctx, store.Push{SystemID: "s1", TeamID: "pay", Name: "s1", YAML: fmt.Appendf(nil, "# %d\n", round),
				Result: []byte(`{}`), Author: "a", Message: "m", Mitigations: ms, Assumptions: as}); err != nil {
				t.Fatal(err)
			}
			gotM, _, err := st.Mitigations(ctx, "pay", "", store.Page{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			gotA, _, err := other.Assumptions(ctx, "pay", "", store.Page{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			key := func(xs ...string) string { return fmt.Sprint(xs) }
			want, got := []string{}, []string{}
			for _, m := range ms {
				want = append(want, key("m", "s1", "pay", m.ID, m.Title, m.Status, m.Owner, m.Due))
			}
			for _, a := range as {
				want = append(want, key("a", "s1", "pay", a.ID, a.Text, a.Status))
			}
			for _, m := range gotM {
				got = append(got, key("m", m.SystemID, m.TeamID, m.ID, m.Title, m.Status, m.Owner, m.Due))
			}
			for _, a := range gotA {
				got = append(got, key("a", a.SystemID, a.TeamID, a.ID, a.Text, a.Status))
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d: -want +got\n%s", round, diff)
			}
		}
	})
}

// replicas runs run on SQLite and on PostgreSQL with two stores open on one
// database (a server and another replica) and a team "pay" made.
func replicas(t *testing.T, run func(t *testing.T, st, other *sqlstore.DB)) {
	for name, dsn := range map[string]func(t testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "ward.db") },
		"postgres": freshPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			url := dsn(t)
			st, err := sqlstore.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			other, err := sqlstore.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := st.CreateTeam(t.Context(), store.Team{ID: "pay", Name: "pay"}, "admin"); err != nil {
				t.Fatal(err)
			}
			run(t, st, other)
		})
	}
}
