"""Writing an upload's skipped parts (table `skipped_parts`), inside a caller's transaction.

Apart from `skipped_parts` so that both the upload (`repository`), the re-import
(`chapters.sync_chapters`) and the upload choices can write them without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.database import Transaction
from bot.stories.model import Skipped

INSERT_SQL = (
    "INSERT INTO skipped_parts (story_id, part_no, title, reason, words, body, front,"
    " after_chapter) VALUES (:story, :part_no, :title, :reason, :words, :body, :front,"
    " :after_chapter)"
)


async def insert_skipped_parts(tx: Transaction, story_id: int, parts: Sequence[Skipped]) -> None:
    """Store an upload's skipped parts, in the order the importer reported them."""
    await tx.executemany(
        INSERT_SQL, [part_params(story_id, n, part) for n, part in enumerate(parts, start=1)]
    )


async def replace_skipped_parts(tx: Transaction, story_id: int, parts: Sequence[Skipped]) -> None:
    """Make a story's skipped parts exactly `parts` (a re-import's): the old file's are gone."""
    await tx.execute("DELETE FROM skipped_parts WHERE story_id = :story", {"story": story_id})
    await insert_skipped_parts(tx, story_id, parts)


def part_params(story_id: int, part_no: int, part: Skipped) -> dict[str, object]:
    """The parameters of `INSERT_SQL` for one part."""
    return {
        "story": story_id,
        "part_no": part_no,
        "title": part.title,
        "reason": part.reason,
        "words": part.words,
        "body": part.text,
        "front": int(part.front),
        "after_chapter": part.after_chapter,
    }
