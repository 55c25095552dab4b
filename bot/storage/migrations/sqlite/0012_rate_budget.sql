-- chapterbot schema, version 12: the token bucket that shard processes share to stay under
-- Discord's global limit (50 requests/s per bot token, across every connection). One row per
-- budget; `milli_tokens` are thousandths of a request, refilled from `updated_ms` on.
CREATE TABLE rate_budget (
    name         TEXT    PRIMARY KEY,
    milli_tokens INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
);
