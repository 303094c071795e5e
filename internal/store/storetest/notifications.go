package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

func delivery(key string) store.Delivery {
	return store.Delivery{Key: key, Channel: store.ChannelWebhook, Target: "wh-1", TeamID: "pay", Kind: "review.requested",
		Payload: []byte(`{"kind":"review.requested"}`)}
}

func testOutbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	n := must(s.EnqueueDeliveries(ctx, []store.Delivery{delivery("a"), delivery("b"), delivery("a")}))
	if n != 2 {
		t.Fatalf("enqueue with a repeated key added %d, want 2", n)
	}
	if n := must(s.EnqueueDeliveries(ctx, []store.Delivery{delivery("b")})); n != 0 {
		t.Errorf("enqueue of a taken key added %d, want 0", n)
	}
	later := delivery("later")
	later.NextAttemptAt = now.Add(time.Hour)
	must(s.EnqueueDeliveries(ctx, []store.Delivery{later}))

	got := must(s.ClaimDeliveries(ctx, "L1", now.Add(time.Second), now.Add(time.Minute), 10))
	var keys []string
	for _, d := range got {
		keys = append(keys, d.Key)
		if d.Attempts != 1 || d.Lease != "L1" || d.State != store.DeliveryPending || string(d.Payload) != `{"kind":"review.requested"}` {
			t.Errorf("claimed %+v", d)
		}
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"a", "b"}, keys); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	// Leased rows are not claimed again while the lease holds.
	if again := must(s.ClaimDeliveries(ctx, "L2", now.Add(2*time.Second), now.Add(time.Minute), 10)); len(again) != 0 {
		t.Errorf("claimed leased deliveries: %+v", again)
	}
	a, b := got[0], got[1]
	if a.Key != "a" {
		a, b = b, a
	}
	must(0, s.FinishDelivery(ctx, store.DeliveryResult{ID: a.ID, Lease: "L1", State: store.DeliveryDone, At: now.Add(3 * time.Second)}))
	must(0, s.FinishDelivery(ctx, store.DeliveryResult{ID: b.ID, Lease: "L1", State: store.DeliveryPending, Retry: now.Add(30 * time.Second),
		Error: "HTTP 503", At: now.Add(3 * time.Second)}))
	if err := s.FinishDelivery(ctx, store.DeliveryResult{ID: a.ID, Lease: "L1", State: store.DeliveryDone}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing twice: got %v, want ErrConflict", err)
	}
	if early := must(s.ClaimDeliveries(ctx, "L3", now.Add(10*time.Second), now.Add(time.Minute), 10)); len(early) != 0 {
		t.Errorf("claimed a delivery before its retry time: %+v", early)
	}
	retry := must(s.ClaimDeliveries(ctx, "L4", now.Add(31*time.Second), now.Add(2*time.Minute), 10))
	if len(retry) != 1 || retry[0].Key != "b" || retry[0].Attempts != 2 || retry[0].LastError != "HTTP 503" {
		t.Fatalf("retry claim = %+v", retry)
	}
	// A lapsed lease is claimed again; the first claimer then loses.
	lapsed := must(s.ClaimDeliveries(ctx, "L5", now.Add(3*time.Minute), now.Add(4*time.Minute), 10))
	if len(lapsed) != 1 || lapsed[0].Attempts != 3 {
		t.Fatalf("claim after the lease lapsed = %+v", lapsed)
	}
	if err := s.FinishDelivery(ctx, store.DeliveryResult{ID: b.ID, Lease: "L4", State: store.DeliveryDone}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing under a lapsed lease: got %v, want ErrConflict", err)
	}
	must(0, s.FinishDelivery(ctx, store.DeliveryResult{ID: b.ID, Lease: "L5", State: store.DeliveryDead, Error: "gave up after 3 attempts"}))

	all, total := mustList(s.ListDeliveries(ctx, store.DeliveryQuery{TeamID: "pay"}))
	if total != 3 || len(all) != 3 || all[0].Key != "later" {
		t.Fatalf("ListDeliveries = %d %+v", total, all)
	}
	states := map[string]string{}
	for _, d := range all {
		states[d.Key] = d.State
	}
	if diff := cmp.Diff(map[string]string{"a": "done", "b": "dead", "later": "pending"}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if dead, n := mustList(s.ListDeliveries(ctx, store.DeliveryQuery{State: store.DeliveryDead})); n != 1 || dead[0].LastError != "gave up after 3 attempts" {
		t.Errorf("dead deliveries = %d %+v", n, dead)
	}
	if _, n := mustList(s.ListDeliveries(ctx, store.DeliveryQuery{TeamID: "other"})); n != 0 {
		t.Errorf("another team's deliveries: %d", n)
	}
	// Pruning keeps pending deliveries and recent finished ones.
	if n := must(s.PruneDeliveries(ctx, time.Now().Add(-time.Hour))); n != 0 {
		t.Errorf("pruned %d recent deliveries", n)
	}
	if n := must(s.PruneDeliveries(ctx, time.Now().Add(time.Hour))); n != 2 {
		t.Errorf("pruned %d, want the done and the dead one", n)
	}
	if left, n := mustList(s.ListDeliveries(ctx, store.DeliveryQuery{})); n != 1 || left[0].Key != "later" {
		t.Errorf("after pruning: %+v", left)
	}
	if _, err := s.EnqueueDeliveries(ctx, []store.Delivery{{Key: "x"}}); err == nil {
		t.Error("a delivery without channel and target was enqueued")
	}
}

func mustList[T any](v T, n int, err error) (T, int) {
	if err != nil {
		panic(failure{err})
	}
	return v, n
}

// ClaimRace has workers on two handles of one database (a and b, as two
// ward serve processes would be) claim and finish the same outbox: every
// delivery must be claimed exactly once. a and b may be the same store.
func ClaimRace(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	const rows = 120
	var ds []store.Delivery
	for i := range rows {
		ds = append(ds, delivery(fmt.Sprintf("race-%03d", i)))
	}
	if n := must(a.EnqueueDeliveries(ctx, ds)); n != rows {
		t.Fatalf("enqueued %d of %d", n, rows)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			lease := fmt.Sprintf("worker-%d", w)
			for {
				now := time.Now()
				got, err := s.ClaimDeliveries(ctx, lease, now, now.Add(time.Hour), 5)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				for _, d := range got {
					mu.Lock()
					seen[d.Key]++
					mu.Unlock()
					if err := s.FinishDelivery(ctx, store.DeliveryResult{ID: d.ID, Lease: lease, State: store.DeliveryDone}); err != nil {
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
	if len(seen) != rows {
		t.Errorf("claimed %d distinct deliveries, want %d", len(seen), rows)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", k, n)
		}
	}
	if _, n := mustList(a.ListDeliveries(ctx, store.DeliveryQuery{State: store.DeliveryDone})); n != rows {
		t.Errorf("%d deliveries done, want %d", n, rows)
	}
}

func testClaimRace(t *testing.T, s store.Store) { ClaimRace(t, s, s) }

func testWebhooksAndPrefs(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	w := store.Webhook{ID: "wh-1", TeamID: "pay", Name: "Slack #pay", URL: "https://hooks.example.com/x", Secret: "sealed", Kinds: []string{"review.requested", "risk.high_pushed"}, Enabled: true}
	got := must(s.CreateWebhook(ctx, w, "user:u1"))
	if got.CreatedBy != "user:u1" || got.CreatedAt.IsZero() {
		t.Errorf("CreateWebhook = %+v", got)
	}
	if _, err := s.CreateWebhook(ctx, w, "user:u1"); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate webhook: got %v, want ErrExists", err)
	}
	ghost := w
	ghost.ID, ghost.TeamID = "wh-2", "ghost"
	if _, err := s.CreateWebhook(ctx, ghost, "user:u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("webhook of a missing team: got %v, want ErrNotFound", err)
	}
	back := must(s.GetWebhook(ctx, "wh-1"))
	if diff := cmp.Diff(w.Kinds, back.Kinds); diff != "" || back.Secret != "sealed" || !back.Enabled || back.URL != w.URL {
		t.Errorf("GetWebhook = %+v (%s)", back, diff)
	}
	back.Enabled, back.Kinds, back.Name = false, nil, "renamed"
	up := must(s.UpdateWebhook(ctx, back, "user:u1"))
	if up.Enabled || len(up.Kinds) != 0 || up.Name != "renamed" || up.TeamID != "pay" {
		t.Errorf("UpdateWebhook = %+v", up)
	}
	if list := must(s.ListWebhooks(ctx, "pay")); len(list) != 1 {
		t.Errorf("ListWebhooks(pay) = %+v", list)
	}
	if list := must(s.ListWebhooks(ctx, "other")); len(list) != 0 {
		t.Errorf("ListWebhooks(other) = %+v", list)
	}
	must(0, s.DeleteWebhook(ctx, "wh-1", "user:u1"))
	if _, err := s.GetWebhook(ctx, "wh-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted webhook: got %v", err)
	}
	if err := s.DeleteWebhook(ctx, "wh-1", "user:u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: got %v", err)
	}
	evs := must(s.Audit(ctx, 0, store.Page{Limit: 100}))
	var actions []string
	for _, e := range evs {
		if e.Object == "webhook:wh-1" {
			actions = append(actions, e.Action)
		}
	}
	if diff := cmp.Diff([]string{"webhook.create", "webhook.update", "webhook.delete"}, actions); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}

	if _, err := s.NotifyPrefs(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unset preferences: got %v, want ErrNotFound", err)
	}
	must(0, s.SetNotifyPrefs(ctx, store.NotifyPrefs{UserID: "u1", Email: true, Kinds: []string{"review.assigned"}}))
	must(0, s.SetNotifyPrefs(ctx, store.NotifyPrefs{UserID: "u1", Email: false, Kinds: []string{"review.assigned", "review.stale"}}))
	p := must(s.NotifyPrefs(ctx, "u1"))
	if p.Email || !slices.Equal(p.Kinds, []string{"review.assigned", "review.stale"}) || p.UpdatedAt.IsZero() {
		t.Errorf("NotifyPrefs = %+v", p)
	}
}
