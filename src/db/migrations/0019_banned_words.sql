-- 0019_banned_words: the words nothing published may contain (domain.md
-- §7: 广告法 superlatives and the like), each with the phrases it may
-- stand in (allow: a JSON array). Admins edit the list; this is where it
-- starts.
CREATE TABLE banned_words (
    word TEXT PRIMARY KEY,
    allow TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO banned_words (word, allow, updated_at) VALUES
    ('最佳', '[]', 0), ('最好', '["最好的服务"]', 0), ('最高级', '[]', 0), ('最高档', '[]', 0),
    ('最先进', '[]', 0), ('最便宜', '[]', 0), ('最低价', '[]', 0), ('最优', '[]', 0),
    ('最新', '["最新动态","最新进展","最新消息","最新开盘信息"]', 0),
    ('第一', '["第一期","第一批","第一次","第一栋","第一排","第一手"]', 0),
    ('唯一', '[]', 0), ('独家', '[]', 0), ('首选', '[]', 0), ('首个', '[]', 0),
    ('顶级', '[]', 0), ('国家级', '[]', 0), ('世界级', '[]', 0), ('全国领先', '[]', 0),
    ('极品', '[]', 0), ('极致', '[]', 0), ('绝版', '[]', 0), ('万能', '[]', 0),
    ('史无前例', '[]', 0), ('前所未有', '[]', 0), ('稳赚', '[]', 0), ('保值增值', '[]', 0),
    ('零风险', '[]', 0), ('包升值', '[]', 0);
