-- +goose Up
-- On SQLite a team's findings list is answered from memory
-- (findingscache.go) for every team of up to 2,000 systems, so the three
-- wide indexes of 00090 served only larger teams' lists, yet every push
-- rewrote a system's findings rows in each of them (issue 13: in the load
-- benchmark, a third of storing a version went into their B-trees, with
-- string keys to compare on each insert). A larger team's list now reads
-- findings_team and sorts. PostgreSQL, whose lists are SQL, keeps them.
DROP INDEX findings_team_order;
DROP INDEX findings_team_system;
DROP INDEX findings_team_count;

-- +goose Down
CREATE INDEX findings_team_order ON findings(team_id, sev_rank DESC, score DESC, system_id, id);
CREATE INDEX findings_team_system ON findings(team_id, system_id, sev_rank DESC, id);
CREATE INDEX findings_team_count ON findings(team_id, sev_rank, status, owner, data_kinds, assets);
