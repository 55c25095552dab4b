"""Early-access storage: each story's setting (migration 0016) and the early-readers count."""

from __future__ import annotations

from bot.early_access.records import EarlyAccessSetting
from bot.sharding import ShardSet
from bot.storage.repository import Repository, columns, shard_stories_sql, upsert_sql

_COLUMNS = columns(EarlyAccessSetting)

# Distinct readers per chapter who read it before its public release (or while it is still
# unreleased): read events older than the chapter's release time.
EARLY_READERS_SQL = (
    "SELECT c.number AS number, COUNT(DISTINCT e.user_id) AS readers"
    " FROM read_events e JOIN chapters c ON c.id = e.chapter_id"
    " WHERE e.story_id = :story AND (c.released_at IS NULL OR e.at < c.released_at)"
    " GROUP BY c.number ORDER BY c.number"
)


class EarlyAccessRepository(Repository):
    """The `story_early_access` table."""

    async def get(self, story_id: int) -> EarlyAccessSetting | None:
        """A story's early access, or None when it has none."""
        row = await self.db.fetch_point(
            f"SELECT {_COLUMNS} FROM story_early_access WHERE story_id = :story",
            {"story": story_id},
        )
        return None if row is None else EarlyAccessSetting(**dict(row))

    async def set(self, story_id: int, role_id: int, hours: int) -> None:
        """Turn a story's early access on (or change it)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                upsert_sql("story_early_access", ["story_id"], ["role_id", "hours"]),
                {"story_id": story_id, "role_id": role_id, "hours": hours},
            )

    async def clear(self, story_id: int) -> bool:
        """Turn a story's early access off; False if it had none."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM story_early_access WHERE story_id = :story", {"story": story_id}
            )
        return changed > 0

    async def for_guild(self, guild_id: int) -> list[EarlyAccessSetting]:
        """The early access of a server's stories."""
        rows = await self.db.fetch_all(
            f"SELECT {columns(EarlyAccessSetting, 'e.')} FROM story_early_access e"
            " JOIN stories s ON s.id = e.story_id WHERE s.guild_id = :guild ORDER BY e.story_id",
            {"guild": guild_id},
        )
        return [EarlyAccessSetting(**dict(row)) for row in rows]

    async def every(self, shards: ShardSet | None = None) -> list[EarlyAccessSetting]:
        """Every story's early access (of `shards`' servers), to arm the timers."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM story_early_access WHERE 1 = 1"
            f"{shard_stories_sql(shards)} ORDER BY story_id"
        )
        return [EarlyAccessSetting(**dict(row)) for row in rows]

    async def early_readers(self, story_id: int) -> list[tuple[int, int]]:
        """`(chapter number, readers)` of chapters read before their public release."""
        rows = await self.db.fetch_all(EARLY_READERS_SQL, {"story": story_id})
        return [(int(row["number"]), int(row["readers"])) for row in rows]
