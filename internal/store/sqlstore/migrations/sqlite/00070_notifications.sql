-- +goose Up
-- Notifications (issue 12 §5): an outbox of deliveries (one row per webhook
-- or email address, claimed under a lease by any ward serve process),
-- teams' webhooks (the signing secret sealed, never returned) and each
-- account's preferences.
CREATE TABLE notify_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  team_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX notify_outbox_key ON notify_outbox(dedup_key);
CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt_at);
CREATE INDEX notify_outbox_team ON notify_outbox(team_id, id);
CREATE TABLE notify_webhooks (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  kinds TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notify_webhooks_team ON notify_webhooks(team_id);
CREATE TABLE notify_prefs (
  user_id TEXT PRIMARY KEY,
  email INTEGER NOT NULL,
  kinds TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- +goose Down
-- Ward does not migrate down: restore a backup instead.
SELECT 1;
