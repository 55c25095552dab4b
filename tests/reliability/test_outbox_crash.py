"""`kill -9` after a release is done but before its outbox is drained: nothing lost, nothing twice.

A real `chapterbot run` posts a due chapter whose story has auto-react on. Publishing marks the
release done and writes the `chapter_released` outbox row in one transaction; the feedback
subscriber then adds the story's reactions under the chapter's last page. The bot is killed
while that subscriber is at work - right after Discord (the emulator) added the first reaction
and before the answer reached the bot, or while the first reaction request is held in flight.
After a restart the row's lease lapses, the subscriber runs again, and every reaction is under
the chapter exactly once; the row is done and the chapter was posted once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from bot.feedback.emoji import DEFAULT_REACTIONS
from bot.feedback.repository import FeedbackRepository
from bot.publishing.releases import ReleaseRepository
from bot.storage import open_database
from bot.stories.authoring import prepare_story
from bot.stories.repository import StoryRepository
from testkit.botproc import BotProcess, bot_env
from testkit.crash_trials import wait_for
from testkit.dbcheck import rows, until
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Channel

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LEASE_S = 2
STORY = (
    b"# Short Night\n\n## Chapter 1: Dusk\n\nThe first page of the night.\n\n"
    b"## Chapter 2: Dawn\n\nNot yet.\n"
)


async def seed(database: str, emu: DiscordEmulator, channel: Channel) -> int:
    """A story with auto-react on and a release of its first chapter due now; its chapter id."""
    db = await open_database(database)
    try:
        prepared = prepare_story(STORY, "night.md", "text")
        stories = StoryRepository(db)
        story = await stories.create_story(
            emu.guild.id,
            emu.user("alice").id,
            prepared.story,
            prepared.pages,
            "text",
            channel_id=channel.id,
        )
        await FeedbackRepository(db).update_settings(story.id, auto_react=True)
        first = (await stories.chapters(story.id))[0]
        due = int(time.time())
        await ReleaseRepository(db).create(story.id, first.id, due, channel.id, "messages")
        return first.id
    finally:
        await db.close()


async def state(database: str, chapter_id: int) -> tuple[str, list[int | None], list[tuple]]:
    """(release status, the chapter's page message ids, outbox rows) read from the database."""
    chapter = {"chapter": chapter_id}
    status = await rows(
        database, "SELECT status FROM releases WHERE chapter_id = :chapter", chapter
    )
    pages = await rows(
        database,
        "SELECT message_id FROM pages WHERE chapter_id = :chapter ORDER BY number",
        chapter,
    )
    # Only this test's subscriber: other features subscribe to chapter_released too.
    outbox = await rows(
        database,
        "SELECT kind, subscriber, attempts, done_at FROM outbox"
        " WHERE subscriber = 'feedback.auto_react' ORDER BY id",
    )
    return (status[0][0] if status else "none"), [p[0] for p in pages], outbox


@pytest.mark.timeout(180)
@pytest.mark.parametrize("moment", ["after-the-first-reaction", "first-reaction-in-flight"])
async def test_kill_9_while_the_outbox_is_drained_gives_each_effect_exactly_once(
    tmp_path: Path, database_url: str, moment: str
) -> None:
    emu = DiscordEmulator(time_scale=20.0, heartbeat_interval_ms=1000)
    await emu.start()
    bot: BotProcess | None = None
    try:
        channel = emu.create_channel("chapters")
        database = database_url  # the run's: a SQLite file, or PostgreSQL
        chapter_id = await seed(database, emu, channel)
        env = bot_env(
            token=emu.token,
            api_base=emu.api_base,
            gateway_url=emu.gateway_url,
            database=database,
        )
        env["OUTBOX_LEASE_SECONDS"] = str(LEASE_S)
        reactions = f"/channels/{channel.id}/messages/"
        seen = 0
        take = emu.faults.take
        bot = BotProcess(env, tmp_path)

        def killing_take(kind: str, method: str, path: str):  # type: ignore[no-untyped-def]
            # "delay" is asked before a request is carried out, "lose" after it succeeded.
            nonlocal seen
            wanted = "lose" if moment == "after-the-first-reaction" else "delay"
            if kind == wanted and method == "PUT" and path.startswith(reactions):
                seen += 1
                if seen == 1 and bot is not None and bot.proc is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(bot.proc.pid, signal.SIGKILL)
            return take(kind, method, path)

        emu.faults.take = killing_take  # type: ignore[method-assign]
        await bot.start(wait_ready=False)
        assert await wait_for(lambda: bot.returncode is not None, 60), bot.log
        emu.faults.take = take  # type: ignore[method-assign]
        await bot.wait()

        status, pages, outbox = await state(database, chapter_id)
        assert status == "done" and None not in pages
        # The release is done and its event recorded, but not delivered: the bot died in it.
        assert [(r[0], r[1], r[3]) for r in outbox] == [
            ("chapter_released", "feedback.auto_react", None)
        ]
        last = emu.message(pages[-1])
        assert len(last.reactions) <= 1

        bot = BotProcess(env, tmp_path)
        await bot.start()

        async def delivered() -> bool:
            return (await state(database, chapter_id))[2][0][3] is not None

        await until(delivered, timeout=30.0, what="the outbox row delivered")
        await asyncio.sleep(0.5)  # nothing more arrives after "done"
        await bot.kill()

        _, _, outbox = await state(database, chapter_id)
        assert len(outbox) == 1 and outbox[0][2] == 2  # delivered on its second attempt
        assert set(last.reactions) == set(DEFAULT_REACTIONS)
        assert all(users == [emu.bot_user.id] for users in last.reactions.values())
        bot_messages = [m for m in emu.messages(channel) if m.author_id == emu.bot_user.id]
        assert [m.id for m in bot_messages] == pages  # the chapter itself went out once
        assert emu.unexpected_violations() == []
    finally:
        if bot is not None:
            await bot.ensure_dead()
        await emu.stop()
