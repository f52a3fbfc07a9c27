-- 0016_catalog_images: the pictures of the catalogue (floor plans, albums):
-- public, no personal data, kept once per content (sha256).
CREATE TABLE catalog_images (
    id BIGINT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
