"""Chapters and their pages: reading them back, and recording what has been posted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.database import Transaction
from bot.storage.repository import Repository, columns, upsert_sql
from bot.stories.model import Chapter, Skipped
from bot.stories.records import ChapterRecord, PageRecord
from bot.stories.skipped_rows import replace_skipped_parts

_CHAPTER_COLUMNS = columns(ChapterRecord)
_PAGE_COLUMNS = columns(PageRecord)


class ChapterRepository(Repository):
    """Chapter and page queries (also available on `StoryRepository`)."""

    async def chapters(self, story_id: int) -> list[ChapterRecord]:
        """A story's chapters in reading order."""
        rows = await self.db.fetch_all(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE story_id = :story ORDER BY number",
            {"story": story_id},
        )
        return [ChapterRecord.from_row(row) for row in rows]

    async def chapter(self, story_id: int, number: int) -> ChapterRecord | None:
        """One chapter of a story by its number, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE story_id = :story AND number = :number",
            {"story": story_id, "number": number},
        )
        return None if row is None else ChapterRecord.from_row(row)

    async def chapter_by_id(self, chapter_id: int) -> ChapterRecord | None:
        """One chapter by its id, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE id = :id", {"id": chapter_id}
        )
        return None if row is None else ChapterRecord.from_row(row)

    async def next_unreleased(self, story_id: int, limit: int = 1) -> list[ChapterRecord]:
        """The first `limit` chapters not yet released, in reading order."""
        rows = await self.db.fetch_all(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters"
            " WHERE story_id = :story AND released_at IS NULL ORDER BY number LIMIT :limit",
            {"story": story_id, "limit": limit},
        )
        return [ChapterRecord.from_row(row) for row in rows]

    async def mark_chapter_released(self, chapter_id: int, released_at: int | None) -> bool:
        """Record when a chapter went out (None marks it unreleased again); False if missing."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE chapters SET released_at = :at WHERE id = :id",
                {"at": released_at, "id": chapter_id},
            )
        return changed > 0

    async def pages(self, chapter_id: int) -> list[PageRecord]:
        """A chapter's pages in order."""
        rows = await self.db.fetch_all(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE chapter_id = :chapter ORDER BY number",
            {"chapter": chapter_id},
        )
        return [PageRecord.from_row(row) for row in rows]

    async def page(self, page_id: int) -> PageRecord | None:
        """One page by its id, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE id = :id", {"id": page_id}
        )
        return None if row is None else PageRecord.from_row(row)

    async def mark_page_posted(
        self, page_id: int, channel_id: int, message_id: int, posted_at: int
    ) -> bool:
        """Record the Discord message a page was posted as; False if the page is gone."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pages SET channel_id = :channel, message_id = :message,"
                " posted_at = :at WHERE id = :id",
                {"channel": channel_id, "message": message_id, "at": posted_at, "id": page_id},
            )
        return changed > 0

    async def clear_page_posts(self, chapter_id: int) -> int:
        """Forget where a chapter's pages were posted (e.g. before re-posting); returns count."""
        async with self.db.transaction() as tx:
            return await tx.execute(
                "UPDATE pages SET channel_id = NULL, message_id = NULL, posted_at = NULL"
                " WHERE chapter_id = :chapter AND message_id IS NOT NULL",
                {"chapter": chapter_id},
            )

    async def story_counts(self, story_id: int) -> StoryCounts:
        """How big a story is: chapters (and how many released), words and pages."""
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS chapters,"
            " COALESCE(SUM(CASE WHEN released_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS released,"
            " COALESCE(SUM(word_count), 0) AS words,"
            " (SELECT COUNT(*) FROM pages p JOIN chapters c2 ON c2.id = p.chapter_id"
            "  WHERE c2.story_id = :story) AS pages"
            " FROM chapters WHERE story_id = :story",
            {"story": story_id},
        )
        assert row is not None  # an aggregate always yields one row
        return StoryCounts(row["chapters"], row["released"], row["words"], row["pages"])

    async def sync_chapters(
        self,
        story_id: int,
        chapters: Sequence[NewChapter],
        *,
        skipped: Sequence[Skipped] | None = None,
    ) -> ChapterSync:
        """Make the unreleased chapters match `chapters` (matched by number), in one transaction.

        A chapter counts as released once `released_at` is set or any of its pages was posted;
        those are never touched (their pages and message ids stay valid). Unreleased chapters are
        rewritten in place (page ids kept where the page number still exists), new numbers are
        appended, and unreleased chapters the new text no longer has are removed. `skipped`,
        when given, replaces the story's skipped parts (the new file's) in the same transaction.
        """
        wanted = {new.chapter.number: new for new in chapters}
        replaced: list[int] = []
        appended: list[int] = []
        kept: list[int] = []
        async with self.db.transaction() as tx:
            existing = {
                row["number"]: (row["id"], bool(row["locked"]))
                for row in await tx.fetch_all(_CHAPTER_STATE_SQL, {"story": story_id})
            }
            for number, (chapter_id, locked) in sorted(existing.items()):
                if locked:
                    kept.append(number)
                elif number in wanted:
                    await _rewrite_chapter(tx, chapter_id, wanted[number])
                    replaced.append(number)
            removed = [
                number
                for number, (chapter_id, locked) in sorted(existing.items())
                if not locked and number not in wanted
            ]
            for number in removed:
                await tx.execute("DELETE FROM chapters WHERE id = :id", {"id": existing[number][0]})
            for number in sorted(set(wanted) - set(existing)):
                await insert_chapter(tx, story_id, wanted[number])
                appended.append(number)
            if skipped is not None:
                await replace_skipped_parts(tx, story_id, skipped)
            await tx.execute(
                "UPDATE stories SET updated_at = :now WHERE id = :story",
                {"now": self.now(), "story": story_id},
            )
        return ChapterSync(tuple(replaced), tuple(appended), tuple(kept), tuple(removed))

    async def replace_pages(self, chapter_id: int, pages: Sequence[str]) -> bool:
        """Replace an unreleased chapter's pages (ids kept where possible); False if released."""
        async with self.db.transaction() as tx:
            locked = await tx.fetch_value(_CHAPTER_LOCKED_SQL, {"chapter": chapter_id})
            if locked is None or locked:
                return False
            await _rewrite_pages(tx, chapter_id, pages)
        return True


@dataclass(frozen=True)
class StoryCounts:
    """A story's size: chapters, released chapters, words and pages."""

    chapters: int
    released: int
    words: int
    pages: int


@dataclass(frozen=True)
class NewChapter:
    """A chapter to store: the model, its body encoded as JSON and its rendered pages."""

    chapter: Chapter
    body: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class ChapterSync:
    """What `sync_chapters` did, as chapter numbers."""

    replaced: tuple[int, ...]
    appended: tuple[int, ...]
    kept: tuple[int, ...]
    removed: tuple[int, ...]


# A chapter is "locked" (released) once it is marked released or any page has a message.
_LOCKED_EXPR = (
    "(c.released_at IS NOT NULL OR EXISTS"
    " (SELECT 1 FROM pages p WHERE p.chapter_id = c.id AND p.message_id IS NOT NULL))"
)
_CHAPTER_STATE_SQL = (
    f"SELECT c.id, c.number, {_LOCKED_EXPR} AS locked FROM chapters c WHERE c.story_id = :story"
)
_CHAPTER_LOCKED_SQL = f"SELECT {_LOCKED_EXPR} FROM chapters c WHERE c.id = :chapter"


async def insert_chapter(tx: Transaction, story_id: int, new: NewChapter) -> int:
    """Insert one chapter and its numbered pages; returns the chapter id."""
    row = await tx.fetch_one(
        "INSERT INTO chapters (story_id, number, label, title, summary, notes, end_notes,"
        " word_count, body) VALUES (:story_id, :number, :label, :title, :summary, :notes,"
        " :end_notes, :word_count, :body) RETURNING id",
        {"story_id": story_id, **_chapter_text(new)},
    )
    assert row is not None
    await tx.executemany(
        "INSERT INTO pages (chapter_id, number, content) VALUES (:chapter_id, :number, :content)",
        _page_params(row[0], new.pages),
    )
    return int(row[0])


async def _rewrite_chapter(tx: Transaction, chapter_id: int, new: NewChapter) -> None:
    """Overwrite an unreleased chapter's text and pages."""
    await tx.execute(
        "UPDATE chapters SET label = :label, title = :title, summary = :summary,"
        " notes = :notes, end_notes = :end_notes, word_count = :word_count, body = :body"
        " WHERE id = :id",
        {"id": chapter_id, **_chapter_text(new)},
    )
    await _rewrite_pages(tx, chapter_id, new.pages)


async def _rewrite_pages(tx: Transaction, chapter_id: int, pages: Sequence[str]) -> None:
    """Set a chapter's pages to `pages`, updating rows in place so page ids stay stable."""
    await tx.executemany(
        upsert_sql("pages", ("chapter_id", "number"), ("content",)),
        _page_params(chapter_id, pages),
    )
    await tx.execute(
        "DELETE FROM pages WHERE chapter_id = :chapter AND number > :count",
        {"chapter": chapter_id, "count": len(pages)},
    )


def _chapter_text(new: NewChapter) -> dict[str, object]:
    """The parameters of a chapter's stored text (number, titles, notes, body)."""
    chapter = new.chapter
    return {
        "number": chapter.number,
        "label": chapter.label,
        "title": chapter.title,
        "summary": chapter.summary,
        "notes": chapter.notes,
        "end_notes": chapter.end_notes,
        "word_count": chapter.word_count,
        "body": new.body,
    }


def _page_params(chapter_id: int, pages: Sequence[str]) -> list[dict[str, object]]:
    """One parameter dict per page, numbered from 1."""
    return [
        {"chapter_id": chapter_id, "number": number, "content": content}
        for number, content in enumerate(pages, start=1)
    ]
