-- 0006_review: an approved bulk export is read once; a refused request's
-- reason is sealed like its answer; a code sent to a phone is good for
-- the one purpose it was sent for (sign-in, or the identity check).
ALTER TABLE approvals ADD COLUMN read_at BIGINT;
ALTER TABLE requests ADD COLUMN reason_enc BYTEA;
ALTER TABLE otp_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
