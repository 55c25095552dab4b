"""The database does not answer (a PostgreSQL server down, a SQLite file locked by another
program): users are told so, and to try again in a minute, instead of "something went wrong";
once it answers again, everything works as before."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message, User
from tests.e2e.conftest import BotRunner
from tests.e2e.outage_helpers import DatabaseProxy, file_write_locked
from tests.e2e.release_helpers import release_chapter, store_story, tale_bytes
from tests.e2e.test_reader import footer

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

NOT_ANSWERING = "My database is not answering right now"


@pytest.fixture
async def proxy(database_url: str, on_postgres: bool) -> AsyncIterator[DatabaseProxy]:
    """A proxy the bot reaches PostgreSQL through (skips on a SQLite run)."""
    if not on_postgres:
        pytest.skip("cuts a PostgreSQL connection: set TEST_DATABASE_URL (CI's PostgreSQL run)")
    running = await DatabaseProxy.before(database_url)
    yield running
    await running.close()


@pytest.fixture
def proxied_settings(bot_settings: Settings, proxy: DatabaseProxy) -> Settings:
    """The bot's settings with its database reached through the proxy."""
    return replace(bot_settings, database_url=proxy.url(bot_settings.database_url))


async def test_readers_are_told_the_database_is_down_then_read_on(
    proxy: DatabaseProxy,  # first: set up before the bot, so the bot stops before it closes
    emulator: DiscordEmulator,
    bot_runner: BotRunner,
    proxied_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await bot_runner.stop()
    bot_runner.settings = proxied_settings
    bot: ChapterBot = await bot_runner.start()
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        bot, tale_bytes(1, 1600), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(bot, story.id, 1, general.id)
    first = await emulator.slash(bob, "next", story=str(story.id))
    assert first.message is not None and footer(first.message).startswith("Chapter 1/1 · page 1/")
    await bot.services.reading.flush()

    await proxy.cut()
    for command, options in (("next", {}), ("follow", {"story": str(story.id)})):
        refused = await emulator.slash(bob, command, **options)
        assert refused.ephemeral, command
        assert NOT_ANSWERING in (refused.content or ""), (command, refused.content)
        assert "error id" not in (refused.content or "")
    in_german = await emulator.slash(bob, "next", user_locale="de")
    assert "Meine Datenbank antwortet gerade nicht" in (in_german.content or ""), in_german.content
    with caplog.at_level(logging.WARNING):
        await emulator.react(bob, emulator.messages(general)[0], "❤️")  # feedback, unrecorded
        await emulator.wait_until(
            lambda: any("not handled" in r.getMessage() for r in caplog.records),
            timeout=5.0,
            what="the reaction's handler giving up",
        )
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "cogs", "discord")]
    assert not [r for r in ours if r.exc_info], "a traceback for an outage"

    await proxy.restore()
    shown = await emulator.slash(bob, "next")
    assert shown.message is not None and footer(shown.message).startswith("Chapter 1/1 · page 2/")
    followed = await emulator.slash(bob, "follow", story=str(story.id))
    assert NOT_ANSWERING not in (followed.content or "")


async def test_a_server_gone_quiet_costs_readers_one_timeout_then_they_read_on(
    proxy: DatabaseProxy,
    emulator: DiscordEmulator,
    bot_runner: BotRunner,
    proxied_settings: Settings,
) -> None:
    # The server vanishes without closing anything (a partition, a failover to another host):
    # the bot's open connections never answer again, new ones reach a server that does. Before
    # DATABASE_TIMEOUT, a reader's /next waited on its connection until TCP gave up, unanswered.
    await bot_runner.stop()
    bot_runner.settings = replace(proxied_settings, database_timeout=2)
    bot: ChapterBot = await bot_runner.start()
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await store_story(
        bot, tale_bytes(1, 1600), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(bot, story.id, 1, emulator.channel("general").id)
    first = await emulator.slash(bob, "next", story=str(story.id))
    assert first.message is not None and footer(first.message).startswith("Chapter 1/1 · page 1/")
    await bot.services.reading.flush()

    proxy.fail_over()
    answers = [await answer_to_next(emulator, bob)]
    while NOT_ANSWERING in (answers[-1].content or "") and len(answers) < 5:
        answers.append(await answer_to_next(emulator, bob))
    *refused, shown = answers
    assert refused, "no statement waited on a stranded connection"
    assert all(r.ephemeral for r in refused)
    assert footer(shown).startswith("Chapter 1/1 · page 2/"), [a.content for a in answers]


async def answer_to_next(emulator: DiscordEmulator, user: User) -> Message:
    """What `/next` finally says (a reply, or, when it took long, what followed "thinking…")."""
    answered = await (await emulator.slash(user, "next")).final(timeout=15.0)
    assert answered.last is not None
    return answered.last


@pytest.mark.slow
@pytest.mark.sqlite_only(reason="another program locking a SQLite file")
async def test_an_upload_into_a_locked_file_is_refused_with_a_reason(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str
) -> None:
    alice = emulator.user("alice")
    async with file_write_locked(database_url):  # past the busy timeout
        refused = await emulator.slash(
            alice, "story upload", file=emulator.upload("t.txt", tale_bytes(1, 400))
        )
        final = await refused.final(timeout=30.0)
    said = final.last.content if final.last else None
    assert said is not None and NOT_ANSWERING in said, said
    assert await StoryRepository(chapterbot.database).list_for_guild(emulator.guild.id) == []

    stored = await emulator.slash(
        alice, "story upload", file=emulator.upload("t.txt", tale_bytes(1, 400))
    )
    await stored.final(timeout=30.0)
    assert len(await StoryRepository(chapterbot.database).list_for_guild(emulator.guild.id)) == 1
