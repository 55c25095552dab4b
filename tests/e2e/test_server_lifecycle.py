"""The bot removed from a server, added back, or the server in an outage — end to end.

Contract (issue 17): GUILD_DELETE without `unavailable` stops the server's schedules at once
and purges its data after DATA_RETENTION_DAYS (0 = at once), unless GUILD_CREATE brings the
bot back first; `unavailable: true` changes nothing; the state survives restarts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.lifecycle.service import purge_job_id
from bot.publishing.schedules import ScheduleRepository
from bot.storage import open_database
from testkit.emulator import DiscordEmulator
from tests.e2e.conftest import BotRunner
from tests.e2e.lifecycle_helpers import count, leftovers, seed_reader_rows
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e

OTHER_GUILD, OTHER_READER = 424_242_424_242, 777_777_777_777


@pytest.fixture
def bot_settings(bot_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The e2e settings with the retention the test's `retention` marker asks for."""
    marker = request.node.get_closest_marker("retention")
    days = 30 if marker is None else marker.args[0]
    return replace(bot_settings, data_retention_days=days)


def schedule_jobs(bot: ChapterBot) -> list[str]:
    """The ids of the schedule timers armed in the bot's scheduler."""
    return [job.id for job in bot.scheduler.get_jobs() if job.id.startswith("schedule:")]


async def until(predicate: object, timeout: float = 10.0) -> None:
    """Poll an async predicate until it holds (or fail after `timeout`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def posted_and_scheduled(emulator: DiscordEmulator, bot: ChapterBot) -> int:
    """A three-chapter story in #general, chapter 1 posted, chapters 2-3 on a 1-hour schedule."""
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "three.md", THREE_CHAPTERS, channel=general)
    reply = await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    await reply.final(timeout=20.0)
    await wait_releases_done(bot, story.id)
    assert len(bot_posts(emulator, general)) == 1
    added = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 1 hour", repeat="every hour"
    )
    assert "Schedule #" in (added.content or ""), added.content
    assert schedule_jobs(bot)
    return story.id


async def seed_other_guild(bot: ChapterBot) -> None:
    """Another server's story and reader, which no purge of this server may touch."""
    async with bot.database.transaction() as tx:
        await tx.execute(
            "INSERT INTO stories (guild_id, owner_id, title, source_format, created_at,"
            " updated_at) VALUES (:g, :u, 'Elsewhere', 'markdown', 1, 1)",
            {"g": OTHER_GUILD, "u": OTHER_READER},
        )
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, timezone) VALUES (:g, 'UTC')",
            {"g": OTHER_GUILD},
        )


@pytest.mark.retention(0)
async def test_removal_with_no_retention_purges_every_row_of_the_server(
    emulator: DiscordEmulator,
    chapterbot: ChapterBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    story_id = await posted_and_scheduled(emulator, chapterbot)
    alice, bob, guild = emulator.user("alice"), emulator.user("bob"), emulator.guild
    chapter_id = await chapterbot.database.fetch_value(
        "SELECT id FROM chapters WHERE story_id = :s AND number = 1", {"s": story_id}
    )
    await seed_reader_rows(
        chapterbot.database,
        guild=guild.id,
        story=story_id,
        chapter=chapter_id,
        reader=bob.id,
        text="a private note about Dawn",
    )
    await seed_other_guild(chapterbot)
    db = chapterbot.database
    assert await count(db, "outbox") >= 1  # the release's deliveries, about this server
    assert await leftovers(db, {guild.id, alice.id, bob.id}, ["The first chapter"])

    caplog.set_level(logging.INFO, logger="bot.lifecycle")
    emulator.remove_bot(guild)
    await until(lambda: _no_rows(db, "stories", guild.id))

    assert schedule_jobs(chapterbot) == []
    ids, texts = {guild.id, alice.id, bob.id}, ["first chapter", "Three Small", "Dawn"]
    assert await leftovers(db, ids, texts) == []
    assert await count(db, "stories", "guild_id = :g", g=OTHER_GUILD) == 1
    assert await count(db, "guild_settings", "guild_id = :g", g=OTHER_GUILD) == 1
    (line,) = [r.getMessage() for r in caplog.records if "purged server" in r.getMessage()]
    assert f"purged server {guild.id}:" in line
    assert "stories=1" in line and "pages=3" in line and "chapters=3" in line, line
    assert "progress=1" in line and "notes=1" in line and "outbox=" in line, line


async def _no_rows(db: object, table: str, guild_id: int) -> bool:
    return await count(db, table, "guild_id = :g", g=guild_id) == 0  # type: ignore[arg-type]


async def test_removal_stops_schedules_survives_restart_and_readding_restores_all(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    story_id = await posted_and_scheduled(emulator, bot)
    guild, general = emulator.guild, emulator.channel("general")
    before = {t: await count(bot.database, t) for t in ("stories", "chapters", "pages")}

    emulator.remove_bot(guild)
    await until(lambda: _removed(bot, guild.id))
    assert schedule_jobs(bot) == []  # stopped at once
    assert bot.scheduler.get_job(purge_job_id(guild.id)) is not None  # in 30 days

    bot = await bot_runner.restart()  # the bot no longer hears of the server at connect
    assert schedule_jobs(bot) == []
    assert bot.scheduler.get_job(purge_job_id(guild.id)) is not None
    assert {t: await count(bot.database, t) for t in before} == before

    emulator.add_bot_back(guild)
    await until(lambda: _back(bot, guild.id))
    assert bot.scheduler.get_job(purge_job_id(guild.id)) is None
    (schedule,) = await ScheduleRepository(bot.database).for_story(story_id)
    assert schedule.active and schedule_jobs(bot) == [f"schedule:{schedule.id}"]
    assert {t: await count(bot.database, t) for t in before} == before
    assert len(bot_posts(emulator, general)) == 1  # nothing was posted while away


async def test_removed_and_readded_at_once_ends_back_in_the_server(
    emulator: DiscordEmulator, chapterbot: ChapterBot, caplog: pytest.LogCaptureFixture
) -> None:
    """GUILD_DELETE then GUILD_CREATE back to back: handled in that order, the bot is back."""
    await posted_and_scheduled(emulator, chapterbot)
    guild = emulator.guild
    caplog.set_level(logging.INFO, logger="bot.lifecycle")
    emulator.remove_bot(guild)
    emulator.add_bot_back(guild)

    async def undone() -> bool:
        return any("added back to server" in r.getMessage() for r in caplog.records)

    await until(undone)
    assert await count(chapterbot.database, "guild_removals") == 0
    assert schedule_jobs(chapterbot)
    assert chapterbot.scheduler.get_job(purge_job_id(guild.id)) is None


async def _removed(bot: ChapterBot, guild_id: int) -> bool:
    return await count(bot.database, "guild_removals", "guild_id = :g", g=guild_id) == 1


async def _back(bot: ChapterBot, guild_id: int) -> bool:
    return not await _removed(bot, guild_id) and bool(schedule_jobs(bot))


async def test_an_outage_changes_nothing(emulator: DiscordEmulator, chapterbot: ChapterBot) -> None:
    await posted_and_scheduled(emulator, chapterbot)
    jobs = schedule_jobs(chapterbot)
    emulator.guild_outage()
    await emulator.wait_until(
        lambda: (
            chapterbot.get_guild(emulator.guild.id) is None
            or chapterbot.get_guild(emulator.guild.id).unavailable
        ),  # type: ignore[union-attr]
        timeout=5,
    )
    await asyncio.sleep(0.2)  # give a (wrong) handler time to act
    assert schedule_jobs(chapterbot) == jobs
    assert await count(chapterbot.database, "guild_removals") == 0
    emulator.add_bot_back()  # the outage ends
    await asyncio.sleep(0.2)
    assert schedule_jobs(chapterbot) == jobs
    assert await count(chapterbot.database, "guild_removals") == 0


async def test_readded_while_the_bot_was_down_resumes_at_the_next_start(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    await posted_and_scheduled(emulator, bot)
    guild = emulator.guild
    emulator.remove_bot(guild)
    await until(lambda: _removed(bot, guild.id))
    await bot_runner.stop()
    emulator.add_bot_back(guild)  # nobody is connected to hear it: the next READY lists it

    bot = await bot_runner.start()
    await until(lambda: _back(bot, guild.id))
    assert bot.scheduler.get_job(purge_job_id(guild.id)) is None


async def test_a_purge_due_while_the_bot_was_down_runs_at_start_up(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    await posted_and_scheduled(emulator, bot)
    guild, alice = emulator.guild, emulator.user("alice")
    emulator.remove_bot(guild)
    await until(lambda: _removed(bot, guild.id))
    await bot_runner.stop()
    db = await open_database(bot_runner.settings.database_url)
    try:  # the 30 days pass while the bot is down
        async with db.transaction() as tx:
            await tx.execute("UPDATE guild_removals SET purge_after = 1")
    finally:
        await db.close()

    bot = await bot_runner.start()
    await until(lambda: _no_rows(bot.database, "stories", guild.id))
    assert await leftovers(bot.database, {guild.id, alice.id}, ["first chapter"]) == []


async def test_removed_while_the_bot_was_down_is_a_removal_at_the_next_start(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    await posted_and_scheduled(emulator, bot)
    guild = emulator.guild
    await bot_runner.stop()
    emulator.remove_bot(guild)  # nobody is connected: no GUILD_DELETE reaches the bot

    bot = await bot_runner.start()
    await until(lambda: _removed(bot, guild.id))
    assert schedule_jobs(bot) == []
    assert bot.scheduler.get_job(purge_job_id(guild.id)) is not None
