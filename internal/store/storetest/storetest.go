// Package storetest is the conformance suite every store.Store
// implementation must pass. Each implementation's tests call Run with a
// function that opens a fresh, empty store.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

// Run runs the whole suite; open must return a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Teams", testTeams},
		{"PushVersions", testPush},
		{"ConcurrentPushes", testConcurrentPush},
		{"VersionOrigin", testVersionOrigin},
		{"StoredAnalyses", testStoredAnalyses},
		{"FindingQueries", testFindings},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"AuditAppendOnly", testAudit},
		{"LiveSessions", testLiveSessions},
		{"LiveSessionsConcurrentAppends", testLiveAppendRace},
		{"Reviews", testReviews}, {"ConcurrentReviewUpdates", testConcurrentReviewUpdates},
		{"UserLifecycle", testUserLifecycle},
		{"TokenExpiry", testTokenExpiry},
		{"DiffCache", testDiffCache},
		{"NotifyOutbox", testOutbox}, {"NotifyClaimRace", testClaimRace}, {"NotifyWebhooksAndPrefs", testWebhooksAndPrefs},
		{"Training", testTraining}, {"TrainingConcurrentUpdates", testTrainingRace},
		{"TrainingExercises", testTrainingExercises},
		{"Programme", testProgramme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(failure)
					if !ok {
						panic(r)
					}
					t.Fatalf("unexpected error: %v", f.err)
				}
			}()
			tt.fn(t, open(t))
		})
	}
}

// failure carries an unexpected error out of must to Run, which fails the
// test with it.
type failure struct{ err error }

// must returns v, or stops the test when err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		panic(failure{err})
	}
	return v
}

func testTeams(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"payments", "growth", "platform"} {
		must(s.CreateTeam(ctx, store.Team{ID: id, Name: "Team " + id}, "admin"))
	}
	if _, err := s.CreateTeam(ctx, store.Team{ID: "growth", Name: "again"}, "admin"); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate team: got %v, want ErrExists", err)
	}
	got := must(s.GetTeam(ctx, "growth"))
	if got.Name != "Team growth" || got.CreatedAt.IsZero() {
		t.Errorf("GetTeam = %+v", got)
	}
	if _, err := s.GetTeam(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing team: got %v, want ErrNotFound", err)
	}
	page, total, err := s.ListTeams(ctx, store.Page{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range page {
		ids = append(ids, x.ID)
	}
	if diff := cmp.Diff([]string{"payments", "platform"}, ids); diff != "" || total != 3 {
		t.Errorf("ListTeams page (-want +got):\n%s total %d", diff, total)
	}
}

func push(sys, team, yaml string) store.Push {
	return store.Push{SystemID: sys, TeamID: team, Name: "System " + sys, YAML: []byte(yaml), Result: []byte(`{"schema":"ward.result/v1"}`), Author: "alice", Message: "m"}
}

func testPush(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	must(s.CreateTeam(ctx, store.Team{ID: "other", Name: "Other"}, "admin"))
	if _, _, err := s.PushVersion(ctx, push("shop", "ghost", "ward: 1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("push to a missing team: got %v, want ErrNotFound", err)
	}
	v1, created, err := s.PushVersion(ctx, push("shop", "pay", "ward: 1\n"))
	if err != nil || !created || v1.Number != 1 {
		t.Fatalf("first push: %+v %v %v", v1, created, err)
	}
	again, created, err := s.PushVersion(ctx, push("shop", "pay", "ward: 1\n"))
	if err != nil || created || again.Number != 1 || string(again.YAML) != "ward: 1\n" {
		t.Fatalf("unchanged push must be a no-op: %+v created=%v %v", again, created, err)
	}
	v2, created, err := s.PushVersion(ctx, push("shop", "pay", "ward: 1\n# edited\n"))
	if err != nil || !created || v2.Number != 2 {
		t.Fatalf("second push: %+v %v %v", v2, created, err)
	}
	if _, _, err := s.PushVersion(ctx, push("shop", "other", "ward: 1\n# x\n")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("push by another team: got %v, want ErrConflict", err)
	}
	sys := must(s.GetSystem(ctx, "shop"))
	if sys.Latest != 2 || sys.TeamID != "pay" || sys.Revision != 2 {
		t.Errorf("system = %+v", sys)
	}
	stale := push("shop", "pay", "ward: 1\n# third\n")
	stale.BaseRevision = 1
	if _, _, err := s.PushVersion(ctx, stale); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale revision: got %v, want ErrConflict", err)
	}
	fresh := stale
	fresh.BaseRevision = sys.Revision
	if v, _, err := s.PushVersion(ctx, fresh); err != nil || v.Number != 3 {
		t.Errorf("push at the current revision: %+v %v", v, err)
	}
	if got := must(s.GetSystem(ctx, "shop")).Revision; got != fresh.BaseRevision+1 {
		t.Errorf("revision after a push at revision %d: %d, want %d", fresh.BaseRevision, got, fresh.BaseRevision+1)
	}
	if _, created, err := s.PushVersion(ctx, func() store.Push { p := fresh; p.BaseRevision++; return p }()); err != nil || created {
		t.Errorf("unchanged push at the current revision: created %v, %v", created, err)
	}
	if got := must(s.GetSystem(ctx, "shop")).Revision; got != fresh.BaseRevision+1 {
		t.Errorf("revision after an unchanged push: %d, want %d", got, fresh.BaseRevision+1)
	}
	got := must(s.GetVersion(ctx, "shop", 2))
	if string(got.YAML) != "ward: 1\n# edited\n" || got.Author != "alice" || got.SHA256 == "" {
		t.Errorf("GetVersion 2 = %+v", got)
	}
	latest := must(s.GetVersion(ctx, "shop", 0))
	if latest.Number != 3 {
		t.Errorf("latest = %d, want 3", latest.Number)
	}
	vs, total, err := s.ListVersions(ctx, "shop", store.Page{})
	if err != nil || total != 3 || len(vs) != 3 || vs[0].Number != 3 {
		t.Errorf("ListVersions = %v total %d err %v", vs, total, err)
	}
	if _, err := s.GetVersion(ctx, "shop", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
	list, total, err := s.ListSystems(ctx, "other", store.Page{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Errorf("ListSystems(other) = %v %d %v", list, total, err)
	}
}

// testVersionOrigin: a version keeps where it came from and, when the
// server merged its own changes in, the files the client sent.
func testVersionOrigin(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	must3(s.PushVersion(ctx, push("shop", "pay", "ward: 1\n")))
	e := push("shop", "pay", "ward: 1\n# decided\n")
	e.Origin = store.OriginEdit
	must3(s.PushVersion(ctx, e))
	p := push("shop", "pay", "ward: 1\n# decided\n# pushed\n")
	p.Pushed = []byte("ward: 1\n# pushed\n")
	must3(s.PushVersion(ctx, p))
	for n, want := range map[int][2]string{1: {store.OriginPush, ""}, 2: {store.OriginEdit, ""}, 3: {store.OriginPush, "ward: 1\n# pushed\n"}} {
		v := must(s.GetVersion(ctx, "shop", n))
		if v.Origin != want[0] || string(v.Pushed) != want[1] {
			t.Errorf("version %d: origin %q pushed %q, want %q %q", n, v.Origin, v.Pushed, want[0], want[1])
		}
	}
	vs, _, err := s.ListVersions(ctx, "shop", store.Page{})
	if err != nil || len(vs) != 3 || vs[1].Origin != store.OriginEdit {
		t.Errorf("ListVersions origins: %+v %v", vs, err)
	}
}

// testConcurrentPush proves concurrent pushes get distinct, gapless version
// numbers and none is lost.
func testConcurrentPush(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.PushVersion(ctx, push("shop", "pay", fmt.Sprintf("ward: 1\n# %d\n", i)))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent push: %v", err)
		}
	}
	vs, total, err := s.ListVersions(ctx, "shop", store.Page{Limit: 100})
	if err != nil || total != n {
		t.Fatalf("versions: total %d err %v", total, err)
	}
	for i, v := range vs {
		if v.Number != n-i {
			t.Errorf("version %d numbered %d", n-i, v.Number)
		}
	}
}

func testFindings(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	must(s.CreateTeam(ctx, store.Team{ID: "ops", Name: "Ops"}, "admin"))
	p := push("shop", "pay", "ward: 1\n")
	p.Findings = []store.Finding{
		{ID: "a:x", Rule: "a", Category: "spoofing", Severity: "high", Score: 16, Status: "open", Title: "A", Assets: []string{"cards"}, DataKinds: []string{"payment_card"}},
		{ID: "b:x", Rule: "b", Category: "tampering", Severity: "low", Score: 4, Status: "open", Title: "B", Assets: []string{"logs"}},
		{ID: "c:x", Rule: "c", Category: "spoofing", Severity: "critical", Score: 25, Status: "accepted", Title: "C", Owner: "bob", Assets: []string{"cards"}, DataKinds: []string{"payment_card", "pii"}},
	}
	p.Mitigations = []store.Mitigation{{ID: "m1", Title: "M1", Status: "planned", Owner: "bob"}}
	p.Assumptions = []store.Assumption{{ID: "a1", Text: "A1", Status: "invalidated"}, {ID: "a2", Text: "A2", Status: "validated"}}
	must3(s.PushVersion(ctx, p))
	q := push("infra", "ops", "ward: 1\n")
	q.Findings = []store.Finding{{ID: "d:y", Rule: "d", Category: "denial_of_service", Severity: "high", Score: 12, Status: "open", Title: "D", DataKinds: []string{"pii"}}}
	must3(s.PushVersion(ctx, q))

	ids := func(fs []store.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.SystemID+"/"+f.ID)
		}
		return out
	}
	cases := []struct {
		name  string
		q     store.FindingQuery
		want  []string
		total int
	}{
		{"all, worst first", store.FindingQuery{}, []string{"shop/c:x", "shop/a:x", "infra/d:y", "shop/b:x"}, 4},
		{"open high and above touching card data", store.FindingQuery{MinSeverity: "high", Status: "open", DataKind: "payment_card"}, []string{"shop/a:x"}, 1},
		{"team", store.FindingQuery{TeamID: "ops"}, []string{"infra/d:y"}, 1},
		{"asset", store.FindingQuery{Asset: "cards"}, []string{"shop/c:x", "shop/a:x"}, 2},
		{"owner", store.FindingQuery{Owner: "bob"}, []string{"shop/c:x"}, 1},
		{"paged", store.FindingQuery{Page: store.Page{Limit: 2, Offset: 1}}, []string{"shop/a:x", "infra/d:y"}, 4},
		{"by id", store.FindingQuery{Sort: "id"}, []string{"shop/a:x", "shop/b:x", "shop/c:x", "infra/d:y"}, 4},
		{"no LIKE injection", store.FindingQuery{DataKind: "%"}, nil, 0},
	}
	for _, c := range cases {
		got, total, err := s.Findings(ctx, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if diff := cmp.Diff(c.want, ids(got)); diff != "" || total != c.total {
			t.Errorf("%s (-want +got):\n%s total %d want %d", c.name, diff, total, c.total)
		}
	}
	// A new version replaces the queryable rows.
	p2 := push("shop", "pay", "ward: 1\n# fixed\n")
	p2.Findings = p.Findings[1:2]
	must3(s.PushVersion(ctx, p2))
	got, total, _ := s.Findings(ctx, store.FindingQuery{SystemID: "shop"})
	if total != 1 || got[0].ID != "b:x" || got[0].Version != 2 {
		t.Errorf("after a new version: %v", got)
	}
	as, total, err := s.Assumptions(ctx, "", "invalidated", store.Page{})
	if err != nil || total != 0 || len(as) != 0 {
		t.Errorf("assumptions of the new version: %v %d %v", as, total, err)
	}
	must3(s.PushVersion(ctx, p))
	as, total, _ = s.Assumptions(ctx, "", "invalidated", store.Page{})
	if total != 1 || as[0].ID != "a1" {
		t.Errorf("invalidated assumptions = %v", as)
	}
	ms, total, _ := s.Mitigations(ctx, "pay", "planned", store.Page{})
	if total != 1 || ms[0].Owner != "bob" {
		t.Errorf("mitigations = %v", ms)
	}
	if _, _, err := s.Findings(ctx, store.FindingQuery{Sort: "bogus; DROP TABLE findings"}); err == nil {
		t.Error("a bad sort was accepted")
	}
}

func must3(v store.Version, _ bool, err error) store.Version {
	return must(v, err)
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := must(s.CreateUser(ctx, store.User{ID: "u1", Email: " Alice@Example.com", Name: "Alice", Role: store.RoleAdmin, PasswordHash: "$argon2id$x"}, "setup"))
	if u.Email != "alice@example.com" {
		t.Errorf("email not normalised: %q", u.Email)
	}
	if _, err := s.CreateUser(ctx, store.User{ID: "u2", Email: "ALICE@example.com", Role: store.RoleViewer}, "setup"); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate email: got %v, want ErrExists", err)
	}
	got := must(s.GetUserByEmail(ctx, "alice@EXAMPLE.com"))
	if got.ID != "u1" || got.Role != store.RoleAdmin || got.PasswordHash != "$argon2id$x" || got.Disabled {
		t.Errorf("GetUserByEmail = %+v", got)
	}
	must(s.CreateUser(ctx, store.User{ID: "u3", Email: "bob@example.com", Role: store.RoleMember, TeamID: "pay", Subject: "https://idp|bob"}, "setup"))
	n := must(s.CountUsers(ctx))
	if n != 2 {
		t.Errorf("CountUsers = %d", n)
	}
	if got := must(s.GetUserBySubject(ctx, "https://idp|bob")); got.ID != "u3" || got.TeamID != "pay" {
		t.Errorf("GetUserBySubject = %+v", got)
	}
	for _, sub := range []string{"", "https://idp|nobody", "https://other|bob"} {
		if _, err := s.GetUserBySubject(ctx, sub); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserBySubject(%q): %v, want ErrNotFound", sub, err)
		}
	}
	if got := must(s.SetUserRole(ctx, "u3", store.RoleSecurity, "", "sso")); got.Role != store.RoleSecurity || got.TeamID != "" || got.Subject != "https://idp|bob" {
		t.Errorf("SetUserRole = %+v", got)
	}
	if got := must(s.GetUser(ctx, "u3")); got.Role != store.RoleSecurity {
		t.Errorf("role not stored: %+v", got)
	}
	if _, err := s.SetUserRole(ctx, "nope", store.RoleAdmin, "", "sso"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetUserRole of a missing account: %v", err)
	}
	if _, err := s.GetUser(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing user: %v", err)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateUser(ctx, store.User{ID: "u1", Email: "a@example.com", Role: store.RoleViewer}, "setup"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.CreateSession(ctx, store.Session{IDHash: "h1", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, store.Session{IDHash: "h2", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got := must(s.GetSession(ctx, "h1"))
	if got.UserID != "u1" || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("GetSession = %+v", got)
	}
	n := must(s.DeleteExpiredSessions(ctx, now))
	if n != 1 {
		t.Errorf("expired sessions deleted: %d, want 1", n)
	}
	if err := s.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := must(s.CreateToken(ctx, store.Token{ID: "t1", Name: "ci", TeamID: "pay", Role: store.RoleMember, Hash: "sha-1", CreatedBy: "u1"}, "u1"))
	if tok.CreatedAt.IsZero() {
		t.Error("no creation time")
	}
	if _, err := s.CreateToken(ctx, store.Token{ID: "t2", Name: "dup", TeamID: "pay", Role: store.RoleMember, Hash: "sha-1"}, "u1"); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate hash: %v", err)
	}
	got := must(s.GetTokenByHash(ctx, "sha-1"))
	if got.ID != "t1" || got.Revoked {
		t.Errorf("GetTokenByHash = %+v", got)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.TouchToken(ctx, "t1", at); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "t1", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "nope", "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke missing: %v", err)
	}
	got = must(s.GetTokenByHash(ctx, "sha-1"))
	if !got.Revoked || !got.LastUsed.Equal(at) {
		t.Errorf("after revoke: %+v", got)
	}
	list := must(s.ListTokens(ctx, "pay"))
	if len(list) != 1 {
		t.Errorf("ListTokens = %v", list)
	}
}

// sqlDB is implemented by SQL stores, so the suite can try to change the
// audit log behind the store's back.
type sqlDB interface{ SQL() *sql.DB }

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "alice"))
	must3(s.PushVersion(ctx, push("shop", "pay", "ward: 1\n")))
	must(s.CreateToken(ctx, store.Token{ID: "t1", Name: "ci", TeamID: "pay", Role: store.RoleMember, Hash: "h"}, "alice"))
	evs := must(s.Audit(ctx, 0, store.Page{}))
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Actor+" "+e.Action+" "+e.Object)
	}
	want := []string{"alice team.create team:pay", "alice version.push system:shop@1", "alice token.create token:t1"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if len(evs) > 1 {
		rest := must(s.Audit(ctx, evs[0].Seq, store.Page{}))
		if len(rest) != len(evs)-1 {
			t.Errorf("Audit after seq %d: %d events", evs[0].Seq, len(rest))
		}
	}
	if db, ok := s.(sqlDB); ok {
		if _, err := db.SQL().ExecContext(ctx, `UPDATE audit SET actor = 'mallory'`); err == nil {
			t.Error("the audit log could be updated")
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit`); err == nil {
			t.Error("the audit log could be deleted")
		}
	}
}
