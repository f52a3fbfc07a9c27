-- 0018_catalog_imports: each run of `wlk developments import`, for the
-- staff console's import status: its progress while it runs, its counts
-- and its first refused lines when done. No personal data (a catalogue).
CREATE TABLE catalog_imports (
    id BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    actor TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    status TEXT NOT NULL,
    bytes_total BIGINT NOT NULL,
    bytes_read BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    problems TEXT NOT NULL
);
CREATE INDEX catalog_imports_started ON catalog_imports (started_at);
