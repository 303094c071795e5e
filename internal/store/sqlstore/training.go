package sqlstore

import (
	"context"
	"database/sql"

	"github.com/wardtm/ward/internal/store"
)

// Training runs: one row per run with its latest state as JSON; an update
// is a compare-and-set on seq, so that replicas sharing a database agree
// on one order of changes. Completing a run records the teams' training
// evidence in the same transaction.

const trainingCols = `SELECT id, exercise_id, exercise_source, title, phase, seq, state, created_by, created_at, updated_at, completed_at FROM training_runs`

func scanTraining(row interface{ Scan(...any) error }) (store.TrainingRun, error) {
	var x store.TrainingRun
	var state, source string
	var created, updated, completed int64
	if err := row.Scan(&x.ID, &x.ExerciseID, &source, &x.Title, &x.Phase, &x.Seq, &state, &x.CreatedBy, &created, &updated, &completed); err != nil {
		return x, mapErr(err)
	}
	x.State, x.ExerciseSource = []byte(state), []byte(source)
	if source == "" {
		x.ExerciseSource = nil
	}
	x.CreatedAt, x.UpdatedAt, x.CompletedAt = fromMS(created), fromMS(updated), fromMS(completed)
	return x, nil
}

// CreateTrainingRun stores a new run.
func (s *DB) CreateTrainingRun(ctx context.Context, r store.TrainingRun) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO training_runs (id, exercise_id, exercise_source, title, phase, seq, state, created_by, created_at, updated_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
		r.ID, r.ExerciseID, string(r.ExerciseSource), r.Title, r.Phase, r.Seq, string(r.State), r.CreatedBy, ms(r.CreatedAt), msOrZero(r.CompletedAt))
	return mapErr(err)
}

// GetTrainingRun returns a run.
func (s *DB) GetTrainingRun(ctx context.Context, id string) (store.TrainingRun, error) {
	return scanTraining(s.db.QueryRowContext(ctx, trainingCols+` WHERE id = $1`, id))
}

// ListTrainingRuns lists runs, newest first, without their state.
func (s *DB) ListTrainingRuns(ctx context.Context, p store.Page) ([]store.TrainingRun, error) {
	p = p.Normal()
	rows, err := s.db.QueryContext(ctx, `SELECT id, exercise_id, '', title, phase, seq, '', created_by, created_at, updated_at, completed_at
		FROM training_runs ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, p.Limit, p.Offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TrainingRun
	for rows.Next() {
		x, err := scanTraining(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// UpdateTrainingRun stores r when the stored run is at base, with the
// evidence of a completed run.
func (s *DB) UpdateTrainingRun(ctx context.Context, r store.TrainingRun, base int64, evidence []store.TrainingEvidence) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE training_runs SET seq = $1, state = $2, phase = $3, title = $4, updated_at = $5, completed_at = $6
			WHERE id = $7 AND seq = $8`, r.Seq, string(r.State), r.Phase, r.Title, ms(r.UpdatedAt), msOrZero(r.CompletedAt), r.ID, base)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := scanTraining(tx.QueryRowContext(ctx, trainingCols+` WHERE id = $1`, r.ID)); err != nil {
				return err
			}
			return store.ErrConflict
		}
		for _, e := range evidence {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_evidence (team_id, exercise_id, run_id, participants, completed_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, team_id) DO NOTHING`,
				e.TeamID, e.ExerciseID, r.ID, e.Participants, ms(e.CompletedAt)); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
}

// ListTrainingEvidence lists a team's training evidence, newest first.
func (s *DB) ListTrainingEvidence(ctx context.Context, teamID string) ([]store.TrainingEvidence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, exercise_id, run_id, participants, completed_at FROM training_evidence
		WHERE $1 = '' OR team_id = $1 ORDER BY completed_at DESC, run_id, team_id LIMIT 10000`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TrainingEvidence
	for rows.Next() {
		var e store.TrainingEvidence
		var at int64
		if err := rows.Scan(&e.TeamID, &e.ExerciseID, &e.RunID, &e.Participants, &at); err != nil {
			return nil, err
		}
		e.CompletedAt = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutTrainingExercise stores an exercise, replacing one with the same id.
func (s *DB) PutTrainingExercise(ctx context.Context, x store.TrainingExercise) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO training_exercises (id, title, source, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, source = excluded.source, updated_at = excluded.updated_at`,
		x.ID, x.Title, string(x.Source), x.CreatedBy, ms(x.CreatedAt), ms(x.UpdatedAt))
	return mapErr(err)
}

// GetTrainingExercise returns a stored exercise.
func (s *DB) GetTrainingExercise(ctx context.Context, id string) (store.TrainingExercise, error) {
	var x store.TrainingExercise
	var src string
	var created, updated int64
	err := s.db.QueryRowContext(ctx, `SELECT id, title, source, created_by, created_at, updated_at FROM training_exercises WHERE id = $1`, id).
		Scan(&x.ID, &x.Title, &src, &x.CreatedBy, &created, &updated)
	if err != nil {
		return x, mapErr(err)
	}
	x.Source, x.CreatedAt, x.UpdatedAt = []byte(src), fromMS(created), fromMS(updated)
	return x, nil
}

// ListTrainingExercises lists the stored exercises by id, without source.
func (s *DB) ListTrainingExercises(ctx context.Context) ([]store.TrainingExercise, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, created_by, created_at, updated_at FROM training_exercises ORDER BY id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TrainingExercise
	for rows.Next() {
		var x store.TrainingExercise
		var created, updated int64
		if err := rows.Scan(&x.ID, &x.Title, &x.CreatedBy, &created, &updated); err != nil {
			return nil, err
		}
		x.CreatedAt, x.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, x)
	}
	return out, rows.Err()
}
