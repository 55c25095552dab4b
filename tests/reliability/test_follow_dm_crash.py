"""`kill -9` while release DMs go out to 200 followers: after a restart, exactly one DM each.

A real `chapterbot run` posts a due chapter of a story 200 members follow. The release's
`chapter_released` outbox row plans one delivery per follower; the sender then DMs them. The
bot is killed right after Discord (the emulator) accepted the 50th DM and before the answer
reached the bot - the worst moment: the DM exists but the delivery is not marked sent. After a
restart the claim lapses, the delivery is sent again with the same nonce (`enforce_nonce`), so
Discord returns the first message instead of posting a second: every follower has one DM.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from bot.following.repository import FollowRepository
from bot.publishing.releases import ReleaseRepository
from bot.storage import open_database
from bot.stories.authoring import prepare_story
from bot.stories.repository import StoryRepository
from testkit.botproc import BotProcess, bot_env
from testkit.crash_trials import wait_for
from testkit.dbcheck import rows, until
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Channel, ChannelType, User

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FOLLOWERS = 200
KILL_AFTER = 50
LEASE_S = 2
STORY = b"# Followed\n\n## Chapter 1: Dusk\n\nThe first page.\n\n## Chapter 2: Dawn\n\nLater.\n"


async def seed(database: str, emu: DiscordEmulator, channel: Channel, users: list[User]) -> int:
    """The story, its followers and a release due now; the story id."""
    db = await open_database(database)
    try:
        prepared = prepare_story(STORY, "followed.md", "text")
        stories = StoryRepository(db)
        story = await stories.create_story(
            emu.guild.id,
            emu.user("alice").id,
            prepared.story,
            prepared.pages,
            "text",
            channel_id=channel.id,
        )
        follows = FollowRepository(db)
        for user in users:
            await follows.follow(emu.guild.id, user.id, story.id)
        first = (await stories.chapters(story.id))[0]
        await ReleaseRepository(db).create(
            story.id, first.id, int(time.time()), channel.id, "messages"
        )
        return story.id
    finally:
        await db.close()


async def statuses(database: str) -> list[str]:
    """Every delivery's status, read from the database."""
    return [row[0] for row in await rows(database, "SELECT status FROM follow_deliveries")]


@pytest.mark.timeout(240)
async def test_kill_9_during_delivery_to_200_followers_gives_each_exactly_one_dm(
    tmp_path: Path, database_url: str
) -> None:
    emu = DiscordEmulator(time_scale=20.0, heartbeat_interval_ms=1000)
    await emu.start()
    bot: BotProcess | None = None
    try:
        channel = emu.create_channel("chapters")
        users = [emu.world.add_user(f"reader{i}") for i in range(FOLLOWERS)]
        for user in users:
            emu.world.join(emu.guild, user)
        database = database_url  # the run's: a SQLite file, or PostgreSQL
        await seed(database, emu, channel, users)
        env = bot_env(
            token=emu.token, api_base=emu.api_base, gateway_url=emu.gateway_url, database=database
        )
        env["OUTBOX_LEASE_SECONDS"] = str(LEASE_S)
        sent = 0
        take = emu.faults.take
        bot = BotProcess(env, tmp_path)

        def is_dm_post(method: str, path: str) -> bool:
            parts = path.strip("/").split("/")
            if method != "POST" or len(parts) != 3 or parts[0] != "channels":
                return False
            if parts[2] != "messages" or not parts[1].isdigit():
                return False
            found = emu.world.channels.get(int(parts[1]))
            return found is not None and found.type == ChannelType.DM

        def killing_take(kind: str, method: str, path: str):  # type: ignore[no-untyped-def]
            # "lose" is asked after a request succeeded: the DM exists, the bot never hears.
            nonlocal sent
            if kind == "lose" and is_dm_post(method, path):
                sent += 1
                if sent == KILL_AFTER and bot is not None and bot.proc is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(bot.proc.pid, signal.SIGKILL)
            return take(kind, method, path)

        emu.faults.take = killing_take  # type: ignore[method-assign]
        await bot.start(wait_ready=False)
        assert await wait_for(lambda: bot.returncode is not None, 120), bot.log
        emu.faults.take = take  # type: ignore[method-assign]
        await bot.wait()
        assert sent >= KILL_AFTER, bot.log  # killed by us, not by something else
        assert (await statuses(database)).count("sent") < FOLLOWERS  # it died mid-delivery

        bot = BotProcess(env, tmp_path)
        await bot.start()

        async def all_sent() -> bool:
            return (await statuses(database)).count("sent") == FOLLOWERS

        await until(all_sent, timeout=120.0, what="every follow DM sent")
        await bot.kill()

        assert len(await statuses(database)) == FOLLOWERS  # one delivery per follower
        for user in users:
            dm = emu.world.dm_channel(user)
            mine = [m for m in emu.messages(dm) if m.author_id == emu.bot_user.id]
            assert len(mine) == 1, (user.username, len(mine))
            assert "Dusk" in mine[0].content
    finally:
        if bot is not None and bot.returncode is None:
            await bot.kill()
        await emu.stop()
