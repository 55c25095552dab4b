"""Stories: creating one with its chapters and pages, finding, updating, authors, deleting."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.storage.database import Transaction
from bot.storage.repository import columns
from bot.stories.chapters import ChapterRepository, NewChapter, insert_chapter
from bot.stories.model import Story
from bot.stories.records import (
    CHANNEL_MODES,
    STORY_STYLES,
    AuthorRecord,
    ChannelMode,
    StoryRecord,
    StoryStyle,
)
from bot.stories.serialize import blocks_to_json
from bot.stories.skipped_rows import insert_skipped_parts

_STORY_COLUMNS = columns(StoryRecord)

# The case-insensitive exact title lookup (ASCII case, like the rest of the SQL; `rank_titles`
# does full Unicode casefolding in Python). `lower()` on both sides is portable SQL.
FIND_EXACT_TITLE_SQL = (
    f"SELECT {_STORY_COLUMNS} FROM stories"
    " WHERE guild_id = :guild AND lower(title) = lower(:title) ORDER BY id"
)
_STORY_BY_ID_SQL = f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = :id"

# Columns `update_metadata` may change; everything else is fixed at import or managed elsewhere.
UPDATABLE_FIELDS = frozenset(
    {
        "title",
        "summary",
        "notes",
        "end_notes",
        "rating",
        "warnings",
        "tags",
        "language",
        "style",
        "channel_id",
        "channel_mode",
        "notify_role_id",
        "silent",
        "paused",
    }
)
_JSON_LIST_FIELDS = frozenset({"warnings", "tags"})
_BOOL_FIELDS = frozenset({"silent", "paused"})


class StoryRepository(ChapterRepository):
    """Stories and their authors, plus the chapter and page queries of `ChapterRepository`."""

    async def create_story(
        self,
        guild_id: int,
        owner_id: int,
        story: Story,
        pages: list[list[str]],
        style: StoryStyle = "text",
        *,
        channel_id: int | None = None,
        channel_mode: ChannelMode = "messages",
    ) -> StoryRecord:
        """Store a story, its chapters (body as JSON), their pages and the parts the import
        skipped (with their text), all in one transaction.

        `pages[i]` holds the rendered pages of `story.chapters[i]`. The owner is recorded as an
        author with the role 'owner'.
        """
        _check_choice("style", style, STORY_STYLES)
        _check_choice("channel_mode", channel_mode, CHANNEL_MODES)
        if len(pages) != len(story.chapters):
            raise ValueError(f"{len(story.chapters)} chapters but {len(pages)} page lists")
        numbers = [chapter.number for chapter in story.chapters]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"chapter numbers repeat: {numbers}")
        # Encode bodies before taking the write lock, so other writers wait as little as possible.
        bodies = [blocks_to_json(chapter.blocks) for chapter in story.chapters]
        now = self.now()
        async with self.db.transaction() as tx:
            story_id = await _insert_story(
                tx,
                guild_id,
                owner_id,
                story,
                now,
                {"style": style, "channel_id": channel_id, "channel_mode": channel_mode},
            )
            await tx.execute(
                "INSERT INTO story_authors (story_id, user_id, role)"
                " VALUES (:story, :user, 'owner')",
                {"story": story_id, "user": owner_id},
            )
            for chapter, body, chapter_pages in zip(story.chapters, bodies, pages, strict=True):
                await insert_chapter(tx, story_id, NewChapter(chapter, body, tuple(chapter_pages)))
            await insert_skipped_parts(tx, story_id, story.skipped)
            row = await tx.fetch_one(_STORY_BY_ID_SQL, {"id": story_id})
        assert row is not None  # just inserted, inside the same transaction
        return StoryRecord.from_row(row)

    async def get(self, story_id: int) -> StoryRecord | None:
        """A story by id, or None."""
        if not 0 < story_id < 2**63:  # ids come from custom_ids too; SQLite can't bind these
            return None
        row = await self.db.fetch_point(_STORY_BY_ID_SQL, {"id": story_id})
        return None if row is None else StoryRecord.from_row(row)

    async def list_for_guild(self, guild_id: int) -> list[StoryRecord]:
        """A server's stories, by title."""
        rows = await self.db.fetch_all(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE guild_id = :guild"
            " ORDER BY lower(title), id",
            {"guild": guild_id},
        )
        return [StoryRecord.from_row(row) for row in rows]

    async def list_for_author(self, guild_id: int, user_id: int) -> list[StoryRecord]:
        """The stories in a server that a user owns or co-authors, by title."""
        rows = await self.db.fetch_all(
            f"SELECT {columns(StoryRecord, 's.')} FROM stories s"
            " JOIN story_authors a ON a.story_id = s.id"
            " WHERE a.user_id = :user AND s.guild_id = :guild"
            " ORDER BY lower(s.title), s.id",
            {"user": user_id, "guild": guild_id},
        )
        return [StoryRecord.from_row(row) for row in rows]

    async def find_by_title(
        self, guild_id: int, text: str, *, limit: int = 25
    ) -> list[StoryRecord]:
        """Stories whose title matches `text`, best first: exact (ignoring case), prefix, contains.

        The caller can treat a first result whose title equals `text` (casefolded) as the story
        meant, and offer the rest as suggestions. `limit` defaults to Discord's autocomplete cap.
        """
        needle = text.strip()
        if not needle:
            return []
        exact = [
            StoryRecord.from_row(row)
            for row in await self.db.fetch_all(
                FIND_EXACT_TITLE_SQL, {"guild": guild_id, "title": needle}
            )
        ]
        # SQL's lower() may fold ASCII only; rank the rest in Python with Unicode casefolding.
        titles = await self.db.fetch_all(
            "SELECT id, title FROM stories WHERE guild_id = :guild", {"guild": guild_id}
        )
        seen = {record.id for record in exact}
        ranked = rank_titles(
            needle, [(row["id"], row["title"]) for row in titles if row["id"] not in seen]
        )
        return exact[:limit] + await self._get_many(ranked[: max(0, limit - len(exact))])

    async def _get_many(self, story_ids: list[int]) -> list[StoryRecord]:
        """Stories by id, in the order given (ids that no longer exist are skipped)."""
        if not story_ids:
            return []
        params = {f"id{index}": story_id for index, story_id in enumerate(story_ids)}
        placeholders = ", ".join(f":{name}" for name in params)
        rows = await self.db.fetch_all(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE id IN ({placeholders})", params
        )
        by_id = {row["id"]: StoryRecord.from_row(row) for row in rows}
        return [by_id[story_id] for story_id in story_ids if story_id in by_id]

    async def update_metadata(self, story_id: int, **fields: Any) -> StoryRecord | None:
        """Change whitelisted story columns (see `UPDATABLE_FIELDS`); None if the story is gone."""
        unknown = set(fields) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(
                f"cannot update {sorted(unknown)}; allowed: {sorted(UPDATABLE_FIELDS)}"
            )
        if "style" in fields:
            _check_choice("style", fields["style"], STORY_STYLES)
        if "channel_mode" in fields:
            _check_choice("channel_mode", fields["channel_mode"], CHANNEL_MODES)
        if "title" in fields and not (fields["title"] or "").strip():
            raise ValueError("a story title cannot be empty")
        values = {name: _to_column(name, value) for name, value in fields.items()}
        values["updated_at"] = self.now()
        # Column names come from the whitelist above, never from the caller's strings.
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        async with self.db.transaction() as tx:
            await tx.execute(
                f"UPDATE stories SET {assignments} WHERE id = :story_id",
                {**values, "story_id": story_id},
            )
            row = await tx.fetch_one(_STORY_BY_ID_SQL, {"id": story_id})
        return None if row is None else StoryRecord.from_row(row)

    async def delete(self, story_id: int) -> bool:
        """Delete a story with everything hanging off it (cascade); False if it did not exist."""
        async with self.db.transaction() as tx:
            return await tx.execute("DELETE FROM stories WHERE id = :id", {"id": story_id}) > 0

    async def authors(self, story_id: int) -> list[AuthorRecord]:
        """A story's owner and co-authors, owner first."""
        rows = await self.db.fetch_all(
            "SELECT story_id, user_id, role FROM story_authors WHERE story_id = :story"
            " ORDER BY CASE WHEN role = 'owner' THEN 0 ELSE 1 END, user_id",
            {"story": story_id},
        )
        return [AuthorRecord.from_row(row) for row in rows]

    async def is_author(self, story_id: int, user_id: int) -> bool:
        """True if the user owns or co-authors the story."""
        return (
            await self.db.fetch_value(
                "SELECT 1 FROM story_authors WHERE story_id = :story AND user_id = :user",
                {"story": story_id, "user": user_id},
            )
            is not None
        )

    async def add_author(self, story_id: int, user_id: int) -> bool:
        """Make a user a co-author; False if they already were an author (owner or co-author)."""
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT INTO story_authors (story_id, user_id, role)"
                " VALUES (:story, :user, 'coauthor')"
                " ON CONFLICT (story_id, user_id) DO NOTHING",
                {"story": story_id, "user": user_id},
            )
        return added > 0

    async def remove_author(self, story_id: int, user_id: int) -> bool:
        """Remove a co-author; False if they were not one. The owner cannot be removed this way."""
        async with self.db.transaction() as tx:
            removed = await tx.execute(
                "DELETE FROM story_authors"
                " WHERE story_id = :story AND user_id = :user AND role = 'coauthor'",
                {"story": story_id, "user": user_id},
            )
        return removed > 0


def rank_titles(needle: str, titles: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of titles matching `needle` (casefolded): exact, then prefix, then contains."""
    folded = needle.casefold()
    ranked: list[tuple[int, str, int]] = []
    for story_id, title in titles:
        candidate = title.casefold()
        if candidate == folded:
            rank = 0
        elif candidate.startswith(folded):
            rank = 1
        elif folded in candidate:
            rank = 2
        else:
            continue
        ranked.append((rank, candidate, story_id))
    return [story_id for _, _, story_id in sorted(ranked)]


async def _insert_story(
    tx: Transaction, guild_id: int, owner_id: int, story: Story, now: int, settings: dict[str, Any]
) -> int:
    """Insert the `stories` row; `settings` holds style, channel_id and channel_mode."""
    values = {
        "guild_id": guild_id,
        "owner_id": owner_id,
        "title": story.title,
        "summary": story.summary,
        "notes": story.notes,
        "end_notes": story.end_notes,
        "rating": story.rating,
        "warnings": _json_list(story.warnings),
        "tags": _json_list(story.tags),
        "source_authors": _json_list(story.authors),
        "language": story.language,
        "source_format": story.source_format,
        "style": settings["style"],
        "channel_id": settings["channel_id"],
        "channel_mode": settings["channel_mode"],
        "created_at": now,
        "updated_at": now,
    }
    row = await tx.fetch_one(
        f"INSERT INTO stories ({', '.join(values)})"
        f" VALUES ({', '.join(f':{name}' for name in values)}) RETURNING id",
        values,
    )
    assert row is not None
    return int(row[0])


def _json_list(items: Iterable[str]) -> str:
    return json.dumps([str(item) for item in items], ensure_ascii=False)


def _to_column(name: str, value: Any) -> Any:
    """A Python value as stored in the `stories` column `name`."""
    if name in _JSON_LIST_FIELDS:
        if isinstance(value, str):
            raise ValueError(f"{name} must be a list of strings, not one string")
        return _json_list(value or ())
    if name in _BOOL_FIELDS:
        return int(bool(value))
    return value


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
