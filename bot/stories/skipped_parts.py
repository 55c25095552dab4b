"""The parts of an upload that were not posted, kept with their text (table `skipped_parts`).

Stored with the story at upload, so the author can still turn one into a chapter, and a
chapter the author drops becomes one. Reordering chapters is only safe while nothing of the
story is released or queued for release; `replace_chapters` checks that inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.database import Row, Transaction
from bot.storage.repository import Repository, columns
from bot.stories.chapters import NewChapter, insert_chapter
from bot.stories.model import Skipped


@dataclass(frozen=True)
class SkippedPartRecord:
    """A stored skipped part: its title, why it was skipped, its words and text."""

    id: int
    story_id: int
    part_no: int
    title: str
    reason: str
    words: int
    body: str
    front: bool

    @classmethod
    def from_row(cls, row: Row) -> SkippedPartRecord:
        """Decode a `skipped_parts` row."""
        values = dict(row)
        values["front"] = bool(values["front"])
        return cls(**values)


_COLUMNS = columns(SkippedPartRecord)
# Released, posted or queued: then the chapters' numbers are no longer the author's to change.
_STARTED_SQL = (
    "SELECT 1 FROM chapters c WHERE c.story_id = :story AND (c.released_at IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM pages p WHERE p.chapter_id = c.id AND p.message_id IS NOT NULL))"
    " UNION ALL SELECT 1 FROM releases r WHERE r.story_id = :story"
)


_INSERT_SQL = (
    "INSERT INTO skipped_parts (story_id, part_no, title, reason, words, body, front)"
    " VALUES (:story, :part_no, :title, :reason, :words, :body, :front)"
)


async def insert_skipped_parts(tx: Transaction, story_id: int, parts: Sequence[Skipped]) -> None:
    """Store an upload's skipped parts, in the order the importer reported them."""
    await tx.executemany(
        _INSERT_SQL, [_params(story_id, n, part) for n, part in enumerate(parts, start=1)]
    )


def _params(story_id: int, part_no: int, part: Skipped) -> dict[str, object]:
    return {
        "story": story_id,
        "part_no": part_no,
        "title": part.title,
        "reason": part.reason,
        "words": part.words,
        "body": part.text,
        "front": int(part.front),
    }


class SkippedPartRepository(Repository):
    """Skipped parts of stories, and the one transaction that reorders a story's chapters."""

    async def parts(self, story_id: int) -> list[SkippedPartRecord]:
        """A story's skipped parts, in the importer's order."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM skipped_parts WHERE story_id = :story ORDER BY part_no",
            {"story": story_id},
        )
        return [SkippedPartRecord.from_row(row) for row in rows]

    async def started(self, story_id: int) -> bool:
        """True once any chapter is released or posted, or any release is queued."""
        return await self.db.fetch_value(_STARTED_SQL, {"story": story_id}) is not None

    async def replace_chapters(
        self,
        story_id: int,
        chapters: Sequence[NewChapter],
        *,
        remove_part: int | None = None,
        add_part: Skipped | None = None,
    ) -> bool:
        """Replace all of a story's chapters and move one part in or out of the skipped list,
        in one transaction; False (nothing changed) once the story has started releasing."""
        async with self.db.transaction() as tx:
            if await tx.fetch_value(_STARTED_SQL, {"story": story_id}) is not None:
                return False
            await tx.execute("DELETE FROM chapters WHERE story_id = :story", {"story": story_id})
            for new in chapters:
                await insert_chapter(tx, story_id, new)
            if remove_part is not None:
                await tx.execute(
                    "DELETE FROM skipped_parts WHERE id = :id AND story_id = :story",
                    {"id": remove_part, "story": story_id},
                )
            if add_part is not None:
                last = await tx.fetch_value(
                    "SELECT COALESCE(MAX(part_no), 0) FROM skipped_parts WHERE story_id = :story",
                    {"story": story_id},
                )
                await tx.execute(_INSERT_SQL, _params(story_id, int(last or 0) + 1, add_part))
            await tx.execute(
                "UPDATE stories SET updated_at = :now WHERE id = :story",
                {"now": self.now(), "story": story_id},
            )
        return True
