-- +goose Up
-- Diffs between two stored versions, computed once (issue 10): versions
-- never change, so a diff never goes stale. engine names the analysis
-- that produced it; a new engine recomputes.
CREATE TABLE diff_cache (
  system_id TEXT NOT NULL REFERENCES systems(id),
  from_version INTEGER NOT NULL,
  to_version INTEGER NOT NULL,
  engine TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (system_id, from_version, to_version, engine)
);

-- +goose Down
SELECT 1;
