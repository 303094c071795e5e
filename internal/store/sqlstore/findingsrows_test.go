package sqlstore_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestFindingsRowsAfterPushes: after each of a run of random versions —
// findings kept, changed, added and removed —
// a system's findings rows are exactly its latest version's, with its
// number, on SQLite (updated in place, findingsrows.go) and PostgreSQL
// (gone rows deleted, the others upserted). A second store on the same
// database (another replica) pushes some of the versions and lists are
// read between them, so the rows of the version before come now from what
// this store wrote, now from what it read, now from the database
// (replaceFindings, cacheWritten).
func TestFindingsRowsAfterPushes(t *testing.T) {
	replicas(t, func(t *testing.T, st, other *sqlstore.DB) {
		ctx := t.Context()
		rng := rand.New(rand.NewPCG(3, 4))
		pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
		enc := func(xs []string) string { // as stored
			if len(xs) == 0 {
				return ","
			}
			return "," + strings.Join(xs, ",") + ","
		}
		var fs []store.Finding
		for round := range 40 {
			team := "pay"
			// Keep most findings, change some, drop some, add some.
			var next []store.Finding
			for _, f := range fs {
				switch rng.IntN(10) {
				case 0: // dropped
					continue
				case 1, 2:
					f.Status, f.Score, f.Owner = pick("open", "accepted", "mitigated"), rng.IntN(9), pick("", "bob")
					f.Assets = append(slices.Clone(f.Assets), pick("logs", "cards"))
				}
				next = append(next, f)
			}
			for j := range rng.IntN(6) {
				next = append(next, store.Finding{ID: fmt.Sprintf("r%d:%d", round, j), Rule: "r", Category: "spoofing",
					Severity: pick("info", "low", "high"), Score: rng.IntN(9), Status: "open", Title: "t " + pick("a", "b"),
					DataKinds: []string{pick("pii", "payment_card")}})
			}
			fs = next
			pusher := st
			if rng.IntN(4) == 0 {
				pusher = other
			}
			if rng.IntN(3) == 0 {
				if _, _, err := st.Findings(ctx, store.FindingQuery{TeamID: team}); err != nil {
					t.Fatal(err)
				}
			}
			v, _, err := pusher.PushVersion(ctx, store.Push{SystemID: "s1", TeamID: team, Name: "s1", YAML: fmt.Appendf(nil, "# %d\n", round),
				Result: []byte(`{}`), Author: "a", Message: "m", Findings: fs})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{}
			for _, f := range fs {
				want = append(want, fmt.Sprintf("%s %s %d %s %s %s %s %d %d %s %s %s %s %s", "s1", team, v.Number, f.ID, f.Rule, f.Category,
					f.Severity, sqlstore.SeverityRank(f.Severity), f.Score, f.Status, f.Title, f.Owner, enc(f.Assets), enc(f.DataKinds)))
			}
			slices.Sort(want)
			rows, err := st.SQL().QueryContext(ctx, `SELECT system_id, team_id, version, id, rule, category, severity, sev_rank, score, status, title, owner, assets, data_kinds
				FROM findings WHERE system_id = 's1'`)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for rows.Next() {
				var sys, tm, id, rule, cat, sev, status, title, owner, assets, data string
				var ver, rank, score int
				if err := rows.Scan(&sys, &tm, &ver, &id, &rule, &cat, &sev, &rank, &score, &status, &title, &owner, &assets, &data); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %s %d %s %s %s %s %d %d %s %s %s %s %s", sys, tm, ver, id, rule, cat, sev, rank, score, status, title, owner, assets, data))
			}
			rows.Close()
			slices.Sort(got)
			if d := cmp.Diff(strings.Join(want, "\n"), strings.Join(got, "\n")); d != "" {
				t.Fatalf("round %d: findings rows (-want +got):\n%s", round, d)
			}
		}
	})
}
