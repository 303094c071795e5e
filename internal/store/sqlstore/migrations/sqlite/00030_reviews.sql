-- +goose Up
-- Design reviews (issue 8): requests and their history, approvals recorded
-- on systems, security engineers' weekly hours and the organisation's
-- review settings (triage policy, approval validity, estimates).
CREATE TABLE review_requests (
  id TEXT PRIMARY KEY,
  system_id TEXT NOT NULL,
  team_id TEXT NOT NULL REFERENCES teams(id),
  title TEXT NOT NULL,
  design_doc TEXT NOT NULL,
  answers TEXT NOT NULL,
  tier TEXT NOT NULL,
  score INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  policy TEXT NOT NULL,
  state TEXT NOT NULL,
  assignee TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  wanted_by BIGINT NOT NULL,
  due BIGINT NOT NULL,
  note TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX review_requests_state ON review_requests(state, score);
CREATE INDEX review_requests_system ON review_requests(system_id);
CREATE INDEX review_requests_team ON review_requests(team_id);
CREATE TABLE review_events (
  request_id TEXT NOT NULL REFERENCES review_requests(id),
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (request_id, seq)
);
CREATE TABLE review_approvals (
  system_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  team_id TEXT NOT NULL,
  request_id TEXT NOT NULL REFERENCES review_requests(id),
  version INTEGER NOT NULL,
  approved_by TEXT NOT NULL,
  approved_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  high_risks TEXT NOT NULL,
  PRIMARY KEY (system_id, seq)
);
CREATE INDEX review_approvals_team ON review_approvals(team_id);
CREATE TABLE review_capacity (
  week TEXT NOT NULL,
  engineer TEXT NOT NULL,
  hours DOUBLE PRECISION NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (week, engineer)
);
CREATE TABLE review_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
