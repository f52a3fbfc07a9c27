-- 0007_audit_anchor: the audit trail is kept 3 years. Pruning its oldest
-- records leaves an anchor: the seq and MAC of the last record removed,
-- itself under a keyed MAC, so the chain still verifies from there and a
-- removal beyond the anchor still shows.
CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac BYTEA NOT NULL,
    before_at BIGINT NOT NULL,
    anchor_mac BYTEA NOT NULL
);
