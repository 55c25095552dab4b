"""Chapters and their pages: reading them back, and recording what has been posted."""

from __future__ import annotations

from bot.db.records import ChapterRecord, PageRecord
from bot.db.repository import Repository, columns

_CHAPTER_COLUMNS = columns(ChapterRecord)
_PAGE_COLUMNS = columns(PageRecord)


class ChapterRepository(Repository):
    """Chapter and page queries (also available on `StoryRepository`)."""

    async def chapters(self, story_id: int) -> list[ChapterRecord]:
        """A story's chapters in reading order."""
        rows = await self.db.fetch_all(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE story_id = ? ORDER BY number",
            (story_id,),
        )
        return [ChapterRecord.from_row(row) for row in rows]

    async def chapter(self, story_id: int, number: int) -> ChapterRecord | None:
        """One chapter of a story by its number, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE story_id = ? AND number = ?",
            (story_id, number),
        )
        return None if row is None else ChapterRecord.from_row(row)

    async def chapter_by_id(self, chapter_id: int) -> ChapterRecord | None:
        """One chapter by its id, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters WHERE id = ?", (chapter_id,)
        )
        return None if row is None else ChapterRecord.from_row(row)

    async def next_unreleased(self, story_id: int, limit: int = 1) -> list[ChapterRecord]:
        """The first `limit` chapters not yet released, in reading order."""
        rows = await self.db.fetch_all(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters"
            " WHERE story_id = ? AND released_at IS NULL ORDER BY number LIMIT ?",
            (story_id, limit),
        )
        return [ChapterRecord.from_row(row) for row in rows]

    async def mark_chapter_released(self, chapter_id: int, released_at: int | None) -> bool:
        """Record when a chapter went out (None marks it unreleased again); False if missing."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE chapters SET released_at = ? WHERE id = ?", (released_at, chapter_id)
            )
        return changed > 0

    async def pages(self, chapter_id: int) -> list[PageRecord]:
        """A chapter's pages in order."""
        rows = await self.db.fetch_all(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE chapter_id = ? ORDER BY number",
            (chapter_id,),
        )
        return [PageRecord.from_row(row) for row in rows]

    async def page(self, page_id: int) -> PageRecord | None:
        """One page by its id, or None."""
        row = await self.db.fetch_one(f"SELECT {_PAGE_COLUMNS} FROM pages WHERE id = ?", (page_id,))
        return None if row is None else PageRecord.from_row(row)

    async def mark_page_posted(
        self, page_id: int, channel_id: int, message_id: int, posted_at: int
    ) -> bool:
        """Record the Discord message a page was posted as; False if the page is gone."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pages SET channel_id = ?, message_id = ?, posted_at = ? WHERE id = ?",
                (channel_id, message_id, posted_at, page_id),
            )
        return changed > 0

    async def clear_page_posts(self, chapter_id: int) -> int:
        """Forget where a chapter's pages were posted (e.g. before re-posting); returns count."""
        async with self.db.transaction() as tx:
            return await tx.execute(
                "UPDATE pages SET channel_id = NULL, message_id = NULL, posted_at = NULL"
                " WHERE chapter_id = ? AND message_id IS NOT NULL",
                (chapter_id,),
            )
