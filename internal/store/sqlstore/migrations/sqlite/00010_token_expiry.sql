-- +goose Up
-- Tokens expire (issue 10). Tokens made before this migration get 90 days
-- from their creation, but at least 14 days from now, so that an upgrade
-- does not cut off every CI job at once.
ALTER TABLE tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE tokens SET expires_at = MAX(created_at + 7776000000, CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 1209600000);
CREATE INDEX tokens_created_by ON tokens(created_by);
CREATE INDEX sessions_user ON sessions(user_id);

-- +goose Down
SELECT 1;
