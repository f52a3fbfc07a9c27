-- 0004_rights: privacy rights (issue 4). The policy a user accepted and
-- whether they withdrew it (read with the session, so the gate costs no
-- query), staff and their sessions, the hash-chained audit trail, rights
-- requests, disclosures to third parties, security incidents, approvals of
-- bulk exports, and a keyed hash of the network of sign-in addresses.

ALTER TABLE users ADD COLUMN policy_version TEXT;
ALTER TABLE users ADD COLUMN policy_withdrawn_at BIGINT;
UPDATE users SET policy_version = (
    SELECT version FROM consents
    WHERE consents.user_id = users.id AND scope = 'policy' AND granted = 1
    ORDER BY at DESC, id DESC LIMIT 1);

-- the network (/24, /48) of the address a security event came from, as a
-- keyed hash: enough to see "same network", never the address
ALTER TABLE security_events ADD COLUMN ip_net_hash BYTEA;

CREATE TABLE staff (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE staff_sessions (
    id BIGINT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    staff_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- Append-only; each row's mac covers its fields and the previous row's
-- mac (keyed: a rewrite of the whole chain needs the master key).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id BIGINT,
    categories TEXT,
    reason TEXT,
    detail TEXT,
    mac BYTEA NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, seq);

CREATE TABLE requests (
    id BIGINT PRIMARY KEY,
    user_id BIGINT,
    type TEXT NOT NULL,
    text_enc BYTEA,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT,
    answered_by BIGINT,
    answer_enc BYTEA,
    reason TEXT
);
CREATE INDEX requests_user ON requests (user_id, created_at);
CREATE INDEX requests_open ON requests (status, due_at);

-- Kept 3 years (law), restricted: read only by export and staff audit.
CREATE TABLE disclosures (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    categories TEXT NOT NULL,
    purpose TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX disclosures_user ON disclosures (user_id, at);

CREATE TABLE incidents (
    id BIGINT PRIMARY KEY,
    categories TEXT NOT NULL,
    cause TEXT NOT NULL,
    harm TEXT NOT NULL,
    remedies TEXT NOT NULL,
    user_actions TEXT NOT NULL,
    contact TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE approvals (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    requested_by BIGINT NOT NULL,
    approved_by BIGINT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
