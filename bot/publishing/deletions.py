"""Posted pages deleted on Discord: recorded on the page and in its release's history.

MESSAGE_DELETE and MESSAGE_DELETE_BULK carry only ids (no content intent needed), which is
all this needs: `pages.message_id` says which page a message was.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.publishing.notes import PAGE_DELETED, note
from bot.storage.repository import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MissingPages:
    """The pages of one chapter whose messages were deleted."""

    chapter_number: int
    page_numbers: tuple[int, ...]

    def describe(self) -> str:
        """`chapter 2: pages 3, 5 missing` (or `page 3`)."""
        noun = "page" if len(self.page_numbers) == 1 else "pages"
        numbers = ", ".join(str(n) for n in self.page_numbers)
        return f"chapter {self.chapter_number}: {noun} {numbers} missing"


class PageDeletions(Repository):
    """Record deleted page messages; list what a story is missing."""

    async def messages_deleted(self, message_ids: Sequence[int]) -> int:
        """Mark the pages held by these messages deleted; returns how many were pages."""
        marked = 0
        now = self.now()
        async with self.db.transaction() as tx:
            for message_id in message_ids:
                row = await tx.fetch_one(
                    "SELECT p.id, p.number, c.number, c.id FROM pages p"
                    " JOIN chapters c ON c.id = p.chapter_id"
                    " WHERE p.message_id = :m AND p.deleted_at IS NULL",
                    {"m": message_id},
                )
                if row is None:
                    continue  # not one of our pages, or already recorded
                page_id, page_number, chapter_number, chapter_id = tuple(row)
                await tx.execute(
                    "UPDATE pages SET deleted_at = :now WHERE id = :id", {"now": now, "id": page_id}
                )
                await tx.execute(
                    "INSERT INTO release_events (release_id, at, outcome, detail)"
                    " SELECT id, :now, 'page_deleted', :detail FROM releases"
                    " WHERE chapter_id = :chapter AND status = 'done'"
                    " ORDER BY finished_at DESC, id DESC LIMIT 1",
                    {
                        "now": now,
                        "chapter": chapter_id,
                        "detail": note(PAGE_DELETED, chapter=chapter_number, page=page_number),
                    },
                )
                marked += 1
        if marked:
            log.info("%d posted page(s) deleted on Discord", marked)
        return marked

    async def requeue_missing(self, story_id: int, chapter_number: int) -> int | None:
        """Queue the chapter's deleted pages for posting again where the chapter went.

        The deleted pages lose their message (readers keep every other page meanwhile) and a
        new pending release of the chapter aims at its last release's channel and thread, so
        the runner posts exactly the missing pages, in order, into the same place. Returns the
        release id, or None when nothing of that chapter is missing.
        """
        async with self.db.transaction() as tx:
            last = await tx.fetch_one(
                "SELECT r.chapter_id, r.channel_id, r.channel_mode, r.thread_id FROM releases r"
                " JOIN chapters c ON c.id = r.chapter_id"
                " WHERE c.story_id = :story AND c.number = :number AND r.status = 'done'"
                " ORDER BY r.finished_at DESC, r.id DESC LIMIT 1",
                {"story": story_id, "number": chapter_number},
            )
            if last is None:
                return None
            chapter_id, channel_id, mode, thread_id = tuple(last)
            cleared = await tx.execute(
                "UPDATE pages SET message_id = NULL, channel_id = NULL, posted_at = NULL,"
                " deleted_at = NULL WHERE chapter_id = :chapter AND deleted_at IS NOT NULL",
                {"chapter": chapter_id},
            )
            if not cleared:
                return None
            row = await tx.fetch_one(
                "INSERT INTO releases (story_id, chapter_id, due_at, channel_id, channel_mode,"
                " thread_id, status) VALUES (:story, :chapter, :now, :channel, :mode, :thread,"
                " 'pending') RETURNING id",
                {
                    "story": story_id,
                    "chapter": chapter_id,
                    "now": self.now(),
                    "channel": channel_id,
                    "mode": mode,
                    "thread": thread_id,
                },
            )
        assert row is not None
        return int(row[0])

    async def missing(self, story_id: int) -> list[MissingPages]:
        """The story's deleted pages, by chapter, in order."""
        rows = await self.db.fetch_all(
            "SELECT c.number, p.number FROM pages p JOIN chapters c ON c.id = p.chapter_id"
            " WHERE c.story_id = :story AND p.deleted_at IS NOT NULL ORDER BY c.number, p.number",
            {"story": story_id},
        )
        by_chapter: dict[int, list[int]] = {}
        for chapter, page in rows:
            by_chapter.setdefault(chapter, []).append(page)
        return [MissingPages(c, tuple(pages)) for c, pages in by_chapter.items()]
