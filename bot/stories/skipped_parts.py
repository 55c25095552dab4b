"""The parts of an upload that were not posted, kept with their text (table `skipped_parts`).

Stored with the story at upload, so the author can still turn one into a chapter, and a
chapter the author drops becomes one. Reordering chapters is only safe while nothing of the
story is released or queued for release; `replace_chapters` checks that inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.storage.database import Row, Transaction
from bot.storage.repository import Repository, columns
from bot.stories.chapters import NewChapter, insert_chapter
from bot.stories.model import Skipped
from bot.stories.skipped_rows import INSERT_SQL, part_params


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
    after_chapter: int | None = None  # chapters before it in the source (None: `front` decides)

    @classmethod
    def from_row(cls, row: Row) -> SkippedPartRecord:
        """Decode a `skipped_parts` row."""
        values = dict(row)
        values["front"] = bool(values["front"])
        return cls(**values)


@dataclass(frozen=True)
class Shift:
    """Parts placed after more than `after` chapters (or after exactly `after` and listed
    after part `part_no`) move `by` chapters: a chapter went in or out before them."""

    after: int
    by: int
    part_no: int = 2**31


_COLUMNS = columns(SkippedPartRecord)
_SHIFT_SQL = (
    "UPDATE skipped_parts SET after_chapter = after_chapter + :by WHERE story_id = :story"
    " AND (after_chapter > :after OR (after_chapter = :after AND part_no > :part_no))"
)
# Released, posted or queued: then the chapters' numbers are no longer the author's to change.
_STARTED_SQL = (
    "SELECT 1 FROM chapters c WHERE c.story_id = :story AND (c.released_at IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM pages p WHERE p.chapter_id = c.id AND p.message_id IS NOT NULL))"
    " UNION ALL SELECT 1 FROM releases r WHERE r.story_id = :story"
)


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
        shift: Shift | None = None,
    ) -> bool:
        """Replace all of a story's chapters and move one part in or out of the skipped list,
        in one transaction; False (nothing changed) once the story has started releasing.

        `shift` moves the other parts' source positions along with the chapters around them.
        """
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
            # Taken before the shift: the places still say which parts followed the chapter.
            slot = await _slot(tx, story_id, add_part) if add_part is not None else 0
            if shift is not None:
                await tx.execute(_SHIFT_SQL, {"story": story_id, **asdict(shift)})
            if add_part is not None:
                await tx.execute(
                    "UPDATE skipped_parts SET part_no = part_no + 1"
                    " WHERE story_id = :story AND part_no >= :slot",
                    {"story": story_id, "slot": slot},
                )
                await tx.execute(INSERT_SQL, part_params(story_id, slot, add_part))
            await tx.execute(
                "UPDATE stories SET updated_at = :now WHERE id = :story",
                {"now": self.now(), "story": story_id},
            )
        return True


async def _slot(tx: Transaction, story_id: int, part: Skipped) -> int:
    """The `part_no` a new part takes: before the first part that came after it in the source
    (so parts tied at one place keep their source order), else after every part."""
    if part.after_chapter is not None:
        first_after = await tx.fetch_value(
            "SELECT MIN(part_no) FROM skipped_parts"
            " WHERE story_id = :story AND after_chapter > :after",
            {"story": story_id, "after": part.after_chapter},
        )
        if first_after is not None:
            return int(first_after)
    last = await tx.fetch_value(
        "SELECT COALESCE(MAX(part_no), 0) FROM skipped_parts WHERE story_id = :story",
        {"story": story_id},
    )
    return int(last or 0) + 1
