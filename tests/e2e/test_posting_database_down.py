"""Posting while the database does not answer: a release that falls due meanwhile, or that is
half-way posted when it stops answering, goes out once it answers again, every page once and in
order, without a restart of the bot. (Before, the schedule's timer was lost, and a release
stopped half-way waited for the next start.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator, InteractionResult
from tests.e2e.conftest import BotRunner
from tests.e2e.outage_helpers import DatabaseProxy, file_write_locked
from tests.e2e.publishing_helpers import (
    bot_posts,
    finished,
    page_text,
    upload_story,
    wait_releases_done,
)
from tests.e2e.release_helpers import tale_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.emulator(time_scale=10.0)]

LEASE_S = 2  # a release left half-way is resumed this long after its last page at most
TIMEOUT_S = 2  # DATABASE_TIMEOUT: a statement the server never answers fails this late


@pytest.fixture
async def proxy(database_url: str, on_postgres: bool) -> AsyncIterator[DatabaseProxy]:
    """A proxy the bot reaches PostgreSQL through (skips on a SQLite run); tests ask for it
    first, so that the bot stops before it closes."""
    if not on_postgres:
        pytest.skip("cuts a PostgreSQL connection: set TEST_DATABASE_URL (CI's PostgreSQL run)")
    running = await DatabaseProxy.before(database_url)
    yield running
    await running.close()


async def restarted(runner: BotRunner, settings: Settings) -> ChapterBot:
    """The bot again, with `settings` and short release leases."""
    await runner.stop()
    runner.settings = replace(settings, release_lease_seconds=LEASE_S)
    return await runner.start()


@pytest.fixture
async def proxied_bot(proxy: DatabaseProxy, bot_runner: BotRunner) -> ChapterBot:
    """The bot again, reaching PostgreSQL through the proxy (set up first, so closed last)."""
    settings = bot_runner.settings
    url = proxy.url(settings.database_url)
    return await restarted(
        bot_runner, replace(settings, database_url=url, database_timeout=TIMEOUT_S)
    )


def hold_the_third_page(emulator: DiscordEmulator, channel_id: int) -> None:
    """Two pages go out at once; Discord then takes a second over creating the third."""
    page_posts = rf"/channels/{channel_id}/messages"
    emulator.faults.delay(method="POST", path=page_posts, seconds=0, times=2)
    emulator.faults.delay(method="POST", path=page_posts, seconds=1.0, times=1)


async def publish_two_chapters_until_the_third_page(
    emulator: DiscordEmulator, bot: ChapterBot
) -> tuple[int, InteractionResult]:
    """`/publish` two chapters of a new story; return once two pages are out and the third is
    on its way (the database then stops answering in the tests)."""
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "t.txt", tale_bytes(2, 1600), channel=general)
    hold_the_third_page(emulator, general.id)
    publishing = await emulator.slash(alice, "publish", story=str(story.id), chapters=2)
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 2, timeout=10.0)
    await asyncio.sleep(0.3)
    return story.id, publishing


async def all_released_once(emulator: DiscordEmulator, bot: ChapterBot, story_id: int) -> None:
    """Every chapter of the story goes out, each page once and in order (the third page, which
    Discord created meanwhile, adopted rather than sent again)."""
    await wait_releases_done(bot, story_id, timeout=30.0)
    await pages_posted_once(emulator, bot, story_id)
    assert all(c.released_at for c in await StoryRepository(bot.database).chapters(story_id))


async def pages_posted_once(emulator: DiscordEmulator, bot: ChapterBot, story_id: int) -> None:
    """Every page of the story's released chapters is in the channel once, in order."""
    stories = StoryRepository(bot.database)
    expected: list[str] = []
    for chapter in await stories.chapters(story_id):
        pages = await stories.pages(chapter.id)
        if any(p.posted for p in pages):
            assert all(p.posted for p in pages), f"chapter {chapter.number} half posted"
            expected += [p.content for p in pages]
    assert expected, "nothing was posted"
    assert [page_text(m) for m in bot_posts(emulator, emulator.channel("general"))] == expected


async def test_a_release_due_while_postgresql_is_down_goes_out_once_it_is_back(
    proxy: DatabaseProxy, emulator: DiscordEmulator, proxied_bot: ChapterBot
) -> None:
    bot = proxied_bot
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "t.txt", tale_bytes(2, 400), channel=general)
    scheduled = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 2 seconds"
    )
    assert "error" not in (scheduled.content or "").lower(), scheduled.content

    await proxy.cut()
    await asyncio.sleep(3.5)  # the run falls due and finds no database
    assert bot_posts(emulator, general) == []
    await proxy.restore()

    await wait_releases_done(bot, story.id, timeout=30.0)  # the run is tried again
    await pages_posted_once(emulator, bot, story.id)
    (first, second) = await StoryRepository(bot.database).chapters(story.id)
    assert first.released_at is not None and second.released_at is None


async def test_a_release_cut_off_half_way_by_postgresql_finishes_once_it_is_back(
    proxy: DatabaseProxy, emulator: DiscordEmulator, proxied_bot: ChapterBot
) -> None:
    bot = proxied_bot
    story_id, publishing = await publish_two_chapters_until_the_third_page(emulator, bot)
    await proxy.cut()

    said = await finished(publishing, timeout=20.0)
    assert "database is not answering" in said and "error id" not in said, said
    await asyncio.sleep(1.0)
    await proxy.restore()
    await all_released_once(emulator, bot, story_id)


async def test_a_release_stranded_by_a_server_gone_quiet_finishes_on_new_connections(
    proxy: DatabaseProxy, emulator: DiscordEmulator, proxied_bot: ChapterBot
) -> None:
    # The server vanishes without closing anything (a partition, a failover to another host):
    # the connections the bot holds never answer again; new ones reach a server that does.
    # Before DATABASE_TIMEOUT, the posting waited on its connection until TCP gave up.
    bot = proxied_bot
    story_id, publishing = await publish_two_chapters_until_the_third_page(emulator, bot)
    proxy.fail_over()

    said = await finished(publishing, timeout=20.0)
    assert "database is not answering" in said and "error id" not in said, said
    await all_released_once(emulator, bot, story_id)


@pytest.mark.sqlite_only(reason="another program locking a SQLite file")
async def test_a_release_cut_off_by_a_locked_file_finishes_once_it_is_free(
    emulator: DiscordEmulator, bot_runner: BotRunner, database_url: str
) -> None:
    bot = await restarted(bot_runner, bot_runner.settings)
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "t.txt", tale_bytes(1, 1600), channel=general)

    hold_the_third_page(emulator, general.id)
    publishing = await emulator.slash(alice, "publish", story=str(story.id))
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 2, timeout=10.0)
    # A backup tool's write lock, held past the bot's busy timeout while the third page's
    # message id waits to be stored.
    async with file_write_locked(database_url):
        said = await finished(publishing, timeout=20.0)
    assert "database is not answering" in said and "error id" not in said, said

    await wait_releases_done(bot, story.id, timeout=30.0)
    await pages_posted_once(emulator, bot, story.id)
