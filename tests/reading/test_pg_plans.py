"""The reader's hot queries use indexes on PostgreSQL too, in the generic plan asyncpg ends with.

asyncpg prepares every statement, and after five executions PostgreSQL may switch a prepared
statement to its generic plan, made without the parameter values. The SQLite test
(`test_repository`) reads SQLite's plans only. This one forces the generic plan of every hot
query over tables shaped like a busy bot's (thousands of stories, a hundred thousand pages, two
hundred thousand progress rows) and fails on a sequential scan of a table that grows with them.
It needs PostgreSQL (`TEST_DATABASE_URL`); CI's PostgreSQL run provides it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.reading import queries
from bot.storage import Database
from bot.storage.pg_sql import translate
from tests.reading.hot_queries import hot_queries

GUILD, READER = 10, 100
STORIES, CHAPTERS_PER_STORY, PAGES_PER_CHAPTER = 2_000, 10, 5
READERS, STORIES_PER_READER = 20_000, 10
# Tables that grow with stories and readers. Scanning a table of a few pages (the stories with
# early access: one in twenty here) is what PostgreSQL should do, and costs the same at any size.
BIG_TABLES = {"stories", "chapters", "pages", "progress", "read_events", "chapter_reads"}

# Ids are given explicitly so that story 1, chapter 1 and READER's rows exist whatever the
# identity sequences say after the previous test emptied the tables.
_SEED = [
    f"INSERT INTO stories (id, guild_id, owner_id, title, source_format, created_at, updated_at)"
    f" SELECT n, {GUILD} + n % 50, 1, 'Story ' || n, 'txt', 0, 0"
    f" FROM generate_series(1, {STORIES}) n",
    f"INSERT INTO chapters (id, story_id, number, body, released_at)"
    f" SELECT (s - 1) * {CHAPTERS_PER_STORY} + c, s, c, '[]', 0"
    f" FROM generate_series(1, {STORIES}) s, generate_series(1, {CHAPTERS_PER_STORY}) c",
    f"INSERT INTO pages (chapter_id, number, content, message_id, channel_id, posted_at)"
    f" SELECT ch, p, 'text', ch * 100 + p, 1, 0"
    f" FROM generate_series(1, {STORIES * CHAPTERS_PER_STORY}) ch,"
    f" generate_series(1, {PAGES_PER_CHAPTER}) p",
    f"INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    f" furthest_chapter, furthest_page, started_at, last_read_at)"
    f" SELECT u, 1 + (u * 7 + k * 13) % {STORIES}, {GUILD}, 1, 1, 1, 1, 0, u + k"
    f" FROM generate_series({READER}, {READER + READERS - 1}) u,"
    f" generate_series(0, {STORIES_PER_READER - 1}) k ON CONFLICT DO NOTHING",
    f"INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    f" furthest_chapter, furthest_page, started_at, last_read_at)"
    f" VALUES ({READER}, 1, {GUILD}, 1, 1, 1, 1, 0, 0) ON CONFLICT DO NOTHING",
    "INSERT INTO read_events (guild_id, user_id, story_id, chapter_id, page_id, at)"
    f" SELECT {GUILD}, u, 1 + u % {STORIES}, 1 + u % {STORIES * CHAPTERS_PER_STORY}, NULL, u"
    f" FROM generate_series(1, 100000) u",
    "INSERT INTO chapter_reads (user_id, chapter_id, story_id, guild_id, read_at)"
    f" SELECT u, 1 + u % {STORIES * CHAPTERS_PER_STORY}, 1, {GUILD}, u"
    " FROM generate_series(1, 100000) u",
    "INSERT INTO story_early_access (story_id, role_id, hours)"
    f" SELECT n * 20, 5, 24 FROM generate_series(1, {STORIES // 20}) n",
    "ANALYZE",
]


@pytest.fixture
def postgres_db(db: Database, on_postgres: bool) -> Database:
    """The test database, when the run is on PostgreSQL."""
    if not on_postgres:
        pytest.skip("reads PostgreSQL's plans: set TEST_DATABASE_URL (CI's PostgreSQL run does)")
    return db


def scanned_tables(plan: dict[str, Any]) -> Iterator[str]:
    """The relations a plan (and its subplans) reads with a sequential scan."""
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from scanned_tables(child)


async def generic_plan(db: Database, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The plan PostgreSQL uses for `sql` once it stops planning for each call's values."""
    text, names, _ = translate(sql)
    values = ", ".join(str(int(params[name])) for name in names)
    async with db.transaction() as tx:
        await tx.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await tx.execute(f"PREPARE hot AS {text}")
        row = await tx.fetch_one(f"EXPLAIN (FORMAT JSON) EXECUTE hot({values})")
        await tx.execute("DEALLOCATE hot")
    assert row is not None
    explained = row[0]
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


async def test_reader_queries_never_scan_a_big_table_in_the_generic_plan(
    postgres_db: Database,
) -> None:
    async with postgres_db.transaction() as tx:
        for statement in _SEED:
            await tx.execute(statement)
    checked = {}
    for name, params in hot_queries(GUILD, READER).items():
        plan = await generic_plan(postgres_db, getattr(queries, name), params)
        checked[name] = sorted(set(scanned_tables(plan)) & BIG_TABLES)
    assert len(checked) >= 14
    assert {name: tables for name, tables in checked.items() if tables} == {}
