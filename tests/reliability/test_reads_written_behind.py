"""Reads written behind, in the real `chapterbot run` process: a quick second `/next` continues
after the first (before any flush), and SIGTERM writes the buffered reads before exiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.storage import open_database
from testkit.crash_trials import Worker, posted, seed_trial, start_bot, thirty_page_chapter
from testkit.dbcheck import rows, until
from testkit.emulator import DiscordEmulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.emulator(time_scale=10.0),
]


async def reader_rows(database: str, user_id: int) -> tuple[tuple[int, int] | None, int]:
    """(bob's (chapter, page) in the progress table, his read-log rows), from the database."""
    user = {"user": user_id}
    at = await rows(
        database, "SELECT chapter_number, page_number FROM progress WHERE user_id = :user", user
    )
    events = await rows(database, "SELECT COUNT(*) FROM read_events WHERE user_id = :user", user)
    return (at[0] if at else None), int(events[0][0])


async def test_quick_next_continues_and_sigterm_writes_the_buffered_reads(
    emulator: DiscordEmulator, tmp_path: Path, database_url: str
) -> None:
    await (await open_database(database_url)).close()
    worker = Worker(emulator, tmp_path, thirty_page_chapter(), url=database_url)
    channel = emulator.create_channel("reading")
    chapter_id = await seed_trial(worker, channel)
    bob = emulator.user("bob")
    bot = await start_bot(worker)
    try:
        await until(release_done(database_url, chapter_id), timeout=30, what="the release done")
        pages = [content for content, _ in posted(worker, channel)]
        ((story_id,),) = await rows(database_url, "SELECT id FROM stories")
        shown = [(await emulator.slash(bob, "next", story=str(story_id))).content]
        # Straight after: the first read is only in memory, yet each /next continues from it.
        for _ in range(3):
            shown.append((await emulator.slash(bob, "next")).content)
        code = await bot.terminate(timeout=30)
    finally:
        await bot.ensure_dead()
    assert code == 0, bot.log
    assert "Traceback" not in bot.log
    assert shown == pages[:4]
    assert await reader_rows(database_url, bob.id) == ((1, 4), 4)


def release_done(database: str, chapter_id: int) -> Callable[[], Awaitable[bool]]:
    """A check: the chapter's release is done."""

    async def check() -> bool:
        found = await rows(
            database, "SELECT status FROM releases WHERE chapter_id = :c", {"c": chapter_id}
        )
        return bool(found) and found[0][0] == "done"

    return check
