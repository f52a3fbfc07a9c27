-- 0014_bindings: consultants bound to developments (绑定楼盘) and the
-- buyers attributed to them (客户归属), owned by binding/. The contact
-- phone and the business card and work badge photos are sealed under the
-- applicant's data key (places bindings.phone, bindings.card,
-- bindings.badge); the photos go once the application is decided.
CREATE TABLE bindings (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    development_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    is_main BIGINT NOT NULL,
    status TEXT NOT NULL,
    phone_enc BYTEA NOT NULL,
    card_enc BYTEA,
    badge_enc BYTEA,
    reason TEXT,
    decided_by TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    unbound_at BIGINT
);
CREATE INDEX bindings_user ON bindings (user_id, status);
CREATE INDEX bindings_development ON bindings (development_id, status);
CREATE INDEX bindings_status ON bindings (status, created_at);
-- one consultant per buyer per development, first touch wins; consultant
-- NULL: lapsed into the development's shared pool
CREATE TABLE attributions (
    id BIGINT PRIMARY KEY,
    development_id BIGINT NOT NULL,
    buyer_id BIGINT NOT NULL,
    consultant_id BIGINT,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    visit_until BIGINT NOT NULL,
    deal_until BIGINT NOT NULL,
    UNIQUE (development_id, buyer_id)
);
CREATE INDEX attributions_consultant ON attributions (consultant_id, visit_until);
CREATE INDEX attributions_buyer ON attributions (buyer_id);
