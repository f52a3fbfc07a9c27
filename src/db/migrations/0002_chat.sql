-- 0002_chat: conversations, messages, media, the per-user event stream,
-- push registrations and calls. Chat content (message bodies, call
-- signals) is stored only sealed under a per-conversation key.

ALTER TABLE users ADD COLUMN push_preview INTEGER NOT NULL DEFAULT 0;
-- the head and the pruned floor of the user's event stream
ALTER TABLE users ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN event_floor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE conversations (
    id BIGINT PRIMARY KEY,
    user_lo BIGINT NOT NULL,
    user_hi BIGINT NOT NULL,
    key_wrapped BYTEA NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_lo, user_hi)
);

CREATE TABLE members (
    conversation_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    peer_id BIGINT NOT NULL,
    read_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
    id BIGINT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    sender_id BIGINT,
    client_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body_enc BYTEA,
    media_id BIGINT,
    created_at BIGINT NOT NULL,
    recalled_at BIGINT,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, sender_id, client_id)
);
CREATE INDEX messages_media ON messages (media_id);

CREATE TABLE events (
    user_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    conversation_id BIGINT,
    ref_id BIGINT,
    data TEXT,
    data_enc BYTEA,
    at BIGINT NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX events_at ON events (at);

CREATE TABLE media (
    id BIGINT PRIMARY KEY,
    owner_id BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    key_wrapped BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_owner ON media (owner_id);

CREATE TABLE push_tokens (
    device_id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    vendor TEXT NOT NULL,
    token TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_tokens_user ON push_tokens (user_id);

CREATE TABLE calls (
    conversation_id BIGINT NOT NULL,
    call_id TEXT NOT NULL,
    caller_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    PRIMARY KEY (conversation_id, call_id)
);
CREATE INDEX calls_state ON calls (state, created_at);
