"""Release schedules: when a story's next chapters go out, and how often."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.publishing.records import ReleaseRecord, ScheduleRecord
from bot.publishing.releases import insert_release
from bot.sharding import ShardSet
from bot.storage.database import Transaction
from bot.storage.repository import Repository, columns, shard_stories_sql
from bot.stories.records import ChannelMode

_COLUMNS = columns(ScheduleRecord)
_S_COLUMNS = columns(ScheduleRecord, "s.")
# Schedules without a next run sort after the others (a CASE, since PostgreSQL can't sum or
# compare booleans the way SQLite does).
_NULLS_LAST = "CASE WHEN next_run_at IS NULL THEN 1 ELSE 0 END"
# A schedule with no next run is over. The CAST gives PostgreSQL the parameter's type.
_ACTIVE_WHILE_NEXT = "CASE WHEN CAST(:next AS BIGINT) IS NULL THEN 0 ELSE active END"

# Stories of servers the bot was removed from (bot.lifecycle): their schedules never run.
_REMOVED_STORIES = (
    "SELECT stories.id FROM stories JOIN guild_removals"
    " ON guild_removals.guild_id = stories.guild_id"
)


class ScheduleRepository(Repository):
    """Create, find and advance release schedules. Computing run times is the caller's job."""

    async def create(
        self,
        story_id: int,
        created_by: int,
        next_run_at: int,
        timezone: str,
        *,
        rule: str | None = None,
        chapters_per_run: int = 1,
        channel_id: int | None = None,
    ) -> ScheduleRecord:
        """Add an active schedule; `rule` is the normalised repeat rule (None = run once)."""
        if chapters_per_run < 1:
            raise ValueError("chapters_per_run must be at least 1")
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO schedules (story_id, created_by, next_run_at, rule, timezone,"
                " chapters_per_run, channel_id, active, created_at)"
                " VALUES (:story, :created_by, :next_run_at, :rule, :timezone,"
                f" :chapters_per_run, :channel, 1, :now) RETURNING {_COLUMNS}",
                {
                    "story": story_id,
                    "created_by": created_by,
                    "next_run_at": next_run_at,
                    "rule": rule,
                    "timezone": timezone,
                    "chapters_per_run": chapters_per_run,
                    "channel": channel_id,
                    "now": self.now(),
                },
            )
        assert row is not None
        return ScheduleRecord.from_row(row)

    async def get(self, schedule_id: int) -> ScheduleRecord | None:
        """A schedule by id, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM schedules WHERE id = :id", {"id": schedule_id}
        )
        return None if row is None else ScheduleRecord.from_row(row)

    async def for_story(self, story_id: int) -> list[ScheduleRecord]:
        """A story's schedules, active ones first, soonest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM schedules WHERE story_id = :story"
            f" ORDER BY active DESC, {_NULLS_LAST}, next_run_at, id",
            {"story": story_id},
        )
        return [ScheduleRecord.from_row(row) for row in rows]

    async def active(self, shards: ShardSet | None = None) -> list[ScheduleRecord]:
        """Every active schedule of `shards`' guilds with a next run, soonest first (to arm
        timers at start-up)."""
        mine = shard_stories_sql(shards)
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM schedules"
            " WHERE active = 1 AND next_run_at IS NOT NULL"
            f"{mine}"
            f" AND story_id NOT IN ({_REMOVED_STORIES}) ORDER BY next_run_at, id"
        )
        return [ScheduleRecord.from_row(row) for row in rows]

    async def pause_story(
        self, story_id: int, *, also: Callable[[Transaction], Awaitable[object]] | None = None
    ) -> None:
        """Pause a story's schedules; `also` writes more in the same transaction (an event)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE stories SET paused = 1, updated_at = :now WHERE id = :id",
                {"id": story_id, "now": self.now()},
            )
            if also is not None:
                await also(tx)

    async def of_removed_guild(self, schedule_id: int) -> bool:
        """True if the schedule's server removed the bot (its schedules wait or get purged)."""
        found = await self.db.fetch_value(
            f"SELECT COUNT(*) FROM schedules WHERE id = :id AND story_id IN ({_REMOVED_STORIES})",
            {"id": schedule_id},
        )
        return bool(found)

    async def due(self, now: int) -> list[ScheduleRecord]:
        """Active schedules whose next run is at or before `now`, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM schedules"
            " WHERE active = 1 AND next_run_at <= :now ORDER BY next_run_at, id",
            {"now": now},
        )
        return [ScheduleRecord.from_row(row) for row in rows]

    async def set_next_run(self, schedule_id: int, next_run_at: int | None) -> bool:
        """Move a schedule's next run; None (no more runs) also deactivates it."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE schedules SET next_run_at = :next,"
                f" active = {_ACTIVE_WHILE_NEXT} WHERE id = :id",
                {"next": next_run_at, "id": schedule_id},
            )
        return changed > 0

    async def set_active(self, schedule_id: int, active: bool) -> bool:
        """Pause or resume one schedule; False if it does not exist."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE schedules SET active = :active WHERE id = :id",
                {"active": int(active), "id": schedule_id},
            )
        return changed > 0

    async def delete(self, schedule_id: int) -> bool:
        """Remove a schedule (its past releases stay, detached); False if it did not exist."""
        async with self.db.transaction() as tx:
            deleted = await tx.execute("DELETE FROM schedules WHERE id = :id", {"id": schedule_id})
        return deleted > 0

    async def for_guild(self, guild_id: int) -> list[ScheduleRecord]:
        """Every schedule of a server's stories, active ones first, soonest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_S_COLUMNS} FROM schedules s JOIN stories t ON t.id = s.story_id"
            " WHERE t.guild_id = :guild"
            " ORDER BY s.active DESC,"
            " CASE WHEN s.next_run_at IS NULL THEN 1 ELSE 0 END, s.next_run_at, s.id",
            {"guild": guild_id},
        )
        return [ScheduleRecord.from_row(row) for row in rows]

    async def record_run(
        self,
        schedule: ScheduleRecord,
        next_run_at: int | None,
        *,
        ran_at: int,
        chapter_ids: Sequence[int] = (),
        channel_id: int | None = None,
        channel_mode: ChannelMode = "messages",
    ) -> list[ReleaseRecord] | None:
        """Claim the schedule's due run: create its releases and move it on, atomically.

        The update only matches while `next_run_at` is still what `schedule` says, so a run is
        taken once even if two timers fire; None means someone else took it (or it changed).
        `ran_at` becomes `last_run_at` and the releases' due time; a None `next_run_at` ends the
        schedule.
        """
        if chapter_ids and channel_id is None:
            raise ValueError("releases need a channel")
        now = self.now()
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE schedules SET next_run_at = :next, last_run_at = :ran_at,"
                f" active = {_ACTIVE_WHILE_NEXT}"
                " WHERE id = :id AND active = 1 AND next_run_at = :expected",
                {
                    "next": next_run_at,
                    "ran_at": ran_at,
                    "id": schedule.id,
                    "expected": schedule.next_run_at,
                },
            )
            if not changed:
                return None
            return [
                await insert_release(
                    tx,
                    now,
                    schedule.story_id,
                    chapter_id,
                    ran_at,
                    channel_id or 0,
                    channel_mode,
                    schedule.id,
                )
                for chapter_id in chapter_ids
            ]

    async def stop_for_story(self, story_id: int) -> int:
        """Deactivate a story's active schedules (e.g. nothing is left to release)."""
        async with self.db.transaction() as tx:
            return await tx.execute(
                "UPDATE schedules SET active = 0, next_run_at = NULL"
                " WHERE story_id = :story AND active = 1",
                {"story": story_id},
            )
