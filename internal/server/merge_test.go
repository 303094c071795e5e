package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// renamed returns the shop bundle with the system's name changed: a change
// only a push makes.
func renamed(files map[string]string, name string) map[string]string {
	out := maps.Clone(files)
	w := out["ward.yaml"]
	i := strings.Index(w, "  id: larkspur-shop\n  name: ") + len("  id: larkspur-shop\n  name: ")
	j := i + strings.IndexByte(w[i:], '\n')
	out["ward.yaml"] = w[:i] + name + w[j:]
	return out
}

// shopEnv is a server with the shop pushed once (version 1) by a team token.
type shopEnv struct {
	*env
	bearer   string // the admin's session: pushes and decisions
	files    map[string]string
	findings []string // open generated findings of version 1
}

func newShop(t *testing.T, dsn string) *shopEnv {
	e := newEnvAt(t, dsn)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	s := &shopEnv{env: e, bearer: e.admin, files: bundle(t, "../../examples/shop")}
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"team": "storefront", "files": s.files}), 201)
	list := e.want(e.do("GET", "/api/v1/findings?system=larkspur-shop&status=open&limit=100", e.admin, nil), 200)
	for _, it := range list["items"].([]any) {
		if id := it.(map[string]any)["id"].(string); strings.Contains(id, ":") {
			s.findings = append(s.findings, id)
		}
	}
	if len(s.findings) < 2 {
		t.Fatalf("only %d open generated findings", len(s.findings))
	}
	return s
}

func (s *shopEnv) latest() (int, map[string]string) {
	m := s.want(s.do("GET", "/api/v1/systems/larkspur-shop/versions/latest/model", s.bearer, nil), 200)
	files := map[string]string{}
	for k, v := range m["files"].(map[string]any) {
		files[k] = v.(string)
	}
	return int(m["version"].(float64)), files
}

func decided(files map[string]string, finding, status string) bool {
	all := files["ward.yaml"] + files["threats.yaml"]
	i := strings.Index(all, "- finding: "+finding+"\n")
	return i >= 0 && strings.HasPrefix(strings.TrimLeft(all[i+len("- finding: "+finding+"\n"):], " "), "status: "+status)
}

// TestPushKeepsServerDecisions: a decision taken on the server survives a
// push of files that do not have it — with the CLI's base and without (CI)
// — and a true conflict is refused with the item's line.
func TestPushKeepsServerDecisions(t *testing.T) {
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	f := s.findings[0]
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": f, "status": "accepted", "reason": "edge control", "owner": "dana", "expires": "2027-02-01"}), 201)

	// The team changes the model locally from version 1 and pushes.
	out := s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Store"), "base_version": 1}), 201)
	if out["version"].(float64) != 3 || fmt.Sprint(out["merged"]) != "[decision on "+f+" added]" {
		t.Fatalf("push on a stale base: %v", out)
	}
	_, files := s.latest()
	if !decided(files, f, "accepted") || !strings.Contains(files["ward.yaml"], "name: Larkspur Store") {
		t.Fatalf("version 3 lost the decision or the push:\n%s", files["threats.yaml"])
	}

	// CI pushes (no base) another change, still without the decision.
	out = s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Stores")}), 201)
	if fmt.Sprint(out["merged"]) != "[decision on "+f+" added]" {
		t.Fatalf("CI push: %v", out)
	}
	_, files = s.latest()
	if !decided(files, f, "accepted") {
		t.Fatal("the CI push lost the decision")
	}
	// The same CI push again: nothing new.
	out = s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Stores")}), 200)
	if out["created"] != false {
		t.Fatalf("repeated CI push: %v", out)
	}

	// A decision changed on the server and, differently, in the pushed
	// files: a conflict, nothing stored.
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": f, "status": "false_positive", "reason": "not reachable"}), 201)
	mine := renamed(s.files, "Larkspur Stores")
	mine["threats.yaml"] += "  - finding: " + f + "\n    status: mitigated\n    mitigations: [bot-detection-login]\n"
	body := s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": mine}), 409)
	e := body["error"].(map[string]any)
	d := fmt.Sprint(e["details"])
	if !strings.Contains(d, "threats.yaml") || !strings.Contains(d, "status: false_positive on the server, mitigated in yours") || !strings.Contains(d, "ward push --force") {
		t.Errorf("conflict details: %v", e)
	}
	if strings.Contains(s.logs.String(), "not reachable") {
		t.Error("the conflict logged model contents")
	}
	// --force keeps the pushed files.
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": mine, "force": true}), 201)
	_, files = s.latest()
	if !decided(files, f, "mitigated") {
		t.Error("a forced push did not replace the decision")
	}

	// Someone else pushed a different model since the base: refused.
	_, files = s.latest()
	v, _ := s.latest()
	s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(files, "Other Name"), "base_version": v}), 201)
	body = s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(files, "Third Name"), "base_version": v}), 409)
	if msg := body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "changed the model since your base") {
		t.Errorf("push on a stale base with another push in between: %s", msg)
	}
}

// TestRacesSQLite and TestRacesPostgres: decisions and pushes at once;
// every acknowledged write is in the latest version, the loser is told.
func TestRacesSQLite(t *testing.T) {
	raceTests(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "ward.db") })
}

// TestRacesSQLiteHandOver: the same with Config.HandOver, where a write
// stores its version off the analysis slot on SQLite too.
func TestRacesSQLiteHandOver(t *testing.T) {
	envHandOver = true
	defer func() { envHandOver = false }()
	raceTests(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "ward.db") })
}

func TestRacesPostgres(t *testing.T) {
	base := os.Getenv("WARD_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but WARD_TEST_POSTGRES is not: PostgreSQL is required in CI")
		}
		t.Skip("WARD_TEST_POSTGRES is not set")
	}
	raceTests(t, func(t *testing.T) string { return freshSchema(t, base) })
}

var schemaSeq atomic.Int64

func freshSchema(t *testing.T, base string) string {
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	schema := fmt.Sprintf("ward_srv_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", base, err)
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

const races = 8

func raceTests(t *testing.T, dsn func(t *testing.T) string) {
	t.Run("DecisionVsPush", func(t *testing.T) {
		s := newShop(t, dsn(t))
		var acked []string
		for i := range races {
			f := s.findings[i%len(s.findings)]
			status := []string{"accepted", "false_positive"}[i%2]
			name := fmt.Sprintf("Larkspur %d", i)
			var dec, push int
			var wg sync.WaitGroup
			wg.Go(func() {
				dec = s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": f, "status": status, "reason": "r", "owner": "o", "expires": "2027-01-01"}).StatusCode
			})
			wg.Go(func() {
				push = s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, name)}).StatusCode
			})
			wg.Wait()
			_, files := s.latest()
			if dec == 201 {
				acked = append(acked[:0:0], acked...)
				acked = append(acked, f+"="+status)
			} else {
				t.Errorf("race %d: decision got %d", i, dec)
			}
			if push == 201 && !strings.Contains(files["ward.yaml"], "name: "+name+"\n") {
				t.Errorf("race %d: the acknowledged push is not in the latest version", i)
			}
			if push != 201 && push != 200 {
				t.Errorf("race %d: push got %d", i, push)
			}
			// Every decision acknowledged so far holds (the latest per finding).
			last := map[string]string{}
			for _, a := range acked {
				k, v, _ := strings.Cut(a, "=")
				last[k] = v
			}
			for k, v := range last {
				if !decided(files, k, v) {
					t.Errorf("race %d: decision %s=%s lost", i, k, v)
				}
			}
		}
	})
	t.Run("PushVsPush", func(t *testing.T) {
		s := newShop(t, dsn(t))
		for i := range races {
			v, files := s.latest()
			var codes [2]int
			var wg sync.WaitGroup
			for j := range 2 {
				wg.Go(func() {
					codes[j] = s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(files, fmt.Sprintf("Name %d-%d", i, j)), "base_version": v}).StatusCode
				})
			}
			wg.Wait()
			_, now := s.latest()
			won := -1
			for j, c := range codes {
				switch c {
				case 201:
					if won >= 0 {
						t.Errorf("race %d: both pushes on version %d stored, one overwrote the other", i, v)
					}
					won = j
				case 409:
				default:
					t.Errorf("race %d: push %d got %d", i, j, c)
				}
			}
			if won < 0 {
				t.Errorf("race %d: neither push stored: %v", i, codes)
			} else if !strings.Contains(now["ward.yaml"], fmt.Sprintf("name: Name %d-%d\n", i, won)) {
				t.Errorf("race %d: the winning push is not the latest version", i)
			}
		}
	})
	t.Run("TwoDecisions", func(t *testing.T) {
		s := newShop(t, dsn(t))
		for i := range races {
			fs := [2]string{s.findings[(2*i)%len(s.findings)], s.findings[(2*i+1)%len(s.findings)]}
			st := []string{"accepted", "false_positive"}[i%2]
			var codes [2]int
			var wg sync.WaitGroup
			for j := range 2 {
				wg.Go(func() {
					codes[j] = s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, map[string]any{"finding": fs[j], "status": st, "reason": "r", "owner": "o", "expires": "2027-01-01"}).StatusCode
				})
			}
			wg.Wait()
			_, files := s.latest()
			for j := range 2 {
				if codes[j] != 201 && codes[j] != 200 {
					t.Errorf("race %d: decision %d got %d", i, j, codes[j])
				} else if !decided(files, fs[j], st) {
					t.Errorf("race %d: acknowledged decision on %s lost", i, fs[j])
				}
			}
		}
	})
}

// TestPushBaseAfterManyEdits: a push without a base merges from the newest
// pushed version however many edits followed it (past the first, small
// page of versions the server reads), so it never reverts them.
func TestPushBaseAfterManyEdits(t *testing.T) {
	s := newShop(t, filepath.Join(t.TempDir(), "ward.db"))
	f := s.findings[0]
	statuses := []string{"accepted", "false_positive", "mitigated", "accepted", "false_positive", "accepted", "false_positive"}
	for i, st := range statuses {
		body := map[string]any{"finding": f, "status": st, "reason": fmt.Sprintf("reason %d", i), "owner": "dana", "expires": "2030-01-01"}
		if st == "mitigated" {
			body["mitigations"] = []string{"bot-detection-login"}
		}
		s.want(s.do("POST", "/api/v1/systems/larkspur-shop/decisions", s.bearer, body), 201)
	}
	out := s.want(s.do("POST", "/api/v1/systems/larkspur-shop/versions", s.bearer, map[string]any{"files": renamed(s.files, "Larkspur Stores")}), 201)
	if out["base"].(float64) != 1 || fmt.Sprint(out["merged"]) != "[decision on "+f+" added]" {
		t.Fatalf("push after %d edits: %v", len(statuses), out)
	}
	if _, files := s.latest(); !decided(files, f, "false_positive") || !strings.Contains(files["threats.yaml"], "reason 6") {
		t.Fatalf("the push reverted the last decision:\n%s", files["threats.yaml"])
	}
}
