-- +goose Up
CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE systems (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  name TEXT NOT NULL,
  latest INTEGER NOT NULL DEFAULT 0,
  revision BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX systems_team ON systems(team_id);
CREATE TABLE versions (
  system_id TEXT NOT NULL REFERENCES systems(id),
  number INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  yaml TEXT NOT NULL,
  result TEXT NOT NULL,
  author TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (system_id, number)
);
CREATE TABLE findings (
  system_id TEXT NOT NULL REFERENCES systems(id),
  team_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  id TEXT NOT NULL,
  rule TEXT NOT NULL,
  category TEXT NOT NULL,
  severity TEXT NOT NULL,
  sev_rank INTEGER NOT NULL,
  score INTEGER NOT NULL,
  status TEXT NOT NULL,
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  assets TEXT NOT NULL,
  data_kinds TEXT NOT NULL,
  PRIMARY KEY (system_id, id)
);
CREATE INDEX findings_rank ON findings(sev_rank, status);
CREATE INDEX findings_team ON findings(team_id);
CREATE TABLE mitigations (
  system_id TEXT NOT NULL REFERENCES systems(id),
  team_id TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT NOT NULL,
  due TEXT NOT NULL,
  PRIMARY KEY (system_id, id)
);
CREATE TABLE assumptions (
  system_id TEXT NOT NULL REFERENCES systems(id),
  team_id TEXT NOT NULL,
  id TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (system_id, id)
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  team_id TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  disabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  team_id TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE TABLE audit (
  seq BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  detail TEXT NOT NULL
);
-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
-- +goose StatementEnd

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
