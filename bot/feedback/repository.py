"""Feedback storage: reactions on posted pages, notes to authors, per-story feedback settings.

Reader counts come from the readers' tables (`read_events`, `chapter_reads`, migration 0003),
reached through `chapters` so every count is an index lookup per chapter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from bot.feedback.records import (
    DIGEST_FREQUENCIES,
    ChapterReaders,
    DigestFrequency,
    FeedbackSettings,
    NoteChannel,
    NoteRecord,
    PageRef,
    ReactionRecord,
)
from bot.storage.repository import Repository, columns, upsert_sql

__all__ = [
    "DIGEST_FREQUENCIES",
    "ChapterReaders",
    "DigestFrequency",
    "FeedbackRepository",
    "FeedbackSettings",
    "NoteChannel",
    "NoteRecord",
    "PageRef",
    "ReactionRecord",
]


# Distinct (chapter, reader) pairs of one story: pages read through the bot, or chapters
# marked read. Both reached via chapters so the (chapter_id, user_id) indexes are used.
_STORY_READS = """
    SELECT re.chapter_id AS chapter_id, re.user_id AS user_id
      FROM chapters c JOIN read_events re ON re.chapter_id = c.id
     WHERE c.story_id = :story
    UNION
    SELECT cr.chapter_id, cr.user_id
      FROM chapters c JOIN chapter_reads cr ON cr.chapter_id = c.id
     WHERE c.story_id = :story
"""

_CHAPTER_READERS = f"""
    WITH reads AS ({_STORY_READS}),
         first_chapter AS (
             SELECT id FROM chapters
              WHERE story_id = :story AND released_at IS NOT NULL
              ORDER BY number LIMIT 1),
         starters AS (
             SELECT user_id FROM reads WHERE chapter_id = (SELECT id FROM first_chapter))
    SELECT c.id AS chapter_id, c.number AS number, c.title AS title,
           COUNT(DISTINCT r.user_id) AS readers,
           COUNT(DISTINCT CASE WHEN r.user_id IN (SELECT user_id FROM starters)
                               THEN r.user_id END) AS from_first
      FROM chapters c LEFT JOIN reads r ON r.chapter_id = c.id
     WHERE c.story_id = :story AND c.released_at IS NOT NULL
     GROUP BY c.id
     ORDER BY c.number
"""

# When each reader first read anything of a story (pages or marks), for "new readers".
_FIRST_READS = """
    SELECT user_id, MIN(at) AS first_at FROM (
        SELECT user_id, at FROM read_events WHERE story_id = :story
        UNION ALL
        SELECT cr.user_id, cr.read_at
          FROM chapters c JOIN chapter_reads cr ON cr.chapter_id = c.id
         WHERE c.story_id = :story) AS reads
    GROUP BY user_id
"""

_SETTINGS_FIELDS = frozenset(
    {
        "reaction_set",
        "auto_react",
        "feedback_channel_id",
        "digest_frequency",
        "last_digest_at",
        "next_digest_at",
    }
)


class FeedbackRepository(Repository):
    """Plain SQL for reactions, notes, feedback settings and the statistics queries."""

    # -- pages and reactions ----------------------------------------------------------------

    async def page_for_message(self, message_id: int) -> PageRef | None:
        """The posted page a message id belongs to, or None for any other message."""
        row = await self.db.fetch_one(
            "SELECT p.id, p.chapter_id, c.number, c.story_id, s.guild_id"
            "  FROM pages p JOIN chapters c ON c.id = p.chapter_id"
            "  JOIN stories s ON s.id = c.story_id"
            " WHERE p.message_id = :message",
            {"message": message_id},
        )
        return None if row is None else PageRef(*row)

    async def add_reaction(
        self, page: PageRef, message_id: int, user_id: int, emoji: str, at: int
    ) -> None:
        """Record a reaction as present (again, if it had been removed)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reactions (guild_id, story_id, chapter_id, page_id, message_id,"
                "                       user_id, emoji, added_at)"
                " VALUES (:guild, :story, :chapter, :page, :message, :user, :emoji, :at)"
                " ON CONFLICT (message_id, user_id, emoji) DO UPDATE"
                " SET added_at = excluded.added_at, removed_at = NULL"
                " WHERE reactions.removed_at IS NOT NULL",
                {
                    "guild": page.guild_id,
                    "story": page.story_id,
                    "chapter": page.chapter_id,
                    "page": page.page_id,
                    "message": message_id,
                    "user": user_id,
                    "emoji": emoji,
                    "at": at,
                },
            )

    async def remove_reaction(self, message_id: int, user_id: int, emoji: str, at: int) -> bool:
        """Record a reaction as removed; False if it was never recorded (or already removed)."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE reactions SET removed_at = :at WHERE message_id = :message"
                " AND user_id = :user AND emoji = :emoji AND removed_at IS NULL",
                {"at": at, "message": message_id, "user": user_id, "emoji": emoji},
            )
        return changed > 0

    async def reactions(self, story_id: int) -> list[ReactionRecord]:
        """Every recorded reaction of a story, removed ones included, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {columns(ReactionRecord)} FROM reactions WHERE story_id = :story ORDER BY id",
            {"story": story_id},
        )
        return [ReactionRecord.from_row(r) for r in rows]

    async def reaction_counts(self, story_id: int) -> list[tuple[int, str, int]]:
        """`(chapter_id, emoji, count)` of the reactions still present, per chapter."""
        rows = await self.db.fetch_all(
            "SELECT r.chapter_id, r.emoji, COUNT(*)"
            "  FROM chapters c JOIN reactions r ON r.chapter_id = c.id"
            " WHERE c.story_id = :story AND r.removed_at IS NULL"
            " GROUP BY r.chapter_id, r.emoji",
            {"story": story_id},
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def reactions_added_between(
        self, story_id: int, since: int, until: int
    ) -> list[tuple[str, int]]:
        """`(emoji, count)` of reactions added in [since, until) and still present."""
        rows = await self.db.fetch_all(
            "SELECT emoji, COUNT(*) FROM reactions"
            " WHERE story_id = :story AND added_at >= :since AND added_at < :until"
            " AND removed_at IS NULL GROUP BY emoji",
            {"story": story_id, "since": since, "until": until},
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    # -- readers ----------------------------------------------------------------------------

    async def chapter_readers(self, story_id: int) -> list[ChapterReaders]:
        """Each released chapter's distinct readers and how many of them read the first one."""
        rows = await self.db.fetch_all(_CHAPTER_READERS, {"story": story_id})
        return [ChapterReaders(*r) for r in rows]

    async def new_readers_between(self, story_id: int, since: int, until: int) -> int:
        """Readers whose first read of the story falls in [since, until)."""
        value = await self.db.fetch_value(
            f"SELECT COUNT(*) FROM ({_FIRST_READS}) AS firsts"
            " WHERE first_at >= :since AND first_at < :until",
            {"story": story_id, "since": since, "until": until},
        )
        return int(value or 0)

    async def active_readers_between(self, story_id: int, since: int, until: int) -> int:
        """Distinct readers who read a page of the story in [since, until)."""
        value = await self.db.fetch_value(
            "SELECT COUNT(DISTINCT user_id) FROM read_events"
            " WHERE story_id = :story AND at >= :since AND at < :until",
            {"story": story_id, "since": since, "until": until},
        )
        return int(value or 0)

    # -- notes ------------------------------------------------------------------------------

    async def legacy_secret_key(self) -> str | None:
        """The key databases before migration `note_key_out` kept (None when they had none).

        Only the hook that carries it out of the database calls this.
        """
        return await self.db.fetch_value("SELECT key FROM feedback_secret WHERE id = 1")

    async def rekey_senders(self, rekey: Callable[[str], str]) -> tuple[int, int]:
        """Replace every stored sender hash h by rekey(h) in one transaction.

        Returns (distinct senders, notes) re-keyed.
        """
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT sender_hash, COUNT(*) FROM notes GROUP BY sender_hash"
            )
            for row in rows:
                await tx.execute(
                    "UPDATE notes SET sender_hash = :new WHERE sender_hash = :old",
                    {"new": rekey(str(row[0])), "old": row[0]},
                )
        return len(rows), sum(int(row[1]) for row in rows)

    async def add_note(
        self,
        guild_id: int,
        story_id: int,
        chapter_id: int | None,
        *,
        author_user_id: int | None,
        sender_hash: str,
        text: str,
        at: int,
    ) -> NoteRecord:
        """Store a note (pending until delivered); anonymous when `author_user_id` is None."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO notes (guild_id, story_id, chapter_id, author_user_id, sender_hash,"
                "                   anonymous, text, created_at)"
                " VALUES (:guild, :story, :chapter, :author, :sender, :anonymous, :text, :at)"
                f" RETURNING {columns(NoteRecord)}",
                {
                    "guild": guild_id,
                    "story": story_id,
                    "chapter": chapter_id,
                    "author": author_user_id,
                    "sender": sender_hash,
                    "anonymous": int(author_user_id is None),
                    "text": text,
                    "at": at,
                },
            )
        assert row is not None
        return NoteRecord.from_row(row)

    async def note(self, note_id: int) -> NoteRecord | None:
        """One note by id."""
        row = await self.db.fetch_one(
            f"SELECT {columns(NoteRecord)} FROM notes WHERE id = :id", {"id": note_id}
        )
        return None if row is None else NoteRecord.from_row(row)

    async def notes(self, story_id: int) -> list[NoteRecord]:
        """Every note of a story, oldest first."""
        return await self._notes("story_id = :story", {"story": story_id})

    async def notes_between(self, story_id: int, since: int, until: int) -> list[NoteRecord]:
        """Notes a story received in [since, until), oldest first."""
        return await self._notes(
            "story_id = :story AND created_at >= :since AND created_at < :until",
            {"story": story_id, "since": since, "until": until},
        )

    async def pending_notes(self, story_id: int) -> list[NoteRecord]:
        """Notes that reached nobody yet, oldest first."""
        return await self._notes("story_id = :story AND pending = 1", {"story": story_id})

    async def _notes(self, where: str, params: dict[str, Any]) -> list[NoteRecord]:
        rows = await self.db.fetch_all(
            f"SELECT {columns(NoteRecord)} FROM notes WHERE {where} ORDER BY id", params
        )
        return [NoteRecord.from_row(r) for r in rows]

    async def mark_delivered(self, note_id: int, via: NoteChannel, at: int) -> None:
        """Record that a note reached an author's DM or the feedback channel."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE notes SET pending = 0, delivered_via = :via, delivered_at = :at"
                " WHERE id = :id",
                {"via": via, "at": at, "id": note_id},
            )

    async def mark_told(self, note_ids: Iterable[int], at: int) -> None:
        """Record that the authors were told these undelivered notes are waiting."""
        async with self.db.transaction() as tx:
            await tx.executemany(
                "UPDATE notes SET told_at = :at WHERE id = :id AND told_at IS NULL",
                [{"at": at, "id": note_id} for note_id in note_ids],
            )

    async def notes_sent_since(self, sender_hash: str, since: int) -> int:
        """How many notes one sender wrote since a time (any story), for the abuse limit."""
        value = await self.db.fetch_value(
            "SELECT COUNT(*) FROM notes WHERE sender_hash = :sender AND created_at >= :since",
            {"sender": sender_hash, "since": since},
        )
        return int(value or 0)

    async def note_counts(self, story_id: int) -> dict[int | None, int]:
        """Notes received per chapter id (None for notes whose chapter is gone)."""
        rows = await self.db.fetch_all(
            "SELECT chapter_id, COUNT(*) FROM notes WHERE story_id = :story GROUP BY chapter_id",
            {"story": story_id},
        )
        return {r[0]: int(r[1]) for r in rows}

    # -- settings ---------------------------------------------------------------------------

    async def settings(self, story_id: int) -> FeedbackSettings:
        """A story's feedback settings (the defaults when it never set any)."""
        row = await self.db.fetch_one(
            f"SELECT {columns(FeedbackSettings)} FROM story_feedback WHERE story_id = :story",
            {"story": story_id},
        )
        return FeedbackSettings(story_id) if row is None else FeedbackSettings.from_row(row)

    async def update_settings(self, story_id: int, **fields: Any) -> FeedbackSettings:
        """Change some of a story's feedback settings, creating its row if needed."""
        unknown = set(fields) - _SETTINGS_FIELDS
        if unknown:
            raise ValueError(f"unknown feedback settings: {sorted(unknown)}")
        if "digest_frequency" in fields and fields["digest_frequency"] not in DIGEST_FREQUENCIES:
            raise ValueError(f"digest_frequency must be one of {DIGEST_FREQUENCIES}")
        values = {name: _to_column(name, value) for name, value in fields.items()}
        if values:
            # Column names come from _SETTINGS_FIELDS only; values are bound parameters.
            async with self.db.transaction() as tx:
                await tx.execute(
                    upsert_sql("story_feedback", ("story_id",), values),
                    {"story_id": story_id, **values},
                )
        return await self.settings(story_id)

    async def digest_settings(self) -> list[FeedbackSettings]:
        """Every story with a digest turned on."""
        rows = await self.db.fetch_all(
            f"SELECT {columns(FeedbackSettings)} FROM story_feedback"
            " WHERE digest_frequency != 'off' ORDER BY story_id"
        )
        return [FeedbackSettings.from_row(r) for r in rows]


def _to_column(name: str, value: Any) -> Any:
    if name == "reaction_set":
        return None if value is None else json.dumps(list(value), ensure_ascii=False)
    if name == "auto_react":
        return int(bool(value))
    return value
