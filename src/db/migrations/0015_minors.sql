-- 0015_minors: a stated age range and a child's guardian (八, identity/).
-- guardian_block on the account: a child under 14 whose guardian has not
-- consented may use its rights only (read with every session).
ALTER TABLE users ADD COLUMN guardian_block BIGINT NOT NULL DEFAULT 0;
CREATE TABLE guardians (
    user_id BIGINT PRIMARY KEY,
    age_range TEXT NOT NULL,
    phone_enc BYTEA,
    consented_at BIGINT,
    updated_at BIGINT NOT NULL
);
