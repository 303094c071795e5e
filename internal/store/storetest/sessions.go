package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

// liveSystem creates a team and a system for live sessions.
func liveSystem(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	must2(s.PushVersion(ctx, push("shop", "pay", "ward: 1\n")))
}

func must2[A, B any](a A, b B, err error) A {
	if err != nil {
		panic(failure{err})
	}
	return a
}

func newLive(t *testing.T, s store.Store, id string) store.LiveSession {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	x := store.LiveSession{ID: id, SystemID: "shop", TeamID: "pay", Title: "Checkout", Phase: "review", State: []byte(`{"seq":1}`),
		GuestHash: "guest-" + id, CreatedBy: "user:u1", CreatedAt: at, ExpiresAt: at.Add(4 * time.Hour)}
	if err := s.CreateLiveSession(t.Context(), x, store.LiveEvent{Seq: 1, At: at, Actor: "u1", Type: "create", Data: []byte(`{}`)}); err != nil {
		t.Fatalf("CreateLiveSession: %v", err)
	}
	return x
}

func testLiveSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	liveSystem(t, s)
	x := newLive(t, s, "ls1")
	newLive(t, s, "ls2")
	if err := s.CreateLiveSession(ctx, x, store.LiveEvent{Seq: 1, Type: "create", Data: []byte(`{}`)}); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate session: got %v, want ErrExists", err)
	}
	got := must(s.GetLiveSession(ctx, "ls1"))
	if got.Seq != 1 || string(got.State) != `{"seq":1}` || got.TeamID != "pay" || !got.ExpiresAt.Equal(x.ExpiresAt) {
		t.Errorf("GetLiveSession = %+v", got)
	}
	if g := must(s.GetLiveSessionByGuest(ctx, "guest-ls2")); g.ID != "ls2" {
		t.Errorf("by guest hash: %s", g.ID)
	}
	if _, err := s.GetLiveSessionByGuest(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("empty guest hash: %v", err)
	}
	at := x.CreatedAt.Add(time.Minute)
	ev := func(req string) store.LiveEvent {
		return store.LiveEvent{SessionID: "ls1", At: at, Actor: "u2", Type: "card.add", RequestID: req, Data: []byte(`{"n":1}`)}
	}
	if err := s.AppendLiveEvent(ctx, ev("r1"), 1, []byte(`{"seq":2}`), "brainstorm"); err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := s.AppendLiveEvent(ctx, ev("r2"), 1, []byte(`{"seq":2}`), "brainstorm"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("append on a stale seq: got %v, want ErrConflict", err)
	}
	if err := s.AppendLiveEvent(ctx, ev("r1"), 2, []byte(`{"seq":3}`), "brainstorm"); !errors.Is(err, store.ErrExists) {
		t.Errorf("the same request again: got %v, want ErrExists", err)
	}
	if err := s.AppendLiveEvent(ctx, ev(""), 2, []byte(`{"seq":3}`), "vote"); err != nil {
		t.Fatalf("append without request id: %v", err)
	}
	if err := s.AppendLiveEvent(ctx, ev(""), 3, []byte(`{"seq":4}`), "vote"); err != nil {
		t.Fatalf("second append without request id: %v", err)
	}
	if err := s.AppendLiveEvent(ctx, store.LiveEvent{SessionID: "nope", Type: "x", Data: []byte(`{}`)}, 1, nil, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("append to a missing session: got %v, want ErrNotFound", err)
	}
	got = must(s.GetLiveSession(ctx, "ls1"))
	if got.Seq != 4 || got.Phase != "vote" || string(got.State) != `{"seq":4}` || !got.UpdatedAt.Equal(at) {
		t.Errorf("after appends: %+v", got)
	}
	evs := must(s.LiveEvents(ctx, "ls1", 1, 0))
	var seqs []int64
	for _, e := range evs {
		seqs = append(seqs, e.Seq)
	}
	if d := cmp.Diff([]int64{2, 3, 4}, seqs); d != "" {
		t.Errorf("events after 1 (-want +got):\n%s", d)
	}
	if e := evs[0]; e.RequestID != "r1" || e.Actor != "u2" || string(e.Data) != `{"n":1}` || !e.At.Equal(at) {
		t.Errorf("event = %+v", e)
	}
	if evs := must(s.LiveEvents(ctx, "ls1", 2, 1)); len(evs) != 1 || evs[0].Seq != 3 {
		t.Errorf("limit 1 after 2: %+v", evs)
	}
	if e := must(s.LiveEventByRequest(ctx, "ls1", "r1")); e.Seq != 2 {
		t.Errorf("by request: %+v", e)
	}
	if _, err := s.LiveEventByRequest(ctx, "ls2", "r1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("request ids are per session: %v", err)
	}
	list := must(s.ListLiveSessions(ctx, "shop", store.Page{}))
	if len(list) != 2 {
		t.Errorf("ListLiveSessions: %d sessions", len(list))
	}
	g := store.LiveGuest{Hash: "h1", SessionID: "ls1", MemberID: "g-1", Name: "Guest", CreatedAt: at}
	if err := s.CreateLiveGuest(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got := must(s.GetLiveGuest(ctx, "h1")); !cmp.Equal(got, g) {
		t.Errorf("GetLiveGuest = %+v, want %+v", got, g)
	}
	if _, err := s.GetLiveGuest(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing guest: %v", err)
	}
}

// testLiveAppendRace appends from many goroutines at once, each retrying
// on conflict as the server does: every event is stored exactly once, and
// the sequence numbers have no gaps.
func testLiveAppendRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	liveSystem(t, s)
	newLive(t, s, "race")
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				req := fmt.Sprintf("w%d-%d", w, i)
				for attempt := 0; ; attempt++ {
					x, err := s.GetLiveSession(ctx, "race")
					if err != nil {
						errs <- err
						return
					}
					err = s.AppendLiveEvent(ctx, store.LiveEvent{SessionID: "race", At: time.Now(), Actor: "u", Type: "vote", RequestID: req, Data: []byte(`{}`)},
						x.Seq, []byte(`{}`), "vote")
					if err == nil || errors.Is(err, store.ErrExists) {
						break
					}
					if !errors.Is(err, store.ErrConflict) || attempt > 1000 {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs := must(s.LiveEvents(ctx, "race", 0, 0))
	if len(evs) != 1+writers*each {
		t.Fatalf("%d events, want %d", len(evs), 1+writers*each)
	}
	seen := map[string]bool{}
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if e.RequestID != "" && seen[e.RequestID] {
			t.Fatalf("request %s stored twice", e.RequestID)
		}
		seen[e.RequestID] = true
	}
}
