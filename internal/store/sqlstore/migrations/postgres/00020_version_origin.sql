-- +goose Up
-- origin: push (a client sent the model) or edit (a change made on the
-- server, e.g. a decision through the API). pushed: the client's files as
-- sent when the stored model differs from them (server changes merged in);
-- it is what the client had, the base of its next push.
ALTER TABLE versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'push';
ALTER TABLE versions ADD COLUMN pushed TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE versions DROP COLUMN pushed;
ALTER TABLE versions DROP COLUMN origin;
