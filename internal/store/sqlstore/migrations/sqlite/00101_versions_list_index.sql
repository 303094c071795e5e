-- +goose Up
-- On SQLite a row's columns are stored in order, so reading a version's
-- metadata (origin was added last, 00020) from the table walks the
-- overflow pages of its YAML and stored analysis (≈ 280 KB for a
-- mid-sized model). The history page and a push's search for its base
-- list versions without them; this covering index answers those lists
-- from the index alone (issue 13; BenchmarkListVersions). PostgreSQL keeps
-- large values out of line (TOAST) and does not need it.
CREATE INDEX versions_list ON versions(system_id, number DESC, sha256, author, message, created_at, origin);

-- +goose Down
DROP INDEX versions_list;
