"""Two real shard processes (SHARD_COUNT=2, SHARD_IDS=0 / 1) over one PostgreSQL and 8 guilds.

kill -9 of one of them mid-release, then its restart: nothing lost or posted twice, the other
shard unaffected, every release posted by the process owning its guild, readers' `/next`
answered in every guild (each by its own shard's process), and 0 global 429s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import open_database
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.repository import StoryRepository
from testkit.botproc import BotProcess, bot_env
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Guild
from testkit.emulator.world import build_bot_guild

from ..e2e.publishing_helpers import bot_posts, long_chapter

pytestmark = pytest.mark.e2e
PAGES = 10
KILL_AT_PAGE = 4
GUILDS = 8


async def poll(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Wait until the condition holds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.2)


async def seed(database_url: str, guild: Guild, owner: int, due: int) -> int:
    """A one-chapter story of about PAGES pages in the guild's #chapters, scheduled at `due`."""
    channel = guild.channel_ids[0]
    db = await open_database(database_url)
    try:
        stories = StoryRepository(db)
        story = import_story(long_chapter(PAGES), "night.md")
        record = await stories.create_story(
            guild.id, owner, story, paginate_story(story, "text"), "text"
        )
        await stories.update_metadata(record.id, channel_id=channel, channel_mode="messages")
        await ScheduleRepository(db).create(record.id, owner, due, "UTC", channel_id=channel)
    finally:
        await db.close()
    return record.id


@pytest.mark.timeout(240)
async def test_kill_9_of_a_shard_process_mid_release_loses_and_duplicates_nothing(
    tmp_path: Path, database_url: str, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip("several shard processes share a PostgreSQL database (TEST_DATABASE_URL)")
    emu = DiscordEmulator(heartbeat_interval_ms=1000)
    await emu.start()
    procs: list[BotProcess] = []
    try:
        guilds = [build_bot_guild(emu.world, f"Guild {n}", shard=(n % 2, 2)) for n in range(GUILDS)]
        owner = emu.user("alice").id
        due = int(time.time()) + 3
        story_of = {g.id: await seed(database_url, g, owner, due) for g in guilds}
        victim_path = f"/channels/{guilds[1].channel_ids[0]}/messages"  # a guild of shard 1
        env = bot_env(
            token=emu.token,
            api_base=emu.api_base,
            gateway_url=emu.gateway_url,
            database=database_url,
        )
        env.update(SHARD_COUNT="2", RELEASE_LEASE_SECONDS="2")
        shard = [BotProcess({**env, "SHARD_IDS": str(i)}, tmp_path) for i in (0, 1)]
        sent = 0
        take = emu.faults.take

        def killing_take(kind: str, method: str, path: str):  # type: ignore[no-untyped-def]
            # "lose" is asked after Discord created the message: the process dies before it
            # could record the page, the hardest moment to resume from.
            nonlocal sent
            if kind == "lose" and method == "POST" and path == victim_path:
                sent += 1
                proc = shard[1].proc
                if sent == KILL_AT_PAGE and proc is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, signal.SIGKILL)
            return take(kind, method, path)

        emu.faults.take = killing_take  # type: ignore[method-assign]
        procs.extend([await shard[0].start(), await shard[1].start()])
        await poll(lambda: _true(shard[1].returncode is not None), 60, "shard 1 killed")
        emu.faults.take = take  # type: ignore[method-assign]
        assert shard[1].returncode == -signal.SIGKILL
        restarted = BotProcess({**env, "SHARD_IDS": "1"}, tmp_path)
        procs.append(await restarted.start())

        db = await open_database(database_url)
        try:
            releases, stories = ReleaseRepository(db), StoryRepository(db)

            async def all_done() -> bool:
                found = [r for s in story_of.values() for r in await releases.for_story(s)]
                return len(found) == len(guilds) and all(r.status == "done" for r in found)

            await poll(all_done, 90, "every release done")
            for guild in guilds:
                story_id = story_of[guild.id]
                (chapter,) = await stories.chapters(story_id)
                pages = await stories.pages(chapter.id)
                posted = [m.id for m in bot_posts(emu, guild.channel_ids[0])]
                # Every page exactly once, in order, none lost: also in the victim's channel.
                assert posted == [p.message_id for p in pages], guild.name
                (release,) = await releases.for_story(story_id)
                # Shard 1's other guilds may have finished before the kill; the victim's
                # release can only have been finished by the restarted process.
                owners = [shard[0]] if guild.id >> 22 & 1 == 0 else [shard[1], restarted]
                if guild is guilds[1]:
                    owners = [restarted]
                pids = {str(p.proc.pid) for p in owners if p.proc is not None}
                assert release.claimed_by is not None
                # claimed_by is host:pid:random: the process that owns the guild posted it.
                assert release.claimed_by.split(":")[1] in pids, guild.name
            assert len(pages) >= KILL_AT_PAGE + 2 and sent >= KILL_AT_PAGE
        finally:
            await db.close()
        await _next_answers_in_every_guild(emu, guilds)
        assert emu.stats["global_429"] == 0
    finally:
        for proc in procs + shard:
            await proc.ensure_dead()
        await emu.stop()


async def _next_answers_in_every_guild(emu: DiscordEmulator, guilds: list[Guild]) -> None:
    """In each guild a reader's `/next` offers the released story and `/next story:` opens its
    first page (the process owning the guild answers: each interaction goes to its shard)."""
    bob = emu.user("bob")
    for guild in guilds:
        channel = emu.world.channels[guild.channel_ids[0]]
        offer = await emu.slash(bob, "next", in_channel=channel)
        assert offer.ephemeral and "A Long Night" in (offer.content or ""), guild.name
        first = await emu.slash(bob, "next", in_channel=channel, story="A Long Night")
        assert first.message is not None and "page 1/" in first.message.text, guild.name


async def _true(value: bool) -> bool:
    return value
