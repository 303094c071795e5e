-- +goose Up
-- The findings list is queried per team (members and tokens see their own
-- team), filtered by minimum severity and status and ordered by severity
-- and score. This index answers the count from the index alone and reads
-- rows in nearly the listed order (issue 13: in a load run it took a team's
-- list from a scan of every team finding to a range of the index).
CREATE INDEX findings_team_rank ON findings(team_id, sev_rank, score, status);

-- +goose Down
DROP INDEX findings_team_rank;
