-- 0021_qa: 问答广场, questions about a development or a city and their
-- answers, one of which the asker may accept; staff take either down with
-- a reason its author sees.
CREATE TABLE questions (
    id BIGINT PRIMARY KEY,
    author_id BIGINT NOT NULL,
    development_id BIGINT,
    city TEXT,
    text TEXT NOT NULL,
    accepted_answer_id BIGINT,
    status TEXT NOT NULL,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX questions_development ON questions (development_id, created_at, id);
CREATE INDEX questions_city ON questions (city, created_at, id);
CREATE INDEX questions_author ON questions (author_id, created_at);
CREATE TABLE answers (
    id BIGINT PRIMARY KEY,
    question_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    professional INTEGER NOT NULL,
    status TEXT NOT NULL,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX answers_question ON answers (question_id, created_at, id);
CREATE INDEX answers_author ON answers (author_id, created_at);
