"""FeedbackRepository on a real, migrated SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.feedback.repository import FeedbackRepository, PageRef
from bot.reading.repository import ProgressRepository
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

StoryFactory = Callable[..., Story]
PagesFactory = Callable[..., list[list[str]]]

GUILD = 7
OWNER, BOB, DAVE, EVE = 1, 2, 3, 4


async def released_story(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> StoryRecord:
    """A 3-chapter story (2 pages each) whose chapters 1 and 2 are posted and released."""
    stories = StoryRepository(db)
    story = make_story(chapters=3)
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    for chapter in (await stories.chapters(record.id))[:2]:
        for page in await stories.pages(chapter.id):
            await stories.mark_page_posted(page.id, 50, message_id(chapter.number, page.number), 5)
        await stories.mark_chapter_released(chapter.id, 5)
    return record


def message_id(chapter: int, page: int) -> int:
    """The fake Discord message id of a posted page."""
    return 1000 + 10 * chapter + page


async def read(db: Database, user: int, story_id: int, chapter: int, page: int = 1) -> None:
    """Log a page read the way the readers' code does."""
    progress = ProgressRepository(db)
    position = await progress.page_at(story_id, chapter, page)
    assert position is not None
    await progress.record_read(GUILD, user, position)


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_page_for_message_finds_posted_pages_only(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    repo = FeedbackRepository(db)
    ref = await repo.page_for_message(message_id(2, 1))
    chapter = await StoryRepository(db).chapter(story.id, 2)
    assert ref is not None and chapter is not None
    assert (ref.story_id, ref.chapter_id, ref.chapter_number, ref.guild_id) == (
        story.id,
        chapter.id,
        2,
        GUILD,
    )
    assert await repo.page_for_message(999_999) is None
    plan = await db.fetch_all(
        "EXPLAIN QUERY PLAN SELECT id FROM pages WHERE message_id = ?", (message_id(1, 1),)
    )
    details = " ".join(str(row["detail"]) for row in plan)
    assert "pages_message" in details and "SCAN pages" not in details


async def test_reactions_are_recorded_removed_and_restored(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    repo = FeedbackRepository(db)
    ref = await repo.page_for_message(message_id(1, 2))
    assert isinstance(ref, PageRef)
    await repo.add_reaction(ref, message_id(1, 2), BOB, "❤️", at=100)
    await repo.add_reaction(ref, message_id(1, 2), BOB, "❤️", at=101)  # duplicate event
    await repo.add_reaction(ref, message_id(1, 2), DAVE, "🔥", at=102)
    assert await repo.remove_reaction(message_id(1, 2), BOB, "❤️", at=110)
    assert not await repo.remove_reaction(message_id(1, 2), BOB, "❤️", at=111)
    assert not await repo.remove_reaction(message_id(1, 2), EVE, "❤️", at=111)
    rows = {(r.user_id, r.emoji): r for r in await repo.reactions(story.id)}
    assert len(rows) == 2
    assert rows[(BOB, "❤️")].removed_at == 110 and rows[(BOB, "❤️")].added_at == 100
    assert await repo.reaction_counts(story.id) == [(ref.chapter_id, "🔥", 1)]

    await repo.add_reaction(ref, message_id(1, 2), BOB, "❤️", at=120)
    again = {(r.user_id, r.emoji): r for r in await repo.reactions(story.id)}[(BOB, "❤️")]
    assert again.active and again.added_at == 120
    assert sorted(await repo.reactions_added_between(story.id, 110, 200)) == [("❤️", 1)]


async def test_chapter_readers_count_reads_and_marks_once_per_reader(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    await read(db, BOB, story.id, 1, 1)
    await read(db, BOB, story.id, 1, 2)  # same reader, same chapter: counted once
    await read(db, DAVE, story.id, 1)
    await read(db, BOB, story.id, 2)
    await read(db, EVE, story.id, 2)  # started at chapter 2
    progress = ProgressRepository(db)
    last = await progress.page_at(story.id, 2, 2)
    assert last is not None
    await progress.mark_chapter_read(GUILD, DAVE, last)

    rows = await FeedbackRepository(db).chapter_readers(story.id)
    assert [(r.number, r.readers, r.from_first) for r in rows] == [(1, 2, 2), (2, 3, 2)]


async def test_new_and_active_readers_in_a_period(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    clock_values = iter([100, 200, 300, 400])
    progress = ProgressRepository(db, clock=lambda: next(clock_values))
    for user, at_chapter in ((BOB, 1), (DAVE, 1), (BOB, 2), (EVE, 2)):
        position = await progress.page_at(story.id, at_chapter, 1)
        assert position is not None
        await progress.record_read(GUILD, user, position)
    repo = FeedbackRepository(db)
    # BOB first read at 100, DAVE at 200, EVE at 400; BOB read again at 300.
    assert await repo.new_readers_between(story.id, 150, 500) == 2
    assert await repo.new_readers_between(story.id, 0, 150) == 1
    assert await repo.active_readers_between(story.id, 250, 500) == 2


async def test_notes_anonymity_delivery_and_limits(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    chapter = await StoryRepository(db).chapter(story.id, 1)
    assert chapter is not None
    repo = FeedbackRepository(db)
    named = await repo.add_note(
        GUILD, story.id, chapter.id, author_user_id=BOB, sender_hash="h-bob", text="hi", at=10
    )
    anon = await repo.add_note(
        GUILD, story.id, chapter.id, author_user_id=None, sender_hash="h-dave", text="psst", at=20
    )
    assert not named.anonymous and named.author_user_id == BOB and named.pending
    assert anon.anonymous and anon.author_user_id is None
    with pytest.raises(db.errors):
        async with db.transaction() as tx:
            await tx.execute("UPDATE notes SET author_user_id = ? WHERE id = ?", (DAVE, anon.id))

    await repo.mark_delivered(named.id, "dm", 30)
    assert [n.id for n in await repo.pending_notes(story.id)] == [anon.id]
    await repo.mark_told([anon.id], 40)
    await repo.mark_told([anon.id], 50)  # told once: the first time stays
    assert (await repo.note(anon.id)).told_at == 40  # type: ignore[union-attr]
    assert await repo.notes_sent_since("h-bob", 0) == 1
    assert await repo.notes_sent_since("h-bob", 11) == 0
    assert await repo.note_counts(story.id) == {chapter.id: 2}
    assert [n.id for n in await repo.notes_between(story.id, 15, 25)] == [anon.id]


async def test_settings_defaults_upsert_and_digest_list(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    repo = FeedbackRepository(db)
    default = await repo.settings(story.id)
    assert default.reaction_set is None and not default.auto_react
    assert default.digest_frequency == "off" and default.feedback_channel_id is None

    await repo.update_settings(story.id, reaction_set=("🔥", "<:blob:12>"), auto_react=True)
    updated = await repo.update_settings(story.id, digest_frequency="weekly", next_digest_at=99)
    assert updated.reaction_set == ("🔥", "<:blob:12>") and updated.auto_react
    assert [s.story_id for s in await repo.digest_settings()] == [story.id]
    with pytest.raises(ValueError):
        await repo.update_settings(story.id, digest_frequency="hourly")
    with pytest.raises(ValueError):
        await repo.update_settings(story.id, title="nope")


async def test_deleting_a_story_deletes_its_feedback(
    db: Database, make_story: StoryFactory, make_pages: PagesFactory
) -> None:
    story = await released_story(db, make_story, make_pages)
    repo = FeedbackRepository(db)
    ref = await repo.page_for_message(message_id(1, 1))
    assert ref is not None
    await repo.add_reaction(ref, message_id(1, 1), BOB, "❤️", at=1)
    await repo.add_note(
        GUILD, story.id, ref.chapter_id, author_user_id=None, sender_hash="h", text="x", at=1
    )
    await repo.update_settings(story.id, auto_react=True)
    await StoryRepository(db).delete(story.id)
    for table in ("reactions", "notes", "story_feedback"):
        assert await db.fetch_value(f"SELECT COUNT(*) FROM {table}") == 0
