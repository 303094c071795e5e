package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/store"
)

func testTraining(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	r1 := store.TrainingRun{ID: "tr1", ExerciseID: "food-delivery", ExerciseSource: []byte("training: 1\n"), Title: "Autumn cohort", Phase: "read", Seq: 1, State: []byte(`{"seq":1}`), CreatedBy: "user:u1", CreatedAt: at}
	must(0, s.CreateTrainingRun(ctx, r1))
	r2 := r1
	r2.ID, r2.CreatedAt = "tr2", at.Add(time.Hour)
	must(0, s.CreateTrainingRun(ctx, r2))
	if err := s.CreateTrainingRun(ctx, r1); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate run: got %v, want ErrExists", err)
	}
	got := must(s.GetTrainingRun(ctx, "tr1"))
	if got.Seq != 1 || string(got.State) != `{"seq":1}` || string(got.ExerciseSource) != "training: 1\n" || !got.CreatedAt.Equal(at) || !got.CompletedAt.IsZero() || got.Title != "Autumn cohort" {
		t.Errorf("GetTrainingRun = %+v", got)
	}
	if _, err := s.GetTrainingRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	list := must(s.ListTrainingRuns(ctx, store.Page{}))
	if len(list) != 2 || list[0].ID != "tr2" || len(list[0].State) != 0 || len(list[0].ExerciseSource) != 0 {
		t.Errorf("ListTrainingRuns: %d runs, first %s with %d bytes of state", len(list), list[0].ID, len(list[0].State))
	}

	// Compare-and-set on seq.
	up := got
	up.Seq, up.State, up.Phase, up.UpdatedAt = 2, []byte(`{"seq":2}`), "find", at.Add(time.Minute)
	must(0, s.UpdateTrainingRun(ctx, up, 1, nil))
	if err := s.UpdateTrainingRun(ctx, up, 1, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale update: got %v, want ErrConflict", err)
	}
	missing := up
	missing.ID = "nope"
	if err := s.UpdateTrainingRun(ctx, missing, 1, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing run: got %v, want ErrNotFound", err)
	}
	if g := must(s.GetTrainingRun(ctx, "tr1")); g.Phase != "find" || string(g.State) != `{"seq":2}` || !g.UpdatedAt.Equal(at.Add(time.Minute)) {
		t.Errorf("after update: %+v", g)
	}

	// Completing records evidence once per run and team, atomically.
	done := at.Add(45 * time.Minute)
	up.Seq, up.Phase, up.CompletedAt = 3, "done", done
	ev := []store.TrainingEvidence{
		{TeamID: "payments", ExerciseID: "food-delivery", Participants: 3, CompletedAt: done},
		{TeamID: "growth", ExerciseID: "food-delivery", Participants: 1, CompletedAt: done},
	}
	if err := s.UpdateTrainingRun(ctx, up, 1, ev); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale completion: got %v", err)
	}
	if n := len(must(s.ListTrainingEvidence(ctx, ""))); n != 0 {
		t.Errorf("a refused completion left %d evidence rows", n)
	}
	must(0, s.UpdateTrainingRun(ctx, up, 2, ev))
	up.Seq = 4
	ev[0].Participants = 99
	must(0, s.UpdateTrainingRun(ctx, up, 3, ev[:1]))
	want := []store.TrainingEvidence{{TeamID: "payments", ExerciseID: "food-delivery", RunID: "tr1", Participants: 3, CompletedAt: done}}
	if diff := cmp.Diff(want, must(s.ListTrainingEvidence(ctx, "payments"))); diff != "" {
		t.Errorf("evidence of payments -want +got\n%s", diff)
	}
	if n := len(must(s.ListTrainingEvidence(ctx, ""))); n != 2 {
		t.Errorf("%d evidence rows in all, want 2", n)
	}
	if g := must(s.GetTrainingRun(ctx, "tr1")); !g.CompletedAt.Equal(done) {
		t.Errorf("completed_at %v", g.CompletedAt)
	}
}

// testTrainingRace: concurrent updates from the same base, one wins.
func testTrainingRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	must(0, s.CreateTrainingRun(ctx, store.TrainingRun{ID: "race", ExerciseID: "x", Title: "r", Phase: "read", Seq: 1, State: []byte(`{}`), CreatedAt: at}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflict := 0, 0
	for i := range 8 {
		wg.Go(func() {
			err := s.UpdateTrainingRun(ctx, store.TrainingRun{ID: "race", Seq: 2, State: []byte(`{}`), Phase: "find", Title: "r", UpdatedAt: at.Add(time.Duration(i) * time.Second)}, 1, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrConflict):
				conflict++
			default:
				t.Errorf("update: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || conflict != 7 {
		t.Errorf("%d updates won and %d conflicted, want 1 and 7", ok, conflict)
	}
}

func testTrainingExercises(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if xs := must(s.ListTrainingExercises(ctx)); len(xs) != 0 {
		t.Fatalf("a new store has %d exercises", len(xs))
	}
	if _, err := s.GetTrainingExercise(ctx, "tiny"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing exercise: %v", err)
	}
	must(0, s.PutTrainingExercise(ctx, store.TrainingExercise{ID: "tiny", Title: "Tiny", Source: []byte("v1"), CreatedBy: "user:a", CreatedAt: at, UpdatedAt: at}))
	must(0, s.PutTrainingExercise(ctx, store.TrainingExercise{ID: "atlas", Title: "Atlas", Source: []byte("a"), CreatedBy: "user:a", CreatedAt: at, UpdatedAt: at}))
	later := at.Add(time.Hour)
	must(0, s.PutTrainingExercise(ctx, store.TrainingExercise{ID: "tiny", Title: "Tiny 2", Source: []byte("v2"), CreatedBy: "user:b", CreatedAt: later, UpdatedAt: later}))
	want := store.TrainingExercise{ID: "tiny", Title: "Tiny 2", Source: []byte("v2"), CreatedBy: "user:a", CreatedAt: at, UpdatedAt: later}
	if diff := cmp.Diff(want, must(s.GetTrainingExercise(ctx, "tiny"))); diff != "" {
		t.Errorf("replaced exercise -want +got\n%s", diff)
	}
	xs := must(s.ListTrainingExercises(ctx))
	if len(xs) != 2 || xs[0].ID != "atlas" || xs[1].Title != "Tiny 2" || xs[1].Source != nil {
		t.Errorf("ListTrainingExercises: %+v", xs)
	}
}
