"""SIGTERM while posting: the page in flight is finished and stored, the process exits 0, and the
next start resumes the chapter where it stopped (the real `chapterbot run` process)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.storage import open_database
from testkit import dbcheck
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

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.emulator(time_scale=10.0)]

IN_FLIGHT_S = 1.5  # the emulator holds one page's create this long; SIGTERM lands meanwhile


async def test_sigterm_finishes_the_page_in_flight_exits_0_and_the_next_start_resumes(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    await (await open_database(tmp_path / "bot.db")).close()
    worker = Worker(emulator, tmp_path, thirty_page_chapter())
    channel = emulator.create_channel("shutdown")
    chapter_id = await seed_trial(worker, channel)
    bot = await start_bot(worker)
    try:
        assert await wait_for(lambda: len(posted(worker, channel)) >= 6, 20)
        path = f"/channels/{channel.id}/messages"
        hold = emulator.faults.delay(method="POST", path=path, seconds=IN_FLIGHT_S, times=1)
        await emulator.wait_until(lambda: hold.used == 1, timeout=5)  # a page is in flight
        asked = time.monotonic()
        code = await bot.terminate(timeout=30)
        took = time.monotonic() - asked
    finally:
        await bot.ensure_dead()
    assert code == 0, bot.log
    assert "received SIGTERM" in bot.log and "Traceback" not in bot.log
    assert took >= IN_FLIGHT_S - 0.5, "it did not wait for the page in flight"

    pages, status = await stored(worker.database, chapter_id)
    sent = posted(worker, channel)
    done = [(content, mid) for content, mid in pages if mid is not None]
    assert sent == done, "every message sent has its id stored, and nothing else went out"
    assert 6 < len(done) < len(pages), "it stopped after the page in flight"
    assert status == "posting"  # resumable: the next start picks it up

    again = await start_bot(worker)
    try:

        async def done() -> bool:
            return (await stored(worker.database, chapter_id))[1] == "done"

        assert await dbcheck.until(done, timeout=30, what="the release resumed and done")
        assert await again.terminate(timeout=30) == 0
    finally:
        await again.ensure_dead()
    pages, _ = await stored(worker.database, chapter_id)
    assert posted(worker, channel) == pages
    assert "interrupted release(s) will resume" in again.log


async def test_sigterm_while_idle_exits_0_quickly(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    await (await open_database(tmp_path / "bot.db")).close()
    worker = Worker(emulator, tmp_path, thirty_page_chapter())
    bot = await start_bot(worker)
    try:
        asked = time.monotonic()
        assert await bot.terminate(timeout=15) == 0
        assert time.monotonic() - asked < 5
    finally:
        await bot.ensure_dead()
    await asyncio.sleep(0)
    assert "Traceback" not in bot.log
