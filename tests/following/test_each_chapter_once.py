"""Issue #16: a follower is DMed about each chapter exactly once, whichever run releases it —
an early-access DM for the run at T, a /publish inside the early window, the run at T that
then releases the next chapter. Real migrated database (SQLite, or PostgreSQL via
TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Callable

from bot.following.policy import ChannelFacts
from bot.following.repository import FollowRepository
from bot.following.service import FollowingService
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.repository import StoryRepository
from tests.following.test_repository import add_release

StoryFactory = Callable[..., Story]
PagesFactory = Callable[..., list[list[str]]]

GUILD, OWNER, BOB, CAROL = 7, 1, 2, 3
T, PUBLISH_AT = 10_000, 7_000  # the scheduled run; a /publish inside its early window
SEEN = ChannelFacts(can_view=True, age_restricted=False)


async def done(db: Database, story_id: int) -> None:
    """Every release of the story finished posting."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE releases SET status = 'done' WHERE story_id = :s", {"s": story_id})


async def test_repository_keys_early_and_public_apart_and_claims_chapters_once(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = make_story(chapters=3)
    record = await StoryRepository(db).create_story(GUILD, OWNER, story, make_pages(story), "text")
    ch1, ch2, ch3 = [c.id for c in await StoryRepository(db).chapters(record.id)]
    repo = FollowRepository(db, clock=lambda: 100)
    assert await repo.add_deliveries(T, record.id, GUILD, [BOB], "early") == 1
    assert await repo.add_deliveries(T, record.id, GUILD, [BOB], "early") == 0  # replayed
    [early] = await repo.claim(10, 30)
    assert await repo.cover(early, [ch2]) == {ch2}
    assert await repo.cover(early, [ch2]) == {ch2}  # a resend after a crash lists the same
    # The public run at T is a different delivery of the same follower...
    assert await repo.add_deliveries(T, record.id, GUILD, [BOB], chapter_id=ch3) == 1
    # ...but a follower already DMed about a chapter gets no delivery for it.
    assert await repo.add_deliveries(PUBLISH_AT, record.id, GUILD, [BOB], chapter_id=ch2) == 0
    rows = await repo.deliveries_of(record.id, T)
    assert sorted(r.kind for r in rows) == ["early", "release"]
    public = next(r for r in rows if r.kind == "release")
    # The public DM claims only what the early one did not cover.
    assert await repo.cover(public, [ch1, ch2, ch3]) == {ch1, ch3}


async def test_publish_inside_the_window_then_the_run_at_t_dm_each_chapter_once(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = make_story(chapters=3)
    record = await StoryRepository(db).create_story(GUILD, OWNER, story, make_pages(story), "text")
    service = FollowingService(db, clock=lambda: 100)
    ch1, ch2, ch3 = [c.id for c in await service.stories.chapters(record.id)]
    # Early access opened for the run at T (chapter 2): bob (role) got his early DM for it.
    assert await service.plan_early(T, record, {BOB: SEEN}) == 1
    [early] = await service.repo.claim(10, 30)
    assert await service.repo.cover(early, [ch2]) == {ch2}
    await service.sent(early, 501)
    # The author /publishes chapter 2 inside the window: carol only.
    published = await add_release(db, record.id, ch2, due_at=PUBLISH_AT)
    assert await service.plan_release(published, record, {BOB: SEEN, CAROL: SEEN}) == 1
    await done(db, record.id)
    [carol] = await service.claim(10)
    assert carol.delivery.user_id == CAROL and [c.chapter_id for c in carol.chapters] == [ch2]
    await service.sent(carol.delivery, 502)
    # At T the schedule releases chapter 3: bob's early DM (about chapter 2) does not block it.
    at_t = await add_release(db, record.id, ch3, due_at=T)
    assert await service.plan_release(at_t, record, {BOB: SEEN, CAROL: SEEN}) == 2
    await done(db, record.id)
    plans = {
        p.delivery.user_id: [c.chapter_id for c in p.chapters] for p in await service.claim(10)
    }
    assert plans == {BOB: [ch3], CAROL: [ch3]}
    assert await service.plan_release(at_t, record, {BOB: SEEN, CAROL: SEEN}) == 0  # replayed
    assert ch1 not in {c for chapters in plans.values() for c in chapters}


async def test_a_public_dm_claimed_first_leaves_the_early_one_nothing(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    """Both planned before either was sent (early access opened just before a /publish):
    whichever is claimed first covers the chapter, the other is skipped."""
    story = make_story(chapters=2)
    record = await StoryRepository(db).create_story(GUILD, OWNER, story, make_pages(story), "text")
    service = FollowingService(db, clock=lambda: 100)
    _, ch2 = [c.id for c in await service.stories.chapters(record.id)]
    published = await add_release(db, record.id, ch2, due_at=PUBLISH_AT)
    assert await service.plan_release(published, record, {BOB: SEEN}) == 1
    await done(db, record.id)
    [public] = await service.claim(10)
    assert [c.chapter_id for c in public.chapters] == [ch2]
    await service.sent(public.delivery, 600)
    # The early row for T, released already through /publish: its run's chapter (2) is
    # covered, so it is skipped instead of DMing bob a second time.
    await service.repo.add_deliveries(T, record.id, GUILD, [BOB], "early")
    [early] = await service.repo.claim(10, 30)
    assert await service.repo.cover(early, [ch2]) == set()
    assert await service.claim(10) == []
