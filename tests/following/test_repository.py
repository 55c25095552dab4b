"""FollowRepository on a real, migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Callable

from bot.following.repository import FollowRepository
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
    assert await repo.add_deliveries(5, story, GUILD, [BOB, DAVE], [11, 12]) == 2
    # A replayed outbox row for the same release adds nothing.
    assert await repo.add_deliveries(5, story, GUILD, [BOB, DAVE, EVE], [11, 12]) == 1
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
    rows = {d.user_id: d for d in await repo.deliveries_of(5)}
    assert rows[BOB].status == "sent" and rows[BOB].message_id == 99
    assert rows[DAVE].status == "pending" and rows[DAVE].attempts == 2
    assert await repo.pending_count() == 2
