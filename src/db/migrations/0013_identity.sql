-- 0013_identity: identity verification attempts (identity/), apart from
-- the account row. Name, ID number and the evidence (a face photo, or a
-- bank card with its reserved phone) are sealed under the user's data key
-- (places identities.name, identities.id_number, identities.evidence);
-- the evidence is erased when the check is done (or after a day), the
-- masked number and the result stay.
CREATE TABLE identities (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    name_enc BYTEA NOT NULL,
    id_enc BYTEA NOT NULL,
    id_masked TEXT NOT NULL,
    evidence_enc BYTEA,
    reason TEXT,
    created_at BIGINT NOT NULL,
    checked_at BIGINT
);
CREATE INDEX identities_user ON identities (user_id, created_at);
