"""PostgreSQL ends the bot's connections (a server restart, a failover, an idle timeout in
between): readers notice nothing. Their next `/next` answers with the next page, not an error,
and their reads are still recorded."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.client import ChapterBot
from bot.reading.repository import ProgressRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.release_helpers import release_chapter, store_story, tale_bytes
from tests.e2e.test_reader import footer

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]


async def end_other_connections(url: str) -> int:
    """Terminate every other session of the database, as a server restart would."""
    conn = await asyncpg.connect(url)
    try:
        ended = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return sum(1 for row in ended if row[0])
    finally:
        await conn.close()


async def test_readers_go_on_after_postgresql_ends_the_bots_connections(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip("ends PostgreSQL sessions: set TEST_DATABASE_URL (CI's PostgreSQL run does)")
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(1, 1600), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, general.id)
    first = await emulator.slash(bob, "next", story=str(story.id))
    assert first.message is not None and footer(first.message).startswith("Chapter 1/1 · page 1/")

    assert await end_other_connections(database_url) >= 1
    await asyncio.sleep(0.2)  # asyncpg hears of it
    for page in (2, 3, 4):
        shown = await emulator.slash(bob, "next")
        assert shown.message is not None and "went wrong" not in (shown.content or ""), (
            shown.content
        )
        assert footer(shown.message).startswith(f"Chapter 1/1 · page {page}/")

    await chapterbot.services.reading.flush()
    progress = await ProgressRepository(chapterbot.database).position(bob.id, story.id)
    assert progress is not None and (progress.chapter_number, progress.page_number) == (1, 4)
