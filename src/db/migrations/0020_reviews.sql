-- 0020_reviews: 楼盘点评, one per account per development: five scores
-- 1-5 (the overall one is computed when read, never stored), the text,
-- whether the author is a consultant (专家点评), and a staff takedown.
CREATE TABLE reviews (
    id BIGINT PRIMARY KEY,
    development_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    price INTEGER NOT NULL,
    location INTEGER NOT NULL,
    transport INTEGER NOT NULL,
    amenities INTEGER NOT NULL,
    environment INTEGER NOT NULL,
    text TEXT NOT NULL,
    professional INTEGER NOT NULL,
    status TEXT NOT NULL,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (development_id, author_id)
);
CREATE INDEX reviews_development ON reviews (development_id, status, created_at, id);
CREATE INDEX reviews_author ON reviews (author_id, updated_at);
