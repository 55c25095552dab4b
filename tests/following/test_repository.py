"""FollowRepository on a real, migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Callable

from bot.following.repository import FollowRepository
from bot.sharding import ShardSet
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.repository import StoryRepository

StoryFactory = Callable[..., Story]
PagesFactory = Callable[..., list[list[str]]]

GUILD, OTHER_GUILD = 7, 8
OWNER, BOB, DAVE, EVE = 1, 2, 3, 4


async def new_story(db: Database, make_story: StoryFactory, make_pages: PagesFactory) -> int:
    """A stored 2-chapter story's id."""
    story = make_story(chapters=2)
    record = await StoryRepository(db).create_story(GUILD, OWNER, story, make_pages(story), "text")
    return record.id


async def test_follow_unfollow_and_list(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await new_story(db, make_story, make_pages)
    repo = FollowRepository(db, clock=lambda: 100)
    assert await repo.follow(GUILD, BOB, story) is True
    assert await repo.follow(GUILD, BOB, story) is False  # already following
    assert [f.story_id for f in await repo.follows_of(GUILD, BOB)] == [story]
    assert await repo.follows_of(OTHER_GUILD, BOB) == []
    assert await repo.unfollow(BOB, story) is True
    assert await repo.unfollow(BOB, story) is False
    assert await repo.get(BOB, story) is None


async def test_closed_dms_skip_until_follow_again(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await new_story(db, make_story, make_pages)
    repo = FollowRepository(db, clock=lambda: 100)
    for user in (BOB, DAVE, EVE):
        await repo.follow(GUILD, user, story)
    await repo.mark_undeliverable(DAVE, story)
    await repo.set_dms(GUILD, EVE, on=False)
    assert await repo.deliverable_followers(story) == [BOB]
    counts = await repo.counts(story)
    assert (counts.followers, counts.dms_closed) == (3, 1)
    follow = await repo.get(DAVE, story)
    assert follow is not None and not follow.deliverable
    await repo.follow(GUILD, DAVE, story)  # /follow again re-opens it
    await repo.set_dms(GUILD, EVE, on=True)
    assert await repo.deliverable_followers(story) == [BOB, DAVE, EVE]
    assert (await repo.counts(story)).dms_closed == 0
    assert await repo.dms_on(GUILD, EVE)


async def test_follow_dm_setting_defaults_on(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await new_story(db, make_story, make_pages)
    repo = FollowRepository(db)
    assert await repo.follow_dm(story) is True
    await repo.set_follow_dm(story, on=False)
    assert await repo.follow_dm(story) is False
    await repo.set_follow_dm(story, on=True)
    assert await repo.follow_dm(story) is True


async def test_deliveries_are_one_per_follower_per_release_and_claimed_once(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await new_story(db, make_story, make_pages)
    now = [100]
    repo = FollowRepository(db, clock=lambda: now[0])
    assert await repo.add_deliveries(5, story, GUILD, [BOB, DAVE]) == 2
    # A replayed outbox row for the same release adds nothing.
    assert await repo.add_deliveries(5, story, GUILD, [BOB, DAVE, EVE]) == 1
    first = await repo.claim(limit=10, lease_s=30)
    assert sorted(d.user_id for d in first) == [BOB, DAVE, EVE]
    assert all(d.attempts == 1 and len(d.nonce) <= 25 for d in first)
    assert await repo.claim(limit=10, lease_s=30) == []  # leased
    bob = next(d for d in first if d.user_id == BOB)
    assert await repo.finish(bob.id, "sent", message_id=99)
    assert not await repo.finish(bob.id, "sent", message_id=99)  # closed once
    now[0] += 31  # the other leases lapse (a crashed drainer)
    again = await repo.claim(limit=10, lease_s=30)
    assert sorted(d.user_id for d in again) == [DAVE, EVE]
    assert {d.nonce for d in again} <= {d.nonce for d in first}  # same nonce on the retry
    dave = next(d for d in again if d.user_id == DAVE)
    await repo.retry_later(dave.id, 60)
    now[0] += 31
    assert [d.user_id for d in await repo.claim(limit=10, lease_s=30)] == [EVE]
    rows = {d.user_id: d for d in await repo.deliveries_of(story, 5)}
    assert rows[BOB].status == "sent" and rows[BOB].message_id == 99
    assert rows[DAVE].status == "pending" and rows[DAVE].attempts == 2
    assert await repo.pending_count() == 2


async def test_a_shard_process_claims_only_its_own_servers_deliveries(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await new_story(db, make_story, make_pages)
    repo = FollowRepository(db, clock=lambda: 100)
    await repo.add_deliveries(5, story, GUILD, [BOB, DAVE])
    guild_shard = (GUILD >> 22) % 2
    assert await repo.claim(10, 30, ShardSet(2, (1 - guild_shard,))) == []
    mine = await repo.claim(10, 30, ShardSet(2, (guild_shard,)))
    assert sorted(d.user_id for d in mine) == [BOB, DAVE]


async def test_service_follow_policy_and_closed_dms(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    from bot.errors import NotAllowed
    from bot.following.policy import ChannelFacts
    from bot.following.service import FollowingService

    story_id = await new_story(db, make_story, make_pages)
    service = FollowingService(db, clock=lambda: 100)
    story = await service.stories.get(story_id)
    assert story is not None
    seen, hidden = ChannelFacts(True, False), ChannelFacts(False, False)
    try:
        await service.follow(DAVE, story, hidden)
    except NotAllowed:
        pass
    else:
        raise AssertionError("a reader who can't see the channel followed")
    assert await service.toggle(BOB, story, seen) is True
    assert await service.toggle(BOB, story, seen) is False
    await service.follow(BOB, story, seen)
    chapters = [c.id for c in await service.stories.chapters(story_id)]
    release_ids = [await add_release(db, story_id, chapter, due_at=50) for chapter in chapters]
    recipients = await service.release_recipients(story_id)
    assert recipients is not None and recipients[1] == [BOB]
    # Only followers who can see the channel get a delivery row; one per run, not per chapter.
    assert await service.plan_release(release_ids[0], story, {BOB: seen, DAVE: hidden}) == 1
    assert await service.plan_release(release_ids[1], story, {BOB: seen}) == 0
    assert await service.claim(10) == []  # the run's second chapter is still posting
    async with db.transaction() as tx:
        await tx.execute("UPDATE releases SET status = 'done' WHERE story_id = :s", {"s": story_id})
    [plan] = await service.claim(10)
    assert [c.number for c in plan.chapters] == [1, 2]
    assert await service.closed_dms(plan.delivery) is False  # first refusal: one retry
    assert await service.claim(10) == []  # waits its pause
    service.repo._clock = lambda: 200
    [again] = await service.claim(10)
    assert await service.closed_dms(again.delivery) is True
    follow = await service.get_follow(BOB, story_id)
    assert follow is not None and not follow.deliverable
    [line] = await service.following(GUILD, BOB)
    assert line.dms_closed and line.next_release_at is None


async def add_release(db: Database, story_id: int, chapter_id: int, *, due_at: int) -> int:
    """A release row of the run due at `due_at`, still posting."""
    async with db.transaction() as tx:
        row = await tx.fetch_one(
            "INSERT INTO releases (story_id, chapter_id, due_at, channel_id, channel_mode, status)"
            " VALUES (:story, :chapter, :due, 50, 'messages', 'posting') RETURNING id",
            {"story": story_id, "chapter": chapter_id, "due": due_at},
        )
    assert row is not None
    return int(row["id"])


async def test_mature_stories_need_an_age_restricted_channel_and_following_shows_next_release(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    from bot.errors import NotAllowed
    from bot.following.policy import ChannelFacts, may_see
    from bot.following.service import FollowingService

    story_id = await new_story(db, make_story, make_pages)
    stories = StoryRepository(db)
    mature = await stories.update_metadata(story_id, rating="Mature")
    assert mature is not None
    assert not may_see(mature, ChannelFacts(can_view=True, age_restricted=False))
    assert may_see(mature, ChannelFacts(can_view=True, age_restricted=True))
    service = FollowingService(db, clock=lambda: 100)
    try:
        await service.follow(BOB, mature, ChannelFacts(can_view=True, age_restricted=False))
    except NotAllowed:
        pass
    else:
        raise AssertionError("followed a Mature story outside an age-restricted channel")
    await service.follow(BOB, mature, ChannelFacts(can_view=True, age_restricted=True))
    async with db.transaction() as tx:
        for at, active in ((9_000, 0), (5_000, 1), (7_000, 1)):
            await tx.execute(
                "INSERT INTO schedules (story_id, created_by, next_run_at, timezone, active,"
                " created_at) VALUES (:story, 1, :at, 'UTC', :active, 1)",
                {"story": story_id, "at": at, "active": active},
            )
    [line] = await service.following(GUILD, BOB)
    assert line.next_release_at == 5_000 and not line.dms_closed
