-- 0022_reports: users' reports of published content (a review, a question,
-- an answer) with their reason (sealed under the reporter's key, like a
-- complaint's text), one open report per reporter and target,
-- and the staff decision on it (dismissed, or the target taken down).
CREATE TABLE content_reports (
    id BIGINT PRIMARY KEY,
    reporter_id BIGINT NOT NULL,
    target TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    reason_enc BYTEA NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (reporter_id, target, target_id)
);
CREATE INDEX content_reports_status ON content_reports (status, created_at, id);
CREATE INDEX content_reports_reporter ON content_reports (reporter_id, created_at);
