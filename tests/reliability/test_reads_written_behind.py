"""Reads written behind, in the real `chapterbot run` process: a quick second `/next` continues
after the first (before any flush), and SIGTERM writes the buffered reads before exiting."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.storage import open_database
from testkit.crash_trials import (
    Worker,
    posted,
    seed_trial,
    start_bot,
    stored,
    thirty_page_chapter,
    wait_for,
)
from testkit.emulator import DiscordEmulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.emulator(time_scale=10.0),
    # The bot process and the checks read a SQLite file (testkit crash trials / botproc).
    pytest.mark.sqlite_only(reason="bot process and checks use a SQLite file"),
]


def reader_rows(database: Path, user_id: int) -> tuple[tuple[int, int] | None, int]:
    """(bob's (chapter, page) in the progress table, his read-log rows), straight from the file."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        conn.execute("PRAGMA busy_timeout = 5000")
        row = conn.execute(
            "SELECT chapter_number, page_number FROM progress WHERE user_id = ?", (user_id,)
        ).fetchone()
        events = conn.execute(
            "SELECT COUNT(*) FROM read_events WHERE user_id = ?", (user_id,)
        ).fetchone()[0]
    return (None if row is None else (row[0], row[1])), int(events)


async def test_quick_next_continues_and_sigterm_writes_the_buffered_reads(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    await (await open_database(tmp_path / "bot.db")).close()
    worker = Worker(emulator, tmp_path, thirty_page_chapter())
    channel = emulator.create_channel("reading")
    chapter_id = await seed_trial(worker, channel)
    bob = emulator.user("bob")
    bot = await start_bot(worker)
    try:
        assert await wait_for(lambda: stored(worker.database, chapter_id)[1] == "done", 30)
        pages = [content for content, _ in posted(worker, channel)]
        story_id = str(stored_story_id(worker.database))
        shown = [(await emulator.slash(bob, "next", story=story_id)).content]
        # Straight after: the first read is only in memory, yet each /next continues from it.
        for _ in range(3):
            shown.append((await emulator.slash(bob, "next")).content)
        code = await bot.terminate(timeout=30)
    finally:
        await bot.ensure_dead()
    assert code == 0, bot.log
    assert "Traceback" not in bot.log
    assert shown == pages[:4]
    assert reader_rows(worker.database, bob.id) == ((1, 4), 4)


def stored_story_id(database: Path) -> int:
    """The id of the only story in the file."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT id FROM stories").fetchone()[0])
