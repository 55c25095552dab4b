"""A shard process only claims, resumes and arms the releases and schedules of its guilds."""

from __future__ import annotations

from collections.abc import Callable

from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.sharding import ShardSet, shard_of
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.records import ChapterRecord, StoryRecord
from bot.stories.repository import StoryRepository

# Discord's formula puts these on shards 0 and 1 of 2 (the shard is in bits 22 and up).
GUILD_ON_0 = (2 << 22) | 12345
GUILD_ON_1 = (3 << 22) | 777
SHARD_0, SHARD_1 = ShardSet(2, (0,)), ShardSet(2, (1,))


def test_the_guilds_of_a_shard_follow_discords_formula() -> None:
    assert (shard_of(GUILD_ON_0, 2), shard_of(GUILD_ON_1, 2)) == (0, 1)
    assert SHARD_0.owns(GUILD_ON_0) and not SHARD_0.owns(GUILD_ON_1)
    assert SHARD_1.owns(GUILD_ON_1) and not SHARD_1.owns(GUILD_ON_0)
    assert ShardSet.unsharded().owns(GUILD_ON_1) and ShardSet(2, (0, 1)).owns(GUILD_ON_1)
    assert (SHARD_0.partial, ShardSet(2, (0, 1)).partial, ShardSet().partial) == (
        True,
        False,
        False,
    )
    assert ShardSet(2, (0, 1)).describe() == "0,1 of 2"
    assert ShardSet().describe() == "none (unsharded)"


async def _story(
    db: Database, guild_id: int, make_story: Callable[..., Story], make_pages: Callable[..., list]
) -> tuple[StoryRecord, list[ChapterRecord]]:
    repo = StoryRepository(db)
    story = make_story(chapters=1)
    record = await repo.create_story(guild_id, 2, story, make_pages(story), "text")
    return record, await repo.chapters(record.id)


async def test_a_shard_claims_and_resumes_only_its_guilds_releases(
    db: Database, make_story: Callable[..., Story], make_pages: Callable[..., list]
) -> None:
    mine, my_chapters = await _story(db, GUILD_ON_0, make_story, make_pages)
    theirs, their_chapters = await _story(db, GUILD_ON_1, make_story, make_pages)
    releases = ReleaseRepository(db, clock=lambda: 100)
    my_release = await releases.create(mine.id, my_chapters[0].id, 100, 5, "thread")
    their_release = await releases.create(theirs.id, their_chapters[0].id, 100, 6, "thread")

    assert [r.id for r in await releases.pending_due(100, SHARD_0)] == [my_release.id]
    assert [r.id for r in await releases.pending_due(100, SHARD_1)] == [their_release.id]
    assert [r.id for r in await releases.pending_due(100)] == [my_release.id, their_release.id]

    # Shard 0 never claims shard 1's release, even when nobody else holds it.
    assert await releases.claim(their_release.id, SHARD_0) is None
    assert await releases.claim(my_release.id, SHARD_0) is not None
    assert await releases.claim(their_release.id, SHARD_1) is not None

    # Both were interrupted; shard 0 restarting resumes only its own.
    resumed = await releases.requeue_interrupted(SHARD_0)
    assert [r.id for r in resumed] == [my_release.id]
    still = await releases.get(their_release.id)
    assert still is not None and still.status == "posting"  # shard 1 may be posting it now


async def test_a_shard_arms_only_its_guilds_schedules(
    db: Database, make_story: Callable[..., Story], make_pages: Callable[..., list]
) -> None:
    mine, _ = await _story(db, GUILD_ON_0, make_story, make_pages)
    theirs, _ = await _story(db, GUILD_ON_1, make_story, make_pages)
    schedules = ScheduleRepository(db, clock=lambda: 10)
    my_schedule = await schedules.create(mine.id, 2, 500, "UTC", rule="weekly", channel_id=9)
    their_schedule = await schedules.create(theirs.id, 2, 400, "UTC", rule="weekly", channel_id=9)
    assert [s.id for s in await schedules.active(SHARD_0)] == [my_schedule.id]
    assert [s.id for s in await schedules.active(SHARD_1)] == [their_schedule.id]
    assert [s.id for s in await schedules.active()] == [their_schedule.id, my_schedule.id]


async def test_a_claim_is_leased_renewed_and_resumed_only_once_expired(
    db: Database, make_story: Callable[..., Story], make_pages: Callable[..., list]
) -> None:
    mine, chapters = await _story(db, GUILD_ON_0, make_story, make_pages)
    now = [100]
    releases = ReleaseRepository(db, clock=lambda: now[0])
    release = await releases.create(mine.id, chapters[0].id, 100, 5, "thread")
    claimed = await releases.claim(release.id, SHARD_0, owner="a", lease_s=30)
    assert claimed is not None and (claimed.claimed_by, claimed.lease_until) == ("a", 130)
    # A second process of the same shard (started by mistake) gets nothing while it is leased.
    assert await releases.claim(release.id, SHARD_0, owner="b") is None
    assert await releases.requeue_interrupted(SHARD_0, expired_only=True) == []
    now[0] = 120
    assert await releases.renew(release.id, "a", 30)  # posting a page renews the lease
    assert not await releases.renew(release.id, "b", 30)  # only the holder renews
    now[0] = 149
    assert await releases.requeue_interrupted(SHARD_0, expired_only=True) == []
    # "a" died: its lease runs out and shard 0 (only) takes the release over.
    now[0] = 151
    assert await releases.requeue_interrupted(SHARD_1, expired_only=True) == []
    resumed = await releases.requeue_interrupted(SHARD_0, expired_only=True)
    assert [r.id for r in resumed] == [release.id]
    again = await releases.claim(release.id, SHARD_0, owner="b")
    assert again is not None and (again.claimed_by, again.attempts) == ("b", 2)
    assert not await releases.renew(release.id, "a", 30)  # "a" lost it: it must stop posting
    done = await releases.finish(release.id, "1 page(s) posted")
    assert done is not None and (done.status, done.lease_until) == ("done", None)
