"""Removed servers waiting for their purge, and the purge itself.

The purge deletes, in one transaction, every row that belongs to one server: its settings, its
stories and everything hanging off them, its readers' progress and reads, its reactions and
notes, the outbox deliveries about it, and its removal row. It deletes children before parents
explicitly (rather than relying on ON DELETE CASCADE) so the counts it logs are exact and the
result does not depend on foreign keys being enforced. It is the one place that knows every
feature's tables: a purge that half-ran would keep data the server's members were promised
deleted, so it cannot be split across event handlers that commit separately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.database import Transaction
from bot.storage.repository import Repository

_STORIES = "SELECT id FROM stories WHERE guild_id = :guild"
_CHAPTERS = f"SELECT id FROM chapters WHERE story_id IN ({_STORIES})"
_RELEASES = f"SELECT id FROM releases WHERE story_id IN ({_STORIES})"
_OF_GUILD = f"guild_id = :guild OR story_id IN ({_STORIES})"

# (table, WHERE clause): children first, so no row points at a parent already deleted.
PURGE_ORDER: tuple[tuple[str, str], ...] = (
    ("release_events", f"release_id IN ({_RELEASES})"),
    ("releases", f"story_id IN ({_STORIES})"),
    ("schedules", f"story_id IN ({_STORIES})"),
    ("story_feedback", f"story_id IN ({_STORIES})"),
    ("follow_deliveries", _OF_GUILD),
    ("follows", _OF_GUILD),
    ("story_following", f"story_id IN ({_STORIES})"),
    ("story_early_access", f"story_id IN ({_STORIES})"),
    ("follow_dm_optouts", "guild_id = :guild"),
    ("notes", _OF_GUILD),
    ("reactions", _OF_GUILD),
    ("read_events", _OF_GUILD),
    ("chapter_reads", _OF_GUILD),
    ("progress", _OF_GUILD),
    ("skipped_parts", f"story_id IN ({_STORIES})"),
    ("pages", f"chapter_id IN ({_CHAPTERS})"),
    ("chapters", f"story_id IN ({_STORIES})"),
    ("story_authors", f"story_id IN ({_STORIES})"),
    ("stories", "guild_id = :guild"),
    ("guild_settings", "guild_id = :guild"),
    ("guild_removals", "guild_id = :guild"),
)


@dataclass(frozen=True)
class Removal:
    """A server the bot was removed from, and when its data goes."""

    guild_id: int
    removed_at: int
    purge_after: int


class RemovalRepository(Repository):
    """The `guild_removals` table and the purge."""

    async def record(
        self, guild_id: int, removed_at: int, purge_after: int
    ) -> tuple[Removal, bool]:
        """Record a removal; True if new (a second GUILD_DELETE keeps the first one's dates)."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT guild_id, removed_at, purge_after FROM guild_removals"
                " WHERE guild_id = :guild",
                {"guild": guild_id},
            )
            if row is not None:
                return Removal(*row), False
            await tx.execute(
                "INSERT INTO guild_removals (guild_id, removed_at, purge_after)"
                " VALUES (:guild, :removed, :purge)",
                {"guild": guild_id, "removed": removed_at, "purge": purge_after},
            )
        return Removal(guild_id, removed_at, purge_after), True

    async def cancel(self, guild_id: int) -> bool:
        """Forget a removal (the bot is back); True if there was one."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM guild_removals WHERE guild_id = :guild", {"guild": guild_id}
            )
        return changed > 0

    async def get(self, guild_id: int) -> Removal | None:
        """The server's pending removal, or None."""
        row = await self.db.fetch_one(
            "SELECT guild_id, removed_at, purge_after FROM guild_removals WHERE guild_id = :guild",
            {"guild": guild_id},
        )
        return None if row is None else Removal(*row)

    async def guilds_with_stories(self) -> set[int]:
        """Servers that have stories (and so maybe schedules) and no pending removal."""
        rows = await self.db.fetch_all(
            "SELECT DISTINCT guild_id FROM stories"
            " WHERE guild_id NOT IN (SELECT guild_id FROM guild_removals)"
        )
        return {int(row[0]) for row in rows}

    async def pending(self) -> list[Removal]:
        """Every removal not purged yet, soonest purge first."""
        rows = await self.db.fetch_all(
            "SELECT guild_id, removed_at, purge_after FROM guild_removals"
            " ORDER BY purge_after, guild_id"
        )
        return [Removal(*row) for row in rows]

    async def purge(self, guild_id: int, now: int) -> dict[str, int] | None:
        """Delete everything of a server whose purge is due; None if it is not (re-added).

        Returns the number of rows deleted per table (tables with none left out).
        """
        params = {"guild": guild_id}
        async with self.db.transaction() as tx:
            due = await tx.fetch_value(
                "SELECT COUNT(*) FROM guild_removals WHERE guild_id = :guild"
                " AND purge_after <= :now",
                {"guild": guild_id, "now": now},
            )
            if not due:
                return None
            stories = {row[0] for row in await tx.fetch_all(_STORIES, params)}
            counts = {"outbox": await _purge_outbox(tx, guild_id, stories)}
            for table, where in PURGE_ORDER:
                counts[table] = await tx.execute(f"DELETE FROM {table} WHERE {where}", params)
        return {table: count for table, count in counts.items() if count}


async def _purge_outbox(tx: Transaction, guild_id: int, stories: set[int]) -> int:
    """Delete outbox rows whose event is about the server or one of its stories.

    Events are stored as JSON without a guild column; every event carries `guild_id` (and
    story events `story_id`), so the rows are read and matched here. Purges are rare.
    """
    rows = await tx.fetch_all("SELECT id, payload FROM outbox")
    doomed = []
    for row in rows:
        payload = json.loads(row[1])
        if payload.get("guild_id") == guild_id or payload.get("story_id") in stories:
            doomed.append({"id": row[0]})
    if doomed:
        await tx.executemany("DELETE FROM outbox WHERE id = :id", doomed)
    return len(doomed)
