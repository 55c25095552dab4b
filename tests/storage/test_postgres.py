"""The PostgreSQL backend: migrations reach the SQLite schema; the copy round trip keeps rows.

These need a PostgreSQL server (`TEST_DATABASE_URL`); CI's PostgreSQL run provides one.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import asyncpg

from bot.reading.repository import ProgressRepository
from bot.storage import (
    Database,
    apply_migrations,
    current_version,
    known_version,
    open_database,
)
from bot.storage.copy import copy_database, list_tables
from bot.stories.repository import StoryRepository

GUILD, READER = 10, 100
Schema = tuple[dict[str, list[tuple[str, str, bool]]], set[tuple[Any, ...]]]


_LOWER = re.compile(r"^lower\((\w+)\)$")


def _type(declared: str) -> str:
    lowered = declared.lower()
    return "integer" if "int" in lowered else lowered


def sqlite_schema(path: Path) -> Schema:
    """Columns (name, type, not null) per table, and (table, columns, unique, partial) indexes."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        columns = {
            t: [
                (name, _type(kind), bool(notnull or pk))
                for _, name, kind, notnull, _, pk in conn.execute(f"PRAGMA table_info({t})")
            ]
            for t in tables
        }
        indexes = set()
        for t in tables:
            for _, name, unique, origin, partial in conn.execute(f"PRAGMA index_list({t})"):
                if origin == "pk":
                    continue
                cols = tuple(r[2] or "<expr>" for r in conn.execute(f"PRAGMA index_info({name})"))
                indexes.add((t, cols, bool(unique), bool(partial)))
    return columns, indexes


async def postgres_schema(url: str) -> Schema:
    """The same shape as `sqlite_schema`, from PostgreSQL's catalogs."""
    conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name <> 'chapterbot_schema'"
            " ORDER BY table_name, ordinal_position"
        )
        columns: dict[str, list[tuple[str, str, bool]]] = {}
        for r in rows:
            columns.setdefault(r[0], []).append((r[1], _type(r[2]), r[3] == "NO"))
        index_rows = await conn.fetch(
            "SELECT tc.relname, ix.indisunique, ix.indpred IS NOT NULL,"
            " array(SELECT pg_get_indexdef(ix.indexrelid, k, true)"
            "       FROM generate_series(1, ix.indnatts) k ORDER BY k)"
            " FROM pg_index ix JOIN pg_class tc ON tc.oid = ix.indrelid"
            " JOIN pg_namespace n ON n.oid = tc.relnamespace"
            " WHERE n.nspname = current_schema() AND NOT ix.indisprimary"
            " AND tc.relname <> 'chapterbot_schema'"
        )
    finally:
        await conn.close()
    # lower(col) is PostgreSQL's form of SQLite's `col COLLATE NOCASE`.
    indexes = {
        (t, tuple(_LOWER.sub(r"\1", c) for c in cols), unique, partial)
        for t, unique, partial, cols in index_rows
    }
    return columns, indexes


async def test_both_backends_migrate_to_the_same_schema(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "schema.db"
    async with await Database.open(path) as lite:
        await apply_migrations(lite)
    async with await Database.open(fresh_postgres_url) as pg:
        assert pg.backend == "postgres" and await current_version(pg) == 0
        assert await apply_migrations(pg) == list(range(1, known_version(backend="postgres") + 1))
        assert await apply_migrations(pg) == []
        assert known_version(backend="postgres") == known_version(backend="sqlite")
    lite_columns, lite_indexes = sqlite_schema(path)
    pg_columns, pg_indexes = await postgres_schema(fresh_postgres_url)
    assert sorted(pg_columns) == sorted(lite_columns)
    for table, columns in lite_columns.items():
        assert sorted(pg_columns[table]) == sorted(columns), table
    assert pg_indexes == lite_indexes
    assert ("outbox", ("event_key", "subscriber"), True, False) in pg_indexes


async def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: sorted(tuple(r) for r in await db.fetch_all(f'SELECT * FROM "{t}"'))
        for t in await list_tables(db)
    }


async def test_copy_round_trip_keeps_every_row_and_a_readers_progress(
    fresh_postgres_url: str, tmp_path: Path, make_story, make_pages
) -> None:
    async with await Database.open(tmp_path / "a.db") as first:
        await apply_migrations(first)
        stories = StoryRepository(first)
        story = await stories.create_story(
            GUILD, 1, make_story(chapters=2), make_pages(make_story(chapters=2), 2)
        )
        chapter = await stories.chapter(story.id, 1)
        assert chapter is not None
        for page in await stories.pages(chapter.id):
            await stories.mark_page_posted(page.id, 555, 9_000 + page.id, 1)
        progress = ProgressRepository(first)
        page = await progress.page_at(story.id, 1, 2)
        assert page is not None
        await progress.record_read(GUILD, READER, page)
        original = await _dump(first)
        async with await Database.open(fresh_postgres_url) as pg:
            counts = await copy_database(first, pg)
            assert {c.table: c.target for c in counts}["pages"] == 4
            assert await _dump(pg) == original
            # The planner has statistics at once (no waiting for autovacuum after a bulk load).
            analyzed = await pg.fetch_value(
                "SELECT count(*) FROM pg_stat_user_tables"
                " WHERE relname IN ('progress', 'pages') AND last_analyze IS NOT NULL"
            )
            assert analyzed == 2
            # The identities moved past the copied ids: a new story gets a new id.
            again = await StoryRepository(pg).create_story(
                GUILD, 1, make_story(title="Next"), make_pages(make_story(title="Next"))
            )
            assert again.id > story.id
            async with await Database.open(tmp_path / "b.db") as back:
                await copy_database(pg, back)
                copied = await _dump(back)
    assert {
        t: rows
        for t, rows in copied.items()
        if t not in ("stories", "chapters", "pages", "story_authors")
    } == {
        t: rows
        for t, rows in original.items()
        if t not in ("stories", "chapters", "pages", "story_authors")
    }
    assert set(original["stories"]) < set(copied["stories"])
    async with await Database.open(tmp_path / "b.db") as back:
        kept = await ProgressRepository(back).get(READER, story.id)
    assert kept is not None and (kept.chapter_number, kept.page_number) == (1, 2)


async def test_copy_refuses_a_target_with_data_in_one_line_and_nothing_else(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "s.db", tmp_path / "t.db"
    for path in (source, target):
        async with await open_database(path) as db, db.transaction() as tx:
            await tx.execute("INSERT INTO user_settings (user_id, timezone) VALUES (1, 'UTC')")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            str(tmp_path / "none"),
            "db",
            "copy",
            str(source),
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "DATABASE_URL": str(source),
        },
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "already holds data" in done.stderr


async def test_a_pooled_query_costs_one_statement_not_a_session_reset(
    fresh_postgres_url: str,
) -> None:
    async with await Database.open(fresh_postgres_url, pool_size=1) as db:
        pool = db._pool  # type: ignore[attr-defined]  # the one pooled connection, to watch it
        sent: list[str] = []
        async with pool.acquire() as conn:
            conn.add_query_logger(lambda record: sent.append(record.query))
        assert await db.fetch_value("SELECT 40 + :n", {"n": 2}) == 42
        await db.write_batch([("SELECT 1", {})])
        # asyncpg's default reset would add `SELECT pg_advisory_unlock_all(); ... RESET ALL;`
        # after each; chapterbot keeps no session state, so releasing sends nothing.
        assert not [q for q in sent if "RESET ALL" in q or "unlock_all" in q], sent
        assert any("40 +" in q for q in sent), sent
