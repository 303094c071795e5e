-- +goose Up
-- A version's analysis is stored compressed with S2 (issue 13, server15).
-- The analysis is ≈ 256 KB of JSON for the shop example, ≈ 85 % of what a
-- version stored, and writing it (the WAL frames, then the checkpoint's
-- copy into the database file) was the largest part of a push's commit.
-- S2 stores it in ≈ 49 KB for ≈ 0.2 ms of CPU and reads it back in
-- ≈ 0.05 ms. A version stored from now on has result '' and result_s2 set;
-- older versions keep result and result_s2 NULL, and read as before. The
-- bytes the server stores and serves are unchanged.
ALTER TABLE versions ADD COLUMN result_s2 BLOB;

-- +goose Down
-- Versions stored with result_s2 lose their stored analysis (their result
-- is ''); this migration is not meant to be rolled back.
ALTER TABLE versions DROP COLUMN result_s2;
