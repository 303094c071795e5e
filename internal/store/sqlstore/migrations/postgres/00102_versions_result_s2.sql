-- +goose Up
-- A version's analysis is stored compressed with S2 (issue 13, server15).
-- The analysis is ≈ 256 KB of JSON for the shop example, ≈ 85 % of what a
-- version stored; PostgreSQL compressed it itself (lz4, migration 00100)
-- in its own process. S2 stores it in ≈ 49 KB for ≈ 0.2 ms of the
-- server's CPU, sends a fifth of the bytes, and reads it back in
-- ≈ 0.05 ms. The column is stored out of line without compression
-- (EXTERNAL): compressing S2's output again would cost the database CPU
-- for nothing. A version stored from now on has result '' and result_s2
-- set; older versions keep result and result_s2 NULL, and read as before.
-- The bytes the server stores and serves are unchanged.
ALTER TABLE versions ADD COLUMN result_s2 BYTEA;
ALTER TABLE versions ALTER COLUMN result_s2 SET STORAGE EXTERNAL;

-- +goose Down
-- Versions stored with result_s2 lose their stored analysis (their result
-- is ''); this migration is not meant to be rolled back.
ALTER TABLE versions DROP COLUMN result_s2;
