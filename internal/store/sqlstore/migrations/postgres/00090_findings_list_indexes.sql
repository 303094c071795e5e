-- +goose Up
-- The findings list (issue 13, server load): a team's page is read in the
-- order it is listed, so LIMIT stops after the page instead of sorting
-- every finding of the team, and its total is counted from one covering
-- index whatever the filters (status, owner, data kind, asset), without
-- reading the table's rows. These replace findings_team_rank (00080),
-- whose prefix the counting index keeps.
CREATE INDEX findings_team_order ON findings(team_id, sev_rank DESC, score DESC, system_id, id);
CREATE INDEX findings_team_system ON findings(team_id, system_id, sev_rank DESC, id);
CREATE INDEX findings_team_count ON findings(team_id, sev_rank, status, owner, data_kinds, assets);
DROP INDEX findings_team_rank;

-- +goose Down
CREATE INDEX findings_team_rank ON findings(team_id, sev_rank, score, status);
DROP INDEX findings_team_count;
DROP INDEX findings_team_system;
DROP INDEX findings_team_order;
