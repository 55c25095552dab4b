"""The posted pages `/next` keeps in memory: current after every kind of change, and bounded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.reading.records import PagePosition
from bot.reading.released_pages import ReleasedPages, StoryPages
from bot.reading.repository import ProgressRepository
from bot.storage import Database
from bot.stories.chapters import NewChapter
from bot.stories.model import Chapter, Paragraph, Span, Story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

GUILD, BOB = 10, 100


def _page(chapter: int, page: int, text: str = "x") -> PagePosition:
    return PagePosition(1, chapter, chapter, 9, chapter * 10 + page, page, 3, text, 5, 6)


def test_the_page_after_a_position_is_the_next_posted_one() -> None:
    pages = StoryPages.of(4, [_page(1, 1), _page(1, 2), _page(3, 1)])
    assert pages.after(1, 0) == _page(1, 1)
    assert pages.after(1, 2) == _page(3, 1)  # chapter 2 is not posted: skipped
    assert pages.after(2, 5) == _page(3, 1)
    assert pages.after(3, 1) is None


def test_the_least_recently_read_stories_go_first_past_the_budget() -> None:
    kept = ReleasedPages(max_chars=10)
    kept._keep(1, StoryPages.of(1, [_page(1, 1, "a" * 4)]))
    kept._keep(2, StoryPages.of(1, [_page(1, 1, "b" * 4)]))
    kept._keep(3, StoryPages.of(1, [_page(1, 1, "c" * 4)]))  # 12 > 10: story 1 goes
    assert list(kept._stories) == [2, 3] and kept._chars == 8
    kept._keep(4, StoryPages.of(1, [_page(1, 1, "d" * 11)]))  # over the whole budget: not kept
    assert list(kept._stories) == [2, 3] and kept._chars == 8


@pytest.fixture
def stories(db: Database) -> StoryRepository:
    return StoryRepository(db)


async def _story(
    stories: StoryRepository,
    make_story: Callable[..., Story],
    make_pages: Callable[..., list[list[str]]],
) -> StoryRecord:
    story = make_story(chapters=3)
    return await stories.create_story(GUILD, 1, story, make_pages(story, 2))


async def _post(stories: StoryRepository, story_id: int, chapter: int) -> list[int]:
    record = await stories.chapter(story_id, chapter)
    assert record is not None
    pages = await stories.pages(record.id)
    for page in pages:
        await stories.mark_page_posted(page.id, 555, 9_000 + page.id, 1)
    return [page.id for page in pages]


async def _next(progress: ProgressRepository) -> PagePosition | None:
    latest = await progress.latest_with_next(GUILD, BOB)
    assert latest is not None
    return latest.page


async def _read(progress: ProgressRepository, story_id: int, chapter: int, page: int) -> None:
    at = await progress.page_at(story_id, chapter, page)
    assert at is not None
    await progress.record_read(GUILD, BOB, at)


async def test_next_sees_every_change_to_the_story_after_its_pages_were_kept(
    db: Database, stories: StoryRepository, make_story, make_pages
) -> None:
    progress = ProgressRepository(db)
    story = await _story(stories, make_story, make_pages)
    await _post(stories, story.id, 1)
    await _read(progress, story.id, 1, 2)
    assert await _next(progress) is None  # caught up: chapter 2 is not out
    assert await _next(progress) is None
    assert progress.released.loads == 1  # the second /next asked nothing more

    await _post(stories, story.id, 2)  # a release, by any process
    shown = await _next(progress)
    assert shown is not None and (shown.chapter_number, shown.page_number) == (2, 1)
    assert shown == await progress.page_at(story.id, 2, 1)
    assert progress.released.loads == 2

    chapter_2 = await stories.chapter(story.id, 2)
    assert chapter_2 is not None
    await stories.clear_page_posts(chapter_2.id)  # taken down again: no longer readable
    assert await _next(progress) is None

    await stories.sync_chapters(story.id, [_new_chapter(n) for n in (1, 2, 3, 4)])
    await _post(stories, story.id, 2)
    shown = await _next(progress)
    assert shown is not None and shown.chapter_count == 4  # a chapter was added meanwhile


def _new_chapter(number: int) -> NewChapter:
    chapter = Chapter(number=number, title=f"Part {number}", blocks=[Paragraph((Span("t."),))])
    return NewChapter(chapter, "[]", (f"Part {number}, page 1.", f"Part {number}, page 2."))


async def test_every_write_to_chapters_or_pages_moves_the_version(
    db: Database, stories: StoryRepository, make_story, make_pages
) -> None:
    story = await _story(stories, make_story, make_pages)

    async def version() -> int:
        row = "SELECT pages_version FROM stories WHERE id = :story"
        return int(await db.fetch_value(row, {"story": story.id}))

    chapter = await stories.chapter(story.id, 3)
    assert chapter is not None
    writes = {
        "mark_page_posted": lambda: _post(stories, story.id, 1),
        "replace_pages": lambda: stories.replace_pages(chapter.id, ["new page"]),
        "mark_chapter_released": lambda: stories.mark_chapter_released(chapter.id, 5),
        "clear_page_posts": lambda: stories.clear_page_posts(chapter.id),
        "sync_chapters": lambda: stories.sync_chapters(story.id, [_new_chapter(n) for n in (1, 2)]),
    }
    for name, write in writes.items():
        before = await version()
        await write()
        assert await version() > before, name
