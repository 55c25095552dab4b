"""`ServerLifecycle` and `DATA_RETENTION_DAYS` in small: retention, return, purge timing."""

from __future__ import annotations

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.errors import ConfigError
from bot.events import EventBus, GuildRemoved, GuildReturned
from bot.lifecycle.service import DAY_S, PURGE_RETRY_S, ServerLifecycle, purge_job_id
from bot.sharding import ShardSet
from bot.storage import Database
from testkit.clock import Clock

TOKEN = "A" * 24 + ".abcdef." + "B" * 27
GUILD = 10


def test_retention_defaults_to_30_days_and_accepts_zero() -> None:
    assert Settings.from_env({"DISCORD_TOKEN": TOKEN}, env_file=None).data_retention_days == 30
    zero = Settings.from_env({"DISCORD_TOKEN": TOKEN, "DATA_RETENTION_DAYS": "0"}, env_file=None)
    assert zero.data_retention_days == 0
    with pytest.raises(ConfigError, match="DATA_RETENTION_DAYS"):
        Settings.from_env({"DISCORD_TOKEN": TOKEN, "DATA_RETENTION_DAYS": "-1"}, env_file=None)


async def test_removal_waits_for_retention_and_return_cancels(db: Database) -> None:
    clock, bus, seen = Clock(1_000_000), EventBus(), []

    async def record(event: object) -> None:
        seen.append(event)

    bus.subscribe(GuildRemoved, record)
    bus.subscribe(GuildReturned, record)
    scheduler = AsyncIOScheduler()
    life = ServerLifecycle(db, scheduler, bus, retention_days=30, clock=clock)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings (guild_id) VALUES (:g)", {"g": GUILD})

    removal = await life.guild_removed(GUILD)
    assert removal.purge_after == clock.now + 30 * DAY_S
    assert scheduler.get_job(purge_job_id(GUILD)) is not None
    again = await life.guild_removed(GUILD)  # a repeated GUILD_DELETE keeps the first date
    assert again == removal
    clock.now += 29 * DAY_S
    assert await life.purge(GUILD) is None  # not due yet
    assert await db.fetch_value("SELECT COUNT(*) FROM guild_settings") == 1

    assert await life.guild_present(GUILD) is True
    assert scheduler.get_job(purge_job_id(GUILD)) is None
    assert await life.guild_present(GUILD) is False  # only a removal is undone
    clock.now += 2 * DAY_S
    assert await life.purge(GUILD) is None  # back in the server: never purged
    assert await db.fetch_value("SELECT COUNT(*) FROM guild_settings") == 1
    assert [type(e) for e in seen] == [GuildRemoved, GuildReturned]


async def test_purge_is_rearmed_at_start_up_and_counts_rows(db: Database) -> None:
    clock = Clock(1_000_000)
    first = ServerLifecycle(db, AsyncIOScheduler(), EventBus(), retention_days=1, clock=clock)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings (guild_id) VALUES (:g)", {"g": GUILD})
    await first.guild_removed(GUILD)

    scheduler = AsyncIOScheduler()  # a restart: a new process, the same database
    second = ServerLifecycle(db, scheduler, EventBus(), retention_days=1, clock=clock)
    await second.recover()
    assert scheduler.get_job(purge_job_id(GUILD)) is not None
    clock.now += DAY_S
    assert await second.purge(GUILD) == {"guild_settings": 1, "guild_removals": 1}
    assert await db.fetch_value("SELECT COUNT(*) FROM guild_removals") == 0


async def test_a_shard_process_rearms_only_its_own_servers_purges(db: Database) -> None:
    ours, theirs = 1 << 22, 2 << 22  # shard 1 and shard 0 of 2
    lifecycle = ServerLifecycle(db, AsyncIOScheduler(), EventBus(), clock=Clock(1_000_000))
    for guild in (ours, theirs):
        await lifecycle.guild_removed(guild)

    scheduler = AsyncIOScheduler()
    shard_one = ServerLifecycle(db, scheduler, EventBus(), shards=ShardSet(2, (1,)))
    await shard_one.recover()
    assert scheduler.get_job(purge_job_id(ours)) is not None
    assert scheduler.get_job(purge_job_id(theirs)) is None


async def _with_story(db: Database, guild: int) -> None:
    """A story in `guild` (the READY check looks only at servers with stories)."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO stories (guild_id, owner_id, title, source_format, created_at,"
            " updated_at) VALUES (:g, 5, 'S', 'markdown', 0, 0)",
            {"g": guild},
        )


async def test_removed_while_offline_only_for_absent_guilds_this_process_serves(
    db: Database,
) -> None:
    clock, bus, seen = Clock(1_000_000), EventBus(), []

    async def record(event: object) -> None:
        seen.append(event)

    bus.subscribe(GuildRemoved, record)
    life = ServerLifecycle(db, AsyncIOScheduler(), bus, retention_days=30, clock=clock)
    for guild in (10, 11, 12, 13):
        await _with_story(db, guild)
    # 10 is served (available or not, it came in READY); 11 and 12 are gone, but 12 belongs to
    # another process's shard; 13 is gone too.
    removed = await life.removed_while_offline({10}.__contains__, ours=lambda g: g != 12)
    assert removed == [11, 13]
    assert [e.guild_id for e in seen] == [11, 13]  # type: ignore[attr-defined]
    assert (await life.removals.get(11)) is not None and (await life.removals.get(12)) is None
    # A second READY does not record them again.
    assert await life.removed_while_offline({10}.__contains__, ours=lambda g: g != 12) == []


async def test_a_server_cached_during_the_ready_check_is_not_removed(db: Database) -> None:
    """Presence is asked after the read, not from a list taken before it."""
    bus, seen, in_guilds = EventBus(), [], set()

    async def record(event: object) -> None:
        seen.append(event)

    bus.subscribe(GuildRemoved, record)
    life = ServerLifecycle(db, AsyncIOScheduler(), bus, clock=Clock(1_000_000))
    await _with_story(db, GUILD)
    read = life.removals.guilds_with_stories

    async def guild_create_during_the_read() -> set[int]:
        found = await read()
        in_guilds.add(GUILD)  # discord.py cached the guild; its handler waits for its turn
        return found

    life.removals.guilds_with_stories = guild_create_during_the_read  # type: ignore[method-assign]
    assert await life.removed_while_offline(in_guilds.__contains__) == []
    assert await life.removals.get(GUILD) is None and seen == []


async def test_a_purge_that_finds_no_database_is_tried_again_in_a_minute(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, scheduler = Clock(1_000_000), AsyncIOScheduler()
    scheduler.start(paused=True)  # timers are set (and replaced), never fired
    life = ServerLifecycle(db, scheduler, EventBus(), retention_days=1, clock=clock)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings (guild_id) VALUES (:g)", {"g": GUILD})
    await life.guild_removed(GUILD)
    clock.now += DAY_S

    async def refused(guild_id: int, now: int) -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(life.removals, "purge", refused)
    assert await life.purge(GUILD) is None
    job = scheduler.get_job(purge_job_id(GUILD))
    assert job is not None and job.trigger.run_date.timestamp() == clock.now + PURGE_RETRY_S
    monkeypatch.undo()
    assert await life.purge(GUILD) == {"guild_settings": 1, "guild_removals": 1}
    scheduler.shutdown(wait=False)
