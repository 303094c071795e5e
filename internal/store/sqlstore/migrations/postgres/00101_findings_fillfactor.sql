-- +goose Up
-- A version stored updates its system's findings rows in place
-- (upsertFindings): a finding raised again only gets the new version
-- number, which no index holds, so PostgreSQL can write the new row
-- version into the same page without touching an index (a heap-only tuple
-- update) — when the page has room. A fill factor of 70 keeps 30 % of
-- each new page free for those updates.
ALTER TABLE findings SET (fillfactor = 70);

-- +goose Down
ALTER TABLE findings RESET (fillfactor);
