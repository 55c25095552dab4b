"""`kill -9` while posting a 30-page chapter, 20 seeded trials: every page exactly once, in order.

The trials themselves live in `testkit/crash_trials.py` (shared with `bench/crash_trials.py`,
which runs 200 of them); on a PostgreSQL run each worker gets a database of its own on that
server. The harness itself is checked too: a bot that something else on the machine stops
mid-chapter is started again and the chapter still ends exactly once (on a busy machine that
once passed for 7 failed trials out of 200).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit import pgtest
from testkit.crash_trials import (
    PAGES,
    STRATEGIES,
    TrialResult,
    kill_bot,
    new_worker,
    posted,
    run_trials,
    seed_trial,
    start_bot,
    stored,
    thirty_page_chapter,
    wait_for,
    wait_until_done,
)
from tests.db_fixtures import server_url_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SEED = 8
TRIALS = 20
WORKERS = 5


@pytest.fixture
def worker_databases(request: pytest.FixtureRequest) -> Iterator[list[str] | None]:
    """On a PostgreSQL run, an empty database for each worker (the run's own is shared by
    the other tests); None on a SQLite run, where each worker has its own file."""
    server = server_url_for(request.config)
    if server is None:
        yield None
        return
    urls = [
        asyncio.run(pgtest.create_database(server, prefix="chapterbot_crash"))
        for _ in range(WORKERS)
    ]
    try:
        yield urls
    finally:
        for url in urls:
            asyncio.run(pgtest.drop_database(server, url))


@pytest.mark.timeout(300)
async def test_kill_9_at_random_moments_never_loses_or_repeats_a_page(
    tmp_path: Path, worker_databases: list[str] | None
) -> None:
    results, violations = await run_trials(
        TRIALS, seed=SEED, workdir=tmp_path, workers=WORKERS, urls=worker_databases
    )
    assert len(results) == TRIALS
    failed = [f"trial {r.trial} ({r.strategy}): {r.detail}" for r in results if not r.ok]
    assert failed == []
    assert violations == []
    # The kills really landed mid-chapter, in every way, some trials more than once.
    assert {r.strategy for r in results} == set(STRATEGIES)
    mid = [r for r in results if 0 < r.posted_at_first_kill < r.pages]
    assert len(mid) >= TRIALS // 2, [(r.trial, r.posted_at_first_kill) for r in results]
    assert all(r.pages == PAGES for r in results)
    assert any(r.kills > 1 for r in results)


@pytest.mark.timeout(120)
async def test_a_bot_stopped_from_outside_is_restarted_and_the_chapter_ends_exactly_once(
    tmp_path: Path,
) -> None:
    worker = await new_worker(tmp_path / "worker", thirty_page_chapter())
    result = TrialResult(0, "outside")
    try:
        channel = worker.emu.create_channel("outside")
        chapter_id = await seed_trial(worker, channel)
        bot = await start_bot(worker, result)
        assert await wait_for(lambda: len(posted(worker, channel)) >= 3, 30)
        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)  # not the trial's doing: the bot drains and exits
        await asyncio.wait_for(bot.proc.wait(), 30)
        assert (await stored(worker.database, chapter_id))[1] == "posting"

        assert await wait_until_done(worker, channel, chapter_id, result)
        await kill_bot(worker)
        pages, status = await stored(worker.database, chapter_id)
        assert status == "done" and len(pages) == PAGES
        assert posted(worker, channel) == pages
        assert result.outside_exits == 1
        assert "received SIGTERM" in worker.logs[0] and len(worker.logs) == 2
    finally:
        await kill_bot(worker)
        await worker.emu.stop()
