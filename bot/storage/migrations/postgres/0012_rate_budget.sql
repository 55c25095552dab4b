-- chapterbot schema, version 12: the shared token bucket (see sqlite/0012_rate_budget.sql).
CREATE TABLE rate_budget (
    name         TEXT   PRIMARY KEY,
    milli_tokens BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL
);
