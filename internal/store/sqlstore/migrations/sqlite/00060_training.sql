-- +goose Up
-- Training runs (package training): one row per run, its state as JSON,
-- updated by compare-and-set on seq.
CREATE TABLE training_runs (
  id TEXT PRIMARY KEY,
  exercise_id TEXT NOT NULL,
  title TEXT NOT NULL,
  -- the exercise's YAML as the run opened it: a run keeps its exercise
  -- when the exercise is edited later
  exercise_source TEXT NOT NULL,
  phase TEXT NOT NULL,
  seq BIGINT NOT NULL,
  state TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT NOT NULL
);
CREATE INDEX training_runs_created ON training_runs(created_at);
-- Exercises instructors wrote (the built-in ones are in the binary).
CREATE TABLE training_exercises (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  source TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Training evidence: a team's participants completed an exercise in a run.
-- Read by the programme's maturity rules (Training -> Observation).
CREATE TABLE training_evidence (
  team_id TEXT NOT NULL,
  exercise_id TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES training_runs(id),
  participants INTEGER NOT NULL,
  completed_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, team_id)
);
CREATE INDEX training_evidence_team ON training_evidence(team_id, completed_at);

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
