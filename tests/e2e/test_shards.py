"""Two shard processes (SHARD_COUNT=2, SHARD_IDS=0 / 1) over one PostgreSQL database.

Each bot identifies one shard with the emulator's gateway, gets only that shard's guilds and
interactions, and arms, fires, resumes and posts only the schedules and releases of its guilds:
every chapter goes out exactly once, each by the process owning its guild.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest

from bot.client import ChapterBot, ShardedChapterBot, build_bot
from bot.config import Settings
from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import open_database
from bot.storage.budget import SHARED_BURST
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.client import FAST_CLIENT_OPTIONS, pointed_at, start_client, stop_client
from testkit.emulator.model import Guild
from testkit.emulator.world import build_bot_guild

from .publishing_helpers import bot_posts, page_text
from .release_helpers import tale_bytes

pytestmark = pytest.mark.e2e
CHAPTERS = 2
LOGIN_PATHS = ("/users/@me", "/gateway/bot", "/oauth2/applications/@me")


async def poll(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Wait until the (database) condition holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.1)


def chapters_channel(guild: Guild) -> int:
    """The id of a guild's #chapters channel."""
    return guild.channel_ids[0]


def shard_of(guild: Guild) -> int:
    """Discord's formula, written out independently of the bot's."""
    return (guild.id >> 22) % 2


@pytest.fixture
def shard_guilds(emulator: DiscordEmulator) -> list[Guild]:
    """Eight guilds, four on each shard."""
    return [build_bot_guild(emulator.world, f"Guild {n}", shard=(n % 2, 2)) for n in range(8)]


async def seed(database_url: str, guild: Guild, owner: int, due: int, words: int = 300) -> int:
    """A two-chapter story in `guild`'s #chapters with a one-off schedule for both chapters."""
    channel = chapters_channel(guild)
    db = await open_database(database_url)
    try:
        stories = StoryRepository(db)
        story = import_story(tale_bytes(CHAPTERS, words, title=f"Tale of {guild.name}"), "tale.txt")
        record = await stories.create_story(
            guild.id, owner, story, paginate_story(story, "text"), "text"
        )
        await stories.update_metadata(record.id, channel_id=channel, channel_mode="messages")
        await ScheduleRepository(db).create(
            record.id, owner, due, "UTC", chapters_per_run=CHAPTERS, channel_id=channel
        )
    finally:
        await db.close()
    return record.id


@pytest.fixture
def shard_settings(bot_settings: Settings, on_postgres: bool) -> list[Settings]:
    """The settings of the two shard processes; several processes need PostgreSQL."""
    if not on_postgres:
        pytest.skip("several shard processes share a PostgreSQL database (TEST_DATABASE_URL)")
    return [replace(bot_settings, shard_count=2, shard_ids=(i,)) for i in (0, 1)]


class ShardBots:
    """Shard processes started by a test (after it seeded the database), stopped at the end."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self.bots: list[ChapterBot] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self, settings: Settings) -> ChapterBot:
        """Start one shard process's bot and wait until it is ready."""
        bot = build_bot(settings, **FAST_CLIENT_OPTIONS)
        self._tasks.append(await start_client(bot, self.emulator))
        self.bots.append(bot)
        return bot

    async def stop_all(self) -> None:
        """Close every bot started."""
        for bot, task in zip(self.bots, self._tasks, strict=True):
            await stop_client(bot, task)


@pytest.fixture
async def shard_bots(emulator: DiscordEmulator) -> AsyncIterator[ShardBots]:
    """A `ShardBots` pointed at the emulator."""
    with pointed_at(emulator):
        bots = ShardBots(emulator)
        try:
            yield bots
        finally:
            await bots.stop_all()


async def test_each_shard_process_posts_only_its_guilds_chapters_exactly_once(
    emulator: DiscordEmulator,
    shard_settings: list[Settings],
    shard_guilds: list[Guild],
    shard_bots: ShardBots,
    database_url: str,
) -> None:
    owner = emulator.user("alice").id
    due = int(time.time()) + 2
    story_of = {g.id: await seed(database_url, g, owner, due) for g in shard_guilds}
    bots = [await shard_bots.start(settings) for settings in shard_settings]
    assert all(isinstance(b, ShardedChapterBot) for b in bots)
    # Each connection got only its shard's guilds (the default guild is on one of them).
    for shard, bot in enumerate(bots):
        mine = {g.id for g in shard_guilds if shard_of(g) == shard}
        assert mine <= {g.id for g in bot.guilds}
        assert all((g.id >> 22) % 2 == shard for g in bot.guilds)

    releases = ReleaseRepository(shard_bots.bots[0].database)

    async def all_done() -> bool:
        for story_id in story_of.values():
            found = await releases.for_story(story_id)
            if len(found) != CHAPTERS or any(r.status != "done" for r in found):
                return False
        return True

    await poll(all_done, 30.0, "every scheduled release done")
    owners = [bot.services.publishing.runner.owner for bot in bots]
    stories = StoryRepository(bots[0].database)
    for guild in shard_guilds:
        story_id = story_of[guild.id]
        pages = [p for c in await stories.chapters(story_id) for p in await stories.pages(c.id)]
        channel = chapters_channel(guild)
        posted = [m.id for m in bot_posts(emulator, channel)]
        # Every page exactly once, in order: no page lost, none posted twice.
        assert posted == [p.message_id for p in pages] and len(set(posted)) == len(pages)
        # ...and by the process owning the guild.
        claimed = {r.claimed_by for r in await releases.for_story(story_id)}
        assert claimed == {owners[shard_of(guild)]}, guild.name
        # A reader's /next reaches the process of the guild's shard, and is answered.
        bob = emulator.user("bob")
        reply = await emulator.slash(
            bob, "next", story=str(story_id), in_channel=emulator.world.channels[channel]
        )
        assert reply.message is not None and reply.content == page_text(
            emulator.message(pages[0].message_id)
        )


async def test_a_shard_resumes_only_its_own_interrupted_releases(
    emulator: DiscordEmulator,
    shard_settings: list[Settings],
    shard_guilds: list[Guild],
    shard_bots: ShardBots,
    database_url: str,
) -> None:
    owner = emulator.user("alice").id
    far = int(time.time()) + 86_400
    crashed: dict[int, int] = {}
    for guild in shard_guilds[:2]:  # one guild on each shard
        story_id = await seed(database_url, guild, owner, far)
        db = await open_database(database_url)
        try:
            (first, *_) = await StoryRepository(db).chapters(story_id)
            channel = chapters_channel(guild)
            repo = ReleaseRepository(db)
            release = await repo.create(story_id, first.id, 0, channel, "messages")
            # A process of this guild's shard died mid-release (kill -9): claimed, lease out.
            assert await repo.claim(release.id, owner="dead:1:x", lease_s=-1) is not None
            crashed[shard_of(guild)] = release.id
        finally:
            await db.close()

    await shard_bots.start(shard_settings[0])
    releases = ReleaseRepository(shard_bots.bots[0].database)

    async def resumed() -> bool:
        release = await releases.get(crashed[0])
        return release is not None and release.status == "done"

    await poll(resumed, 20.0, "shard 0's release resumed")
    other = await releases.get(crashed[1])
    # Shard 1's release waits for shard 1's process, even though its lease ran out.
    assert other is not None and (other.status, other.claimed_by) == ("posting", "dead:1:x")
    late = await shard_bots.start(shard_settings[1])

    async def also_resumed() -> bool:
        release = await releases.get(crashed[1])
        return release is not None and release.status == "done"

    await poll(also_resumed, 20.0, "shard 1's release resumed")
    again = await releases.get(crashed[1])
    assert again is not None and again.claimed_by == late.services.publishing.runner.owner


def busiest_second(times: list[float]) -> int:
    """The most requests in any one-second window (sliding), as Discord's global limit counts."""
    ordered = sorted(times)
    return max(
        (sum(1 for t in ordered if start <= t < start + 1.0) for start in ordered), default=0
    )


async def redis_answering(url: str) -> str | None:
    """None when a Redis answers at `url`, else why not."""
    try:
        import redis.asyncio as redis_asyncio
    except ImportError:
        return "the redis extra is not installed"
    client = redis_asyncio.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # refused, timeout, auth: no usable Redis here
        return f"no Redis answering at {url} (set TEST_REDIS_URL): {exc}"
    finally:
        await client.aclose()
    return None


@pytest.mark.parametrize("bucket", ["database", "redis"])
async def test_shard_processes_share_one_global_rate_budget(
    emulator: DiscordEmulator,
    shard_settings: list[Settings],
    shard_guilds: list[Guild],
    shard_bots: ShardBots,
    database_url: str,
    bucket: str,
) -> None:
    redis_url = None
    if bucket == "redis":  # REDIS_URL: the same bucket kept in Redis instead of a DB row
        redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        why_not = await redis_answering(redis_url)
        if why_not is not None:
            pytest.skip(why_not)
    rate = 3  # per second across both processes; the bucket's burst adds at most 2
    owner = emulator.user("alice").id
    due = int(time.time()) + 1
    story_ids = [await seed(database_url, g, owner, due, words=1500) for g in shard_guilds[:4]]
    first = len(emulator.requests)
    for settings in shard_settings:
        await shard_bots.start(replace(settings, discord_global_rate=rate, redis_url=redis_url))
    releases = ReleaseRepository(shard_bots.bots[0].database)

    async def all_done() -> bool:
        found = [r for s in story_ids for r in await releases.for_story(s)]
        return len(found) == CHAPTERS * len(story_ids) and all(r.status == "done" for r in found)

    await poll(all_done, 60.0, "every release done")
    budgeted = [
        r.time
        for r in emulator.requests[first:]
        # Logging in comes before the budget; interaction responses are exempt from it.
        if r.path not in LOGIN_PATHS and not r.path.startswith(("/interactions/", "/webhooks/"))
    ]
    print(f"{len(budgeted)} budgeted requests, busiest second {busiest_second(budgeted)}")
    assert len(budgeted) > 2 * (
        rate + SHARED_BURST
    )  # enough requests that the budget had to hold them
    assert busiest_second(budgeted) <= rate + SHARED_BURST
    assert emulator.stats["global_429"] == 0
