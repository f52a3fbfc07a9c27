-- 0012_catalog: the developments (楼盘) catalogue (catalog/). No personal
-- data: a development and its layouts are public facts. Its canonical
-- JSON (what GET returns) is in development_docs; a developments row holds
-- the list item made from it when it is written (`summary`: a search page
-- copies text and parses none) and its keys for filters and sorting, so
-- that a search reads small rows. Sort keys put 待定 (unknown) last: price_key and
-- opening_key hold 9000000000000000 when the value is not known.
CREATE TABLE developments (
    id BIGINT PRIMARY KEY,
    ext_id TEXT UNIQUE,
    retired_at BIGINT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    sale_bit BIGINT NOT NULL,
    price_avg BIGINT,
    price_key BIGINT NOT NULL,
    area_min BIGINT,
    area_max BIGINT,
    rooms_mask BIGINT NOT NULL,
    opening_key BIGINT NOT NULL,
    lat_e6 BIGINT,
    lng_e6 BIGINT,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE development_docs (
    id BIGINT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE INDEX developments_city_price ON developments (city, price_key, id);
CREATE INDEX developments_city_opening ON developments (city, opening_key, id);
CREATE INDEX developments_price ON developments (price_key, id);
CREATE INDEX developments_opening ON developments (opening_key, id);
CREATE INDEX developments_lat ON developments (lat_e6);
-- the search index: every character and every pair of adjacent characters
-- of the name, the alias and the pinyin initials (lower case)
CREATE TABLE development_terms (
    term TEXT NOT NULL,
    development_id BIGINT NOT NULL,
    PRIMARY KEY (term, development_id)
);
CREATE INDEX development_terms_dev ON development_terms (development_id);
-- how many developments hold each term: a search looks its text up by the
-- rarest of its terms
CREATE TABLE development_term_stats (
    term TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
