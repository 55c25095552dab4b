"""StoryRepository: creating, reading back, finding, updating, authors and cascade deletes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.repository import FIND_EXACT_TITLE_SQL, StoryRepository, rank_titles

GUILD = 111
OWNER = 222
Pages = Callable[..., list[list[str]]]


@pytest.fixture
def stories(db: Database) -> StoryRepository:
    """A repository whose clock is pinned to t=1000."""
    return StoryRepository(db, clock=lambda: 1000)


async def test_a_story_round_trips(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(chapters=3)
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "embed")
    assert record == await stories.get(record.id)
    assert (record.guild_id, record.owner_id, record.title) == (GUILD, OWNER, story.title)
    assert record.warnings == ("No Archive Warnings Apply",)
    assert record.tags == ("Angst", "Fluff")
    assert record.source_authors == ("Ann Writer",)
    assert (record.style, record.channel_mode, record.silent, record.paused) == (
        "embed",
        "messages",
        False,
        False,
    )
    assert record.created_at == record.updated_at == 1000

    chapters = await stories.chapters(record.id)
    assert [c.number for c in chapters] == [1, 2, 3]
    for stored, original in zip(chapters, story.chapters, strict=True):
        assert stored.blocks == original.blocks
        assert (stored.title, stored.notes) == (original.title, original.notes)
        assert stored.word_count == original.word_count
        assert not stored.released
    assert await stories.chapter(record.id, 2) == chapters[1]
    assert await stories.chapter(record.id, 9) is None

    pages = await stories.pages(chapters[0].id)
    assert [p.content for p in pages] == ["ch1 page 1", "ch1 page 2"]
    assert not any(p.posted for p in pages)
    assert [(a.user_id, a.role) for a in await stories.authors(record.id)] == [(OWNER, "owner")]


async def test_creation_is_all_or_nothing(
    stories: StoryRepository, db: Database, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(chapters=2)
    story.chapters[1].number = 1  # a clash the database would reject half-way
    with pytest.raises(ValueError, match="repeat"):
        await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    story = make_story(chapters=2)
    pages = make_pages(story)
    pages[1] = [None]  # type: ignore[list-item]  # pages.content NOT NULL fails on chapter 2
    with pytest.raises(db.errors, match=r"(?i)not.null"):
        await stories.create_story(GUILD, OWNER, story, pages, "text")
    for table in ("stories", "chapters", "pages", "story_authors"):
        assert await db.fetch_value(f"SELECT count(*) FROM {table}") == 0


async def test_posting_pages_and_releasing_chapters(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(chapters=2)
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    first, second = await stories.chapters(record.id)
    page = (await stories.pages(first.id))[0]
    assert await stories.mark_page_posted(page.id, 555, 777, 1234)
    posted = await stories.page(page.id)
    assert posted is not None and posted.posted
    assert (posted.channel_id, posted.message_id, posted.posted_at) == (555, 777, 1234)
    assert await stories.clear_page_posts(first.id) == 1
    assert not (await stories.pages(first.id))[0].posted

    assert await stories.next_unreleased(record.id) == [first]
    assert await stories.mark_chapter_released(first.id, 2000)
    assert [c.id for c in await stories.next_unreleased(record.id, limit=5)] == [second.id]
    released = await stories.chapter_by_id(first.id)
    assert released is not None and released.released_at == 2000


async def test_find_by_title_ranks_exact_then_prefix_then_contains(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    for title in ["Night Falls", "The Long Night", "the long night", "Night", "Day"]:
        story = make_story(title=title, chapters=1)
        await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    other = make_story(title="Night", chapters=1)
    await stories.create_story(999, OWNER, other, make_pages(other), "text")

    found = [r.title for r in await stories.find_by_title(GUILD, "  NIGHT ")]
    assert found == ["Night", "Night Falls", "The Long Night", "the long night"]
    exact = await stories.find_by_title(GUILD, "THE LONG NIGHT")
    assert [r.title for r in exact] == ["The Long Night", "the long night"]
    assert await stories.find_by_title(GUILD, "dusk") == []
    assert await stories.find_by_title(GUILD, "   ") == []
    assert len(await stories.find_by_title(GUILD, "night", limit=2)) == 2


async def test_find_by_title_folds_non_ascii_case(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(title="Élan Vital", chapters=1)
    await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    assert [r.title for r in await stories.find_by_title(GUILD, "élan vital")] == ["Élan Vital"]


def test_rank_titles_orders_within_groups_by_title() -> None:
    titles = [(1, "b night"), (2, "a night"), (3, "Night b"), (4, "night")]
    assert rank_titles("NIGHT", titles) == [4, 3, 2, 1]


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_the_title_lookup_uses_the_guild_title_index(db: Database) -> None:
    plan = await db.fetch_all(
        f"EXPLAIN QUERY PLAN {FIND_EXACT_TITLE_SQL}", {"guild": GUILD, "title": "x"}
    )
    details = " ".join(row["detail"] for row in plan)
    # The portable `lower(title) = lower(:title)` seeks the index by guild and filters that
    # guild's titles (which `find_by_title` reads in full anyway); the old `COLLATE NOCASE`
    # form also sought the title. Both plans contain this prefix.
    assert "USING INDEX stories_guild_title (guild_id=?" in details


async def test_update_metadata_changes_only_whitelisted_fields(
    db: Database, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    clock = iter([1000, 2000, 3000])
    stories = StoryRepository(db, clock=lambda: next(clock))
    story = make_story()
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    updated = await stories.update_metadata(
        record.id, title="Renamed", tags=["New"], paused=True, channel_id=42, channel_mode="forum"
    )
    assert updated is not None
    assert (updated.title, updated.tags, updated.paused) == ("Renamed", ("New",), True)
    assert (updated.channel_id, updated.channel_mode) == (42, "forum")
    assert (updated.created_at, updated.updated_at) == (1000, 2000)
    with pytest.raises(ValueError, match="cannot update"):
        await stories.update_metadata(record.id, guild_id=5)
    with pytest.raises(ValueError, match="style"):
        await stories.update_metadata(record.id, style="fancy")
    with pytest.raises(ValueError, match="empty"):
        await stories.update_metadata(record.id, title="  ")
    with pytest.raises(ValueError, match="list"):
        await stories.update_metadata(record.id, tags="Angst")
    assert await stories.get(record.id) == updated
    assert await stories.update_metadata(record.id + 100, title="x") is None


async def test_authors_can_be_added_and_removed_but_not_the_owner(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story()
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    assert await stories.add_author(record.id, 333)
    assert not await stories.add_author(record.id, 333)
    assert not await stories.add_author(record.id, OWNER)  # stays owner, not demoted
    assert [(a.user_id, a.role) for a in await stories.authors(record.id)] == [
        (OWNER, "owner"),
        (333, "coauthor"),
    ]
    assert await stories.is_author(record.id, 333)
    assert [s.id for s in await stories.list_for_author(GUILD, 333)] == [record.id]
    assert not await stories.remove_author(record.id, OWNER)
    assert await stories.remove_author(record.id, 333)
    assert not await stories.is_author(record.id, 333)
    assert await stories.list_for_author(GUILD, 333) == []


async def test_list_for_guild_is_sorted_by_title(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    for title in ["beta", "Alpha", "gamma"]:
        story = make_story(title=title, chapters=1)
        await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    assert [s.title for s in await stories.list_for_guild(GUILD)] == ["Alpha", "beta", "gamma"]
    assert await stories.list_for_guild(GUILD + 1) == []


async def test_deleting_a_story_cascades_to_everything_it_owns(
    db: Database, stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(chapters=2)
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    keep = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    chapter = (await stories.chapters(record.id))[0]
    schedule = await ScheduleRepository(db).create(record.id, OWNER, 5000, "UTC", rule="daily")
    releases = ReleaseRepository(db)
    release = await releases.create(record.id, chapter.id, 5000, 555, "messages")
    await releases.add_event(release.id, "note")
    await stories.add_author(record.id, 333)

    assert await stories.delete(record.id)
    assert not await stories.delete(record.id)
    assert await stories.get(record.id) is None
    counts = {
        table: await db.fetch_value(f"SELECT count(*) FROM {table} WHERE {column} = ?", (value,))
        for table, column, value in [
            ("chapters", "story_id", record.id),
            ("pages", "chapter_id", chapter.id),
            ("story_authors", "story_id", record.id),
            ("schedules", "id", schedule.id),
            ("releases", "id", release.id),
            ("release_events", "release_id", release.id),
        ]
    }
    assert counts == dict.fromkeys(counts, 0)
    assert len(await stories.chapters(keep.id)) == 2  # other stories untouched


async def test_a_chapter_label_is_stored(
    stories: StoryRepository, make_story: Callable[..., Story], make_pages: Pages
) -> None:
    story = make_story(chapters=2)
    story.chapters[0].label = "Stave One"
    record = await stories.create_story(GUILD, OWNER, story, make_pages(story), "text")
    assert [c.label for c in await stories.chapters(record.id)] == ["Stave One", None]
