-- +goose Up
-- Large values are compressed with lz4 instead of pglz (issue 13, server
-- load). A version stores its archive and its analysis (≈ 280 KB of JSON
-- for the shop example) and PostgreSQL compresses every value over 2 KB
-- before storing it out of line (TOAST). With pglz that cost the database
-- ≈ 15 ms of CPU a version, more than the server's whole push, and reading
-- a version back decompressed it again; lz4 does both several times
-- faster. Only values written from now on use it (older rows stay pglz and
-- read as before). A server built without lz4 (or a PostgreSQL older than
-- 14) keeps pglz: the change is skipped with a notice, not an error (the
-- statements are EXECUTEd so that an older server, which cannot parse
-- them, fails inside the block).
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE 'ALTER TABLE versions ALTER COLUMN result SET COMPRESSION lz4';
  EXECUTE 'ALTER TABLE versions ALTER COLUMN yaml SET COMPRESSION lz4';
  EXECUTE 'ALTER TABLE diff_cache ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN others THEN
  RAISE NOTICE 'ward: lz4 compression is not available (%), values stay compressed with pglz', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE 'ALTER TABLE versions ALTER COLUMN result SET COMPRESSION pglz';
  EXECUTE 'ALTER TABLE versions ALTER COLUMN yaml SET COMPRESSION pglz';
  EXECUTE 'ALTER TABLE diff_cache ALTER COLUMN body SET COMPRESSION pglz';
EXCEPTION WHEN others THEN
  NULL;
END $$;
-- +goose StatementEnd
