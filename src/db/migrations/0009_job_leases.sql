-- 0009_job_leases: periodic jobs that must run on one process at a time
-- (the retention sweeper, call expiry) hold a lease row while they run.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
