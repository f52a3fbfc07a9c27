-- 0010_push_sealed: push tokens are sealed under the user's data key, like
-- every other value that identifies a person, so that cancelling the
-- account shreds them in every copy of the database (a backup, the pages a
-- PostgreSQL delete leaves behind). SQL cannot seal the tokens stored in
-- clear until now: those registrations are dropped, and the apps register
-- again at their next start (PUT /v1/me/devices/{id}/push).
DROP TABLE push_tokens;
CREATE TABLE push_tokens (
    device_id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    vendor TEXT NOT NULL,
    token_enc BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_tokens_user ON push_tokens (user_id);
