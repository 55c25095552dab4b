"""ProgressRepository on a real, migrated SQLite file: positions, the read log, released pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.early_access.records import EarlyAccessSetting
from bot.early_access.repository import EarlyAccessRepository
from bot.reading import repository as sql
from bot.reading.repository import ProgressRepository
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from testkit.clock import Clock
from tests.reading.hot_queries import hot_queries

GUILD, OTHER_GUILD = 10, 20
BOB, DAVE = 100, 200


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stories(db: Database, clock: Clock) -> StoryRepository:
    return StoryRepository(db, clock=clock)


@pytest.fixture
def progress(db: Database, clock: Clock) -> ProgressRepository:
    return ProgressRepository(db, clock=clock)


async def make(
    stories: StoryRepository,
    make_story: Callable[..., Story],
    make_pages: Callable[..., list[list[str]]],
    chapters: int = 3,
    guild: int = GUILD,
) -> StoryRecord:
    story = make_story(chapters=chapters)
    return await stories.create_story(guild, 1, story, make_pages(story, 2))


async def post(
    stories: StoryRepository, story_id: int, chapter: int, pages: int | None = None, at: int = 1
) -> None:
    """Store message ids for a chapter's pages (the first `pages`, or all)."""
    record = await stories.chapter(story_id, chapter)
    assert record is not None
    stored = await stories.pages(record.id)
    for page in stored[:pages]:
        await stories.mark_page_posted(page.id, 555, 9_000 + page.id, at)


async def test_page_after_and_before_walk_posted_pages_across_chapters(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    await post(stories, story.id, 2, pages=1)

    first = await progress.page_after(story.id, 1, 0)
    assert first is not None and (first.chapter_number, first.page_number) == (1, 1)
    assert (first.chapter_count, first.page_count, first.content) == (3, 2, "ch1 page 1")
    crossing = await progress.page_after(story.id, 1, 2)
    assert crossing is not None and crossing.content == "ch2 page 1"
    assert await progress.page_after(story.id, 2, 1) is None  # page 2 of chapter 2 not posted
    back = await progress.page_before(story.id, 2, 1)
    assert back is not None and back.content == "ch1 page 2"
    assert await progress.page_before(story.id, 1, 1) is None
    unposted = await progress.page_at(story.id, 2, 2)
    assert unposted is not None and not unposted.posted
    assert await progress.page_at(story.id, 9, 1) is None


async def test_latest_with_next_decodes_the_same_records_as_the_named_reads(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    # The one-query /next row is decoded by column position; it must give exactly the records
    # the by-name reads give (a column added to a record but not to the query would shift it).
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    first = await progress.page_at(story.id, 1, 1)
    assert first is not None
    await progress.record_read(GUILD, BOB, first, adult_ok=True)
    latest = await progress.latest_with_next(GUILD, BOB)
    assert latest is not None
    assert latest.progress == await progress.get(BOB, story.id)
    assert latest.story == await stories.get(story.id)
    assert latest.page == await progress.page_at(story.id, 1, 2)
    assert latest.progress.adult_ok is True and isinstance(latest.story.silent, bool)
    assert latest.early is None  # no early access: the row's last columns are NULL
    await EarlyAccessRepository(stories.db).set(story.id, role_id=77, hours=24)
    carried = await progress.latest_with_next(GUILD, BOB)
    assert carried is not None and carried.early == EarlyAccessSetting(story.id, 77, 24)


async def test_record_read_moves_the_position_and_keeps_the_furthest(
    stories: StoryRepository, progress: ProgressRepository, clock: Clock, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    await post(stories, story.id, 2)
    pages = [await progress.page_at(story.id, c, p) for c, p in ((1, 1), (2, 2), (1, 2))]
    for page in pages:
        assert page is not None
        clock.now += 10
        record = await progress.record_read(GUILD, BOB, page)
    assert (record.chapter_number, record.page_number) == (1, 2)
    assert (record.furthest_chapter, record.furthest_page) == (2, 2)
    assert record.started_at == 1_010 and record.last_read_at == 1_030
    assert await progress.events_for(GUILD, BOB) == 3
    assert await progress.get(DAVE, story.id) is None
    chapter_two = await stories.chapter(story.id, 2)
    assert chapter_two is not None
    assert await progress.chapter_readers(chapter_two.id) == 1


async def test_record_read_writes_both_rows_or_neither(
    db: Database, stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    first = await progress.page_at(story.id, 1, 1)
    second = await progress.page_at(story.id, 1, 2)
    assert first is not None and second is not None
    await progress.record_read(GUILD, BOB, first)
    # A read whose log row cannot be written (its chapter is gone) must not move the reader.
    broken = replace(second, chapter_id=10_000_000)
    with pytest.raises(db.errors):
        await progress.record_read(GUILD, BOB, broken)
    kept = await progress.get(BOB, story.id)
    assert kept is not None and (kept.chapter_number, kept.page_number) == (1, 1)
    assert await progress.events_for(GUILD, BOB) == 1
    # The writer is usable again afterwards, in both styles.
    assert (await progress.record_read(GUILD, BOB, second)).page_number == 2
    async with db.transaction() as tx:
        assert await tx.fetch_value("SELECT COUNT(*) FROM read_events") == 2


async def test_adult_ok_is_sticky(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    page = await progress.page_at(story.id, 1, 1)
    assert page is not None
    assert (await progress.record_read(GUILD, BOB, page, adult_ok=True)).adult_ok
    assert (await progress.record_read(GUILD, BOB, page, adult_ok=False)).adult_ok


async def test_mark_read_only_moves_the_reader_forward(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    for chapter in (1, 2, 3):
        await post(stories, story.id, chapter)
    last_of = {n: await progress.last_page_of(story.id, n) for n in (1, 2)}
    assert last_of[2] is not None and last_of[1] is not None
    assert await progress.mark_chapter_read(GUILD, BOB, last_of[2])
    assert not await progress.mark_chapter_read(GUILD, BOB, last_of[2])
    record = await progress.get(BOB, story.id)
    assert record is not None and (record.chapter_number, record.page_number) == (2, 2)
    await progress.mark_chapter_read(GUILD, BOB, last_of[1])
    record = await progress.get(BOB, story.id)
    assert record is not None and (record.chapter_number, record.page_number) == (2, 2)
    assert await progress.has_marked(BOB, last_of[1].chapter_id)


async def test_released_chapters_count_only_chapters_whose_first_page_is_posted(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages, chapters=4)
    await post(stories, story.id, 1, at=100)
    await post(stories, story.id, 2, pages=1, at=200)
    await post(stories, story.id, 3, at=300)
    listed = await progress.released_chapters(story.id, offset=1, limit=5)
    assert [c.number for c in listed] == [2, 3]
    assert await progress.released_chapter_count(story.id) == 3
    assert await progress.released_chapter(story.id, 4) is None
    assert await progress.story_channels(story.id) == [555]
    new, count = await progress.new_chapters(story.id, after_chapter=1, since=200)
    assert [c.number for c in new] == [2, 3] and count == 2
    assert [c.released_at for c in new] == [200, 300]
    assert await progress.pages_read(story.id, 2, 1) == (3, 5)


async def test_readable_stories_lists_only_stories_with_posted_chapters(
    stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    out = await make(stories, make_story, make_pages)
    await make(stories, make_story, make_pages)  # nothing posted
    elsewhere = await make(stories, make_story, make_pages, guild=OTHER_GUILD)
    await post(stories, out.id, 2)
    await post(stories, elsewhere.id, 1)
    rows = await progress.readable_stories(GUILD)
    assert [(r.story_id, r.first_chapter, r.channel_id) for r in rows] == [(out.id, 2, 555)]


async def test_forget_deletes_one_members_rows_in_one_guild(
    db: Database, stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    here = await make(stories, make_story, make_pages)
    there = await make(stories, make_story, make_pages, guild=OTHER_GUILD)
    for story in (here, there):
        await post(stories, story.id, 1)
    for guild, story in ((GUILD, here), (OTHER_GUILD, there)):
        page = await progress.page_at(story.id, 1, 2)
        assert page is not None
        for user in (BOB, DAVE):
            await progress.record_read(guild, user, page)
            await progress.mark_chapter_read(guild, user, page)
    # Reactions come from the feedback migration; a stand-in with its columns is created when
    # that migration is not there, so this test holds either way.
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS reactions (guild_id INTEGER, story_id INTEGER,"
            " chapter_id INTEGER, page_id INTEGER, message_id INTEGER, user_id INTEGER,"
            " emoji TEXT, added_at INTEGER)"
        )
        page = await progress.page_at(here.id, 1, 1)
        other = await progress.page_at(there.id, 1, 1)
        assert page is not None and other is not None
        await tx.executemany(
            "INSERT INTO reactions (guild_id, story_id, chapter_id, page_id, message_id, user_id,"
            " emoji, added_at) VALUES (?, ?, ?, ?, ?, ?, '❤️', 1)",
            [
                (GUILD, here.id, page.chapter_id, page.page_id, 1, BOB),
                (GUILD, here.id, page.chapter_id, page.page_id, 1, DAVE),
                (OTHER_GUILD, there.id, other.chapter_id, other.page_id, 2, BOB),
            ],
        )

    deleted = await progress.forget(GUILD, BOB)
    assert deleted == {
        "progress": 1,
        "read_events": 2,
        "chapter_reads": 1,
        "reactions": 1,
        "follows": 0,
        "follow_dm_optouts": 0,
        "follow_deliveries": 0,
    }
    assert await progress.get(BOB, here.id) is None
    assert await progress.get(BOB, there.id) is not None
    assert await progress.get(DAVE, here.id) is not None
    assert await progress.events_for(OTHER_GUILD, BOB) == 2
    assert await db.fetch_value("SELECT COUNT(*) FROM reactions") == 2


async def test_forget_for_a_member_without_data_deletes_nothing(
    progress: ProgressRepository,
) -> None:
    deleted = await progress.forget(GUILD, BOB)
    assert {"progress", "read_events", "chapter_reads"} <= set(deleted)
    assert set(deleted.values()) == {0}


async def test_deleting_a_story_removes_its_progress_and_read_log(
    db: Database, stories: StoryRepository, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    page = await progress.page_at(story.id, 1, 1)
    assert page is not None
    await progress.record_read(GUILD, BOB, page)
    await stories.delete(story.id)
    assert await progress.get(BOB, story.id) is None
    assert await progress.events_for(GUILD, BOB) == 0


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_reader_queries_never_scan_the_big_tables(
    db: Database, stories: StoryRepository, make_story, make_pages
) -> None:
    story = await make(stories, make_story, make_pages)
    await post(stories, story.id, 1)
    async with db.transaction() as tx:  # many readers, so the planner has real statistics
        await tx.executemany(
            "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
            " furthest_chapter, furthest_page, started_at, last_read_at)"
            " VALUES (?, ?, ?, 1, 1, 1, 1, 0, ?)",
            [(user, story.id, GUILD, user) for user in range(20_000)],
        )
        await tx.executemany(
            "INSERT INTO read_events (guild_id, user_id, story_id, chapter_id, page_id, at)"
            " SELECT ?, ?, ?, id, NULL, 0 FROM chapters WHERE story_id = ?",
            [(GUILD, user, story.id, story.id) for user in range(5_000)],
        )
        await tx.execute("ANALYZE")
    for name, params in hot_queries(GUILD, BOB).items():
        plan = await db.fetch_all("EXPLAIN QUERY PLAN " + getattr(sql, name), params)
        details = [row["detail"] for row in plan]
        # A subquery's own rows (a co-routine, e.g. LATEST_NEXT_SQL's one progress row) may be
        # scanned; a table may not.
        subqueries = {d.split()[-1] for d in details if d.startswith(("CO-ROUTINE", "MATERIALIZE"))}
        scans = [d for d in details if d.startswith("SCAN") and d.split()[1] not in subqueries]
        assert not scans, f"{name} scans: {details}"
