package store

import (
	"context"
	"time"
)

// TrainingRun is a training run (package training): its latest state as
// JSON, updated by compare-and-set on Seq. CompletedAt is zero until the
// run is done.
type TrainingRun struct {
	ID         string
	ExerciseID string
	// ExerciseSource is the exercise's YAML as the run opened it (not
	// returned by ListTrainingRuns).
	ExerciseSource []byte
	Title          string
	Phase          string
	Seq            int64
	State          []byte
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    time.Time
}

// TrainingEvidence records that members of a team completed a training
// exercise in a run. The programme's maturity rules read it.
type TrainingEvidence struct {
	TeamID     string
	ExerciseID string
	RunID      string
	// Participants counts the team's members who took part.
	Participants int
	CompletedAt  time.Time
}

// TrainingExercise is an exercise an instructor wrote, as YAML (package
// training parses it).
type TrainingExercise struct {
	ID        string
	Title     string
	Source    []byte
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Training keeps training runs, the exercises instructors wrote and the
// evidence runs leave.
type Training interface {
	// PutTrainingExercise stores an exercise, replacing the one with the
	// same id (keeping its CreatedAt and CreatedBy).
	PutTrainingExercise(ctx context.Context, x TrainingExercise) error
	GetTrainingExercise(ctx context.Context, id string) (TrainingExercise, error)
	// ListTrainingExercises lists the stored exercises by id, without
	// their Source.
	ListTrainingExercises(ctx context.Context) ([]TrainingExercise, error)
	CreateTrainingRun(ctx context.Context, r TrainingRun) error
	GetTrainingRun(ctx context.Context, id string) (TrainingRun, error)
	// ListTrainingRuns lists runs, newest first, without their State.
	ListTrainingRuns(ctx context.Context, p Page) ([]TrainingRun, error)
	// UpdateTrainingRun stores r (Seq, State, Phase, CompletedAt) when the
	// stored run is at base: ErrConflict when it moved, ErrNotFound when
	// there is none. Evidence, when given, is recorded in the same
	// transaction (once per run and team: recording again keeps the first).
	UpdateTrainingRun(ctx context.Context, r TrainingRun, base int64, evidence []TrainingEvidence) error
	// ListTrainingEvidence lists a team's evidence ("" for every team),
	// newest first.
	ListTrainingEvidence(ctx context.Context, teamID string) ([]TrainingEvidence, error)
}
