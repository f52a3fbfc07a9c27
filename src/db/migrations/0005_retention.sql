-- 0005_retention: retention, disclosures and policy versions (issue 4).
-- The outbox row names whose data it hands over, so the worker can record
-- the disclosure when the provider accepts it: the user, or for a sign-in
-- code before the account exists the phone's blind index (kept with the
-- disclosure until the account is created, then dropped).
ALTER TABLE outbox ADD COLUMN user_id BIGINT;
ALTER TABLE outbox ADD COLUMN subject_bidx BYTEA;
ALTER TABLE outbox ADD COLUMN categories TEXT;
ALTER TABLE disclosures ADD COLUMN subject_bidx BYTEA;
CREATE INDEX disclosures_subject ON disclosures (subject_bidx) WHERE subject_bidx IS NOT NULL;
-- what a version's text hashes (several versions may share one text) and a
-- hash of the map's categories, purposes and recipients: a version whose
-- fingerprint differs from the one before is a material change
ALTER TABLE policy_versions ADD COLUMN content_hash TEXT;
ALTER TABLE policy_versions ADD COLUMN fingerprint TEXT;
-- how many accounts an incident notice reached
ALTER TABLE incidents ADD COLUMN notified BIGINT NOT NULL DEFAULT 0;
CREATE INDEX security_events_at ON security_events (at);
CREATE INDEX consents_at ON consents (at);
CREATE INDEX disclosures_at ON disclosures (at);
-- location messages by sender: erased when the sender withdraws consent
CREATE INDEX messages_location ON messages (sender_id, created_at) WHERE kind = 'location';
