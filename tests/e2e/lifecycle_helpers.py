"""Helpers for the server lifecycle e2e tests: seeding every table, scanning every table."""

from __future__ import annotations

from typing import Any

from bot.storage import Database
from bot.storage.copy import list_tables

# Rows for the tables the e2e flow does not reach on its own (reads, reactions, notes...),
# written the way the features write them: one per table, all about one guild's story.
_SEED = (
    "INSERT INTO guild_settings (guild_id, timezone) VALUES (:guild, 'Europe/Paris')",
    "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    " furthest_chapter, furthest_page, started_at, last_read_at)"
    " VALUES (:reader, :story, :guild, 1, 1, 1, 1, 1, 1)",
    "INSERT INTO read_events (guild_id, user_id, story_id, chapter_id, page_id, at)"
    " VALUES (:guild, :reader, :story, :chapter, NULL, 1)",
    "INSERT INTO chapter_reads (user_id, chapter_id, story_id, guild_id, read_at)"
    " VALUES (:reader, :chapter, :story, :guild, 1)",
    "INSERT INTO reactions (guild_id, story_id, chapter_id, page_id, message_id, user_id,"
    " emoji, added_at) VALUES (:guild, :story, :chapter, 1, 1, :reader, 'x', 1)",
    "INSERT INTO notes (guild_id, story_id, chapter_id, author_user_id, sender_hash,"
    " anonymous, text, created_at) VALUES (:guild, :story, :chapter, :reader, 'h', 0,"
    " :text, 1)",
    "INSERT INTO story_feedback (story_id, digest_frequency) VALUES (:story, 'daily')",
)


async def seed_reader_rows(
    db: Database, *, guild: int, story: int, chapter: int, reader: int, text: str
) -> None:
    """Write one row of each reader and feedback table for `reader` reading `story`."""
    params = {
        "guild": guild,
        "story": story,
        "chapter": chapter,
        "reader": reader,
        "text": text,
    }
    async with db.transaction() as tx:
        for sql in _SEED:
            await tx.execute(sql, params)


async def tables(db: Database) -> list[str]:
    """Every table of the schema, on either backend (its own bookkeeping left out)."""
    return sorted(await list_tables(db))


async def leftovers(db: Database, ids: set[int], texts: list[str]) -> list[tuple[str, Any]]:
    """Every (table, row) of every table holding one of `ids` or containing one of `texts`.

    Ids are matched as integer values and inside text (JSON payloads, log details).
    """
    found: list[tuple[str, Any]] = []
    needles = [*texts, *(str(i) for i in ids)]
    for table in await tables(db):
        for row in await db.fetch_all(f"SELECT * FROM {table}"):
            values = tuple(row)
            hit = any(isinstance(v, int) and v in ids for v in values) or any(
                isinstance(v, str) and any(n in v for n in needles) for v in values
            )
            if hit:
                found.append((table, values))
    return found


async def count(db: Database, table: str, where: str = "1 = 1", **params: Any) -> int:
    """How many rows of `table` match `where`."""
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE {where}", params))
