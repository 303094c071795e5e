-- +goose Up
CREATE TABLE live_sessions (
  id TEXT PRIMARY KEY,
  system_id TEXT NOT NULL REFERENCES systems(id),
  team_id TEXT NOT NULL,
  title TEXT NOT NULL,
  phase TEXT NOT NULL,
  seq BIGINT NOT NULL,
  state TEXT NOT NULL,
  guest_hash TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX live_sessions_system ON live_sessions(system_id, created_at);
CREATE INDEX live_sessions_guest ON live_sessions(guest_hash);
CREATE TABLE live_events (
  session_id TEXT NOT NULL REFERENCES live_sessions(id),
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  type TEXT NOT NULL,
  request_id TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)
);
CREATE UNIQUE INDEX live_events_request ON live_events(session_id, request_id);
CREATE TABLE live_guests (
  hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES live_sessions(id),
  member_id TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION live_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'a session''s event log is append-only'; END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER live_events_no_change BEFORE UPDATE OR DELETE ON live_events FOR EACH ROW EXECUTE FUNCTION live_events_append_only();
-- +goose StatementEnd

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
