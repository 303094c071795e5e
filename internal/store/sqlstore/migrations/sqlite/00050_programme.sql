-- +goose Up
-- The self-serve programme (issue 12): outside findings with their catch
-- analysis, team phases with their history and proposals, reviewed models
-- (threats credited to who found them), programme activities and weekly
-- risk snapshots.
CREATE TABLE outside_batches (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  file TEXT NOT NULL,
  format TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE TABLE outside_findings (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  system_id TEXT NOT NULL,
  source TEXT NOT NULL,
  ref TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  found BIGINT NOT NULL,
  element TEXT NOT NULL,
  category TEXT NOT NULL,
  cwe TEXT NOT NULL,
  threat TEXT NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  catch TEXT NOT NULL,
  catch_threat TEXT NOT NULL,
  catch_why TEXT NOT NULL,
  batch TEXT NOT NULL REFERENCES outside_batches(id),
  imported_by TEXT NOT NULL,
  imported_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX outside_findings_ref ON outside_findings(source, system_id, ref) WHERE ref <> '';
CREATE INDEX outside_findings_team ON outside_findings(team_id, found);
CREATE INDEX outside_findings_batch ON outside_findings(batch);
CREATE TABLE team_phases (
  team_id TEXT PRIMARY KEY REFERENCES teams(id),
  phase TEXT NOT NULL,
  since BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE phase_events (
  team_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_phase TEXT NOT NULL,
  to_phase TEXT NOT NULL,
  note TEXT NOT NULL,
  proposal TEXT NOT NULL,
  PRIMARY KEY (team_id, seq)
);
CREATE TABLE phase_proposals (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  from_phase TEXT NOT NULL,
  to_phase TEXT NOT NULL,
  step_back BOOLEAN NOT NULL,
  state TEXT NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at BIGINT NOT NULL,
  note TEXT NOT NULL
);
CREATE UNIQUE INDEX phase_proposals_open ON phase_proposals(team_id) WHERE state = 'open';
CREATE TABLE reviewed_models (
  system_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  team_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  reviewed_at BIGINT NOT NULL,
  threats TEXT NOT NULL,
  PRIMARY KEY (system_id, version)
);
CREATE INDEX reviewed_models_team ON reviewed_models(team_id, reviewed_at);
CREATE TABLE programme_activities (
  team_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  label TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (team_id, kind, ref)
);
CREATE TABLE risk_snapshots (
  week TEXT NOT NULL,
  team_id TEXT NOT NULL,
  data TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (week, team_id)
);

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
