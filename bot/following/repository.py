"""Following storage: follows, DM opt-outs, per-story DM setting, and per-release deliveries.

Plain SQL through the `Database` protocol (migration 0010). Deliveries are claimed with a
conditional UPDATE and a lease, like the outbox, so two drainers never send the same DM and a
crashed drainer's claim lapses; the unique (story_id, run_at, user_id, kind) key makes
re-creating a run's rows (a replayed outbox row) add nothing. The chapters a DM covers are
claimed per (chapter, follower) in `follow_delivery_chapters` (migration 0018) when it is
claimed for sending, so a follower hears of each chapter once, whichever run released it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from bot.following.records import DeliveryRecord, FollowerCounts, FollowRecord
from bot.sharding import ShardSet
from bot.storage.repository import Repository, columns, shard_sql, upsert_sql

__all__ = ["DeliveryRecord", "FollowRecord", "FollowRepository", "FollowerCounts"]

_FOLLOW = columns(FollowRecord)
_DELIVERY = columns(DeliveryRecord)


class FollowRepository(Repository):
    """The `follows`, `follow_dm_optouts`, `story_following` and `follow_deliveries` tables."""

    # -- follows ---------------------------------------------------------------------------

    async def follow(self, guild_id: int, user_id: int, story_id: int) -> bool:
        """Follow a story; True if new. Following again re-opens a follow whose DMs failed."""
        params = {"story": story_id, "user": user_id, "guild": guild_id, "now": self.now()}
        async with self.db.transaction() as tx:
            existed = await tx.fetch_value(
                "SELECT 1 FROM follows WHERE story_id = :story AND user_id = :user", params
            )
            if existed:
                await tx.execute(
                    "UPDATE follows SET undeliverable_at = NULL"
                    " WHERE story_id = :story AND user_id = :user",
                    params,
                )
                return False
            await tx.execute(
                "INSERT INTO follows (story_id, user_id, guild_id, created_at)"
                " VALUES (:story, :user, :guild, :now) ON CONFLICT (story_id, user_id) DO NOTHING",
                params,
            )
        return True

    async def unfollow(self, user_id: int, story_id: int) -> bool:
        """Stop following; True if the reader was following."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM follows WHERE story_id = :story AND user_id = :user",
                {"story": story_id, "user": user_id},
            )
        return changed > 0

    async def get(self, user_id: int, story_id: int) -> FollowRecord | None:
        """One reader's follow of one story, if any."""
        row = await self.db.fetch_one(
            f"SELECT {_FOLLOW} FROM follows WHERE story_id = :story AND user_id = :user",
            {"story": story_id, "user": user_id},
        )
        return None if row is None else FollowRecord(**dict(row))

    async def follows_of(self, guild_id: int, user_id: int) -> list[FollowRecord]:
        """A reader's follows in one server, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_FOLLOW} FROM follows WHERE guild_id = :guild AND user_id = :user"
            " ORDER BY created_at, story_id",
            {"guild": guild_id, "user": user_id},
        )
        return [FollowRecord(**dict(row)) for row in rows]

    async def deliverable_followers(self, story_id: int) -> list[int]:
        """Followers of a story a DM may go to: DMs not closed, not opted out in the server."""
        rows = await self.db.fetch_all(
            "SELECT f.user_id FROM follows f WHERE f.story_id = :story"
            " AND f.undeliverable_at IS NULL AND NOT EXISTS ("
            "   SELECT 1 FROM follow_dm_optouts o"
            "    WHERE o.guild_id = f.guild_id AND o.user_id = f.user_id)"
            " ORDER BY f.user_id",
            {"story": story_id},
        )
        return [row["user_id"] for row in rows]

    async def counts(self, story_id: int) -> FollowerCounts:
        """How many follow a story and how many of those have their DMs closed."""
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS followers,"
            " COALESCE(SUM(CASE WHEN undeliverable_at IS NULL THEN 0 ELSE 1 END), 0) AS closed"
            " FROM follows WHERE story_id = :story",
            {"story": story_id},
        )
        assert row is not None
        return FollowerCounts(int(row["followers"]), int(row["closed"]))

    async def next_release_at(self, story_id: int) -> int | None:
        """When the story's next scheduled release runs (publishing's schedules), if any."""
        value = await self.db.fetch_value(
            "SELECT MIN(next_run_at) FROM schedules"
            " WHERE story_id = :story AND active = 1 AND next_run_at IS NOT NULL",
            {"story": story_id},
        )
        return None if value is None else int(value)

    async def mark_undeliverable(self, user_id: int, story_id: int) -> None:
        """Discord refused DMs to this reader: skip the follow until they /follow again."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE follows SET undeliverable_at = :now"
                " WHERE story_id = :story AND user_id = :user AND undeliverable_at IS NULL",
                {"now": self.now(), "story": story_id, "user": user_id},
            )

    # -- settings --------------------------------------------------------------------------

    async def set_dms(self, guild_id: int, user_id: int, on: bool) -> None:
        """`/dms on|off`: whether the bot may DM this reader about this server at all."""
        params = {"guild": guild_id, "user": user_id, "now": self.now()}
        async with self.db.transaction() as tx:
            if on:
                await tx.execute(
                    "DELETE FROM follow_dm_optouts WHERE guild_id = :guild AND user_id = :user",
                    params,
                )
            else:
                await tx.execute(
                    "INSERT INTO follow_dm_optouts (guild_id, user_id, created_at)"
                    " VALUES (:guild, :user, :now) ON CONFLICT (guild_id, user_id) DO NOTHING",
                    params,
                )

    async def dms_on(self, guild_id: int, user_id: int) -> bool:
        """False when the reader used `/dms off` in this server."""
        row = await self.db.fetch_value(
            "SELECT 1 FROM follow_dm_optouts WHERE guild_id = :guild AND user_id = :user",
            {"guild": guild_id, "user": user_id},
        )
        return row is None

    async def set_follow_dm(self, story_id: int, on: bool) -> None:
        """`/settings follow-dm`: whether a release of this story DMs its followers."""
        async with self.db.transaction() as tx:
            await tx.execute(
                upsert_sql("story_following", ["story_id"], ["follow_dm"]),
                {"story_id": story_id, "follow_dm": int(on)},
            )

    async def follow_dm(self, story_id: int) -> bool:
        """Whether releases of this story DM its followers (on unless turned off)."""
        value = await self.db.fetch_value(
            "SELECT follow_dm FROM story_following WHERE story_id = :story", {"story": story_id}
        )
        return value is None or bool(value)

    # -- deliveries ------------------------------------------------------------------------

    async def run_of(self, release_id: int) -> int | None:
        """The run a release belongs to: its due time (publishing's releases)."""
        value = await self.db.fetch_value(
            "SELECT due_at FROM releases WHERE id = :id", {"id": release_id}
        )
        return None if value is None else int(value)

    async def run_chapters(self, story_id: int, run_at: int) -> list[int] | None:
        """The released chapters of a run in order, or None while part of it is still posting."""
        rows = await self.db.fetch_all(
            "SELECT chapter_id, status FROM releases"
            " WHERE story_id = :story AND due_at = :run ORDER BY id",
            {"story": story_id, "run": run_at},
        )
        if any(row["status"] in ("pending", "posting") for row in rows):
            return None
        return [row["chapter_id"] for row in rows if row["status"] == "done"]

    async def release_of(self, release_id: int) -> tuple[int, int] | None:
        """A release's run (its due time) and chapter (publishing's releases)."""
        row = await self.db.fetch_one(
            "SELECT due_at, chapter_id FROM releases WHERE id = :id", {"id": release_id}
        )
        return None if row is None else (int(row["due_at"]), int(row["chapter_id"]))

    async def add_deliveries(
        self,
        run_at: int,
        story_id: int,
        guild_id: int,
        user_ids: Iterable[int],
        kind: str = "release",
        chapter_id: int | None = None,
    ) -> int:
        """One pending DM of `kind` per follower for a release run; rows that exist stay as
        they are (a replayed outbox row adds nothing). Followers already DMed about
        `chapter_id` (by an early DM, or another run) get no row for it.

        Returns how many rows are new.
        """
        now = self.now()
        added = 0
        async with self.db.transaction() as tx:
            for user_id in user_ids:
                if chapter_id is not None and await tx.fetch_value(
                    "SELECT 1 FROM follow_delivery_chapters"
                    " WHERE chapter_id = :chapter AND user_id = :user",
                    {"chapter": chapter_id, "user": user_id},
                ):
                    continue
                added += await tx.execute(
                    "INSERT INTO follow_deliveries (run_at, story_id, guild_id, user_id,"
                    " nonce, created_at, kind)"
                    " VALUES (:run, :story, :guild, :user, :nonce, :now, :kind)"
                    " ON CONFLICT (story_id, run_at, user_id, kind) DO NOTHING",
                    {
                        "run": run_at,
                        "story": story_id,
                        "guild": guild_id,
                        "user": user_id,
                        # Discord nonces are at most 25 characters.
                        "nonce": uuid.uuid4().hex[:25],
                        "now": now,
                        "kind": kind,
                    },
                )
        return added

    async def cover(self, delivery: DeliveryRecord, chapter_ids: Iterable[int]) -> set[int]:
        """Claim `chapter_ids` for this DM's follower, in one transaction; returns the chapters
        the DM covers: those it claimed now or on an earlier attempt (a resend after a crash
        lists the same ones), never one another DM to the follower already claimed."""
        async with self.db.transaction() as tx:
            for chapter_id in chapter_ids:
                await tx.execute(
                    "INSERT INTO follow_delivery_chapters (delivery_id, chapter_id, user_id)"
                    " VALUES (:delivery, :chapter, :user)"
                    " ON CONFLICT (chapter_id, user_id) DO NOTHING",
                    {"delivery": delivery.id, "chapter": chapter_id, "user": delivery.user_id},
                )
            rows = await tx.fetch_all(
                "SELECT chapter_id FROM follow_delivery_chapters WHERE delivery_id = :delivery",
                {"delivery": delivery.id},
            )
        return {int(row["chapter_id"]) for row in rows}

    async def claim(
        self, limit: int, lease_s: int, shards: ShardSet | None = None
    ) -> list[DeliveryRecord]:
        """Claim up to `limit` pending deliveries whose lease is free or expired and whose run
        has finished posting (no release of it pending or posting); a shard process claims only
        its own servers' deliveries (it alone has their channels and members cached)."""
        now = self.now()
        mine = shard_sql("d.guild_id", shards or ShardSet.unsharded())
        rows = await self.db.fetch_all(
            f"SELECT d.id FROM follow_deliveries d WHERE d.status = 'pending' AND {mine}"
            " AND (d.leased_until IS NULL OR d.leased_until <= :now)"
            " AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.story_id = d.story_id"
            "   AND r.due_at = d.run_at AND r.status IN ('pending', 'posting'))"
            " ORDER BY d.id LIMIT :limit",
            {"now": now, "limit": limit},
        )
        claimed: list[DeliveryRecord] = []
        for row in rows:
            async with self.db.transaction() as tx:
                taken = await tx.fetch_one(
                    "UPDATE follow_deliveries SET leased_until = :until, attempts = attempts + 1"
                    " WHERE id = :id AND status = 'pending'"
                    " AND (leased_until IS NULL OR leased_until <= :now)"
                    f" RETURNING {_DELIVERY}",
                    {"until": now + lease_s, "id": row["id"], "now": now},
                )
            if taken is not None:
                claimed.append(DeliveryRecord(**dict(taken)))
        return claimed

    async def finish(self, delivery_id: int, status: str, message_id: int | None = None) -> bool:
        """Close a delivery as sent / undeliverable / failed / skipped; False if already closed."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE follow_deliveries SET status = :status, sent_at = :now,"
                " message_id = :message, leased_until = NULL"
                " WHERE id = :id AND status = 'pending'",
                {"status": status, "now": self.now(), "message": message_id, "id": delivery_id},
            )
        return changed > 0

    async def retry_later(self, delivery_id: int, delay_s: int) -> None:
        """Release a claim after a failure that may pass; tried again after `delay_s`."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE follow_deliveries SET leased_until = :at"
                " WHERE id = :id AND status = 'pending'",
                {"at": self.now() + delay_s, "id": delivery_id},
            )

    async def deliveries_of(self, story_id: int, run_at: int) -> list[DeliveryRecord]:
        """A release run's deliveries, by user (for tests and diagnostics)."""
        rows = await self.db.fetch_all(
            f"SELECT {_DELIVERY} FROM follow_deliveries WHERE story_id = :story"
            " AND run_at = :run ORDER BY user_id",
            {"story": story_id, "run": run_at},
        )
        return [DeliveryRecord(**dict(row)) for row in rows]

    async def pending_count(self) -> int:
        """How many deliveries wait to be sent."""
        value = await self.db.fetch_value(
            "SELECT COUNT(*) FROM follow_deliveries WHERE status = 'pending'"
        )
        return int(value or 0)
