-- 0001_init: accounts, devices, sessions, sign-in codes, rate limits,
-- policy versions, the consent ledger, security events and the outbox.
-- Portable dialect: BIGINT ms times, BYTEA for sealed bytes, ids from the app.
-- Personal data is only ever stored sealed (*_enc) or as keyed hashes (*_bidx).

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    phone_bidx BYTEA NOT NULL UNIQUE,
    phone_enc BYTEA NOT NULL,
    dek_wrapped BYTEA NOT NULL,
    nickname_enc BYTEA,
    role TEXT NOT NULL DEFAULT 'customer',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE devices (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    client_bidx BYTEA NOT NULL,
    name_enc BYTEA,
    platform TEXT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    UNIQUE (user_id, client_bidx)
);

CREATE TABLE sessions (
    id BIGINT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    user_id BIGINT NOT NULL,
    device_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_device ON sessions (device_id);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE otp_codes (
    id BIGINT PRIMARY KEY,
    phone_bidx BYTEA NOT NULL,
    code_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX otp_codes_phone ON otp_codes (phone_bidx, created_at);

CREATE TABLE rate_hits (
    bucket BYTEA NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_hits_bucket ON rate_hits (bucket, at);

CREATE TABLE policy_versions (
    version TEXT PRIMARY KEY,
    published_at BIGINT NOT NULL,
    material INTEGER NOT NULL,
    note TEXT,
    doc TEXT NOT NULL
);

CREATE TABLE consents (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    scope TEXT NOT NULL,
    version TEXT NOT NULL,
    granted INTEGER NOT NULL,
    at BIGINT NOT NULL,
    device_id BIGINT
);
CREATE INDEX consents_user ON consents (user_id, scope, at);

CREATE TABLE security_events (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    device_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX security_events_user ON security_events (user_id, at);

CREATE TABLE outbox (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload BYTEA NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_at);
