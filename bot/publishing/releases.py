"""Releases (one chapter going out to one channel) and the history of their attempts.

Life of a release: `create` (pending) -> `claim` (posting, one more attempt) -> `finish` (done) or
`fail` (failed, may be claimed again for a retry). Every step is logged in `release_events`. A
release still 'posting' at start-up was interrupted by a crash; `interrupted()` lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.publishing.records import ReleaseEventRecord, ReleaseRecord
from bot.sharding import ShardSet
from bot.storage.database import Transaction
from bot.storage.repository import Repository, columns, shard_stories_sql
from bot.stories.records import CHANNEL_MODES, ChannelMode, ChapterRecord

_COLUMNS = columns(ReleaseRecord)
_EVENT_COLUMNS = columns(ReleaseEventRecord)
_CHAPTER_COLUMNS = columns(ChapterRecord, "c.")

# How long a claimed release stays leased without renewal (a page renews it).
DEFAULT_LEASE_S = 30

AlsoInTransaction = Callable[[Transaction], Awaitable[object]]
"""More writes that belong to a release's state change, run inside its transaction."""


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a story's release history: which chapter, when, what happened."""

    release_id: int
    chapter_number: int
    channel_id: int
    at: int
    outcome: str
    detail: str | None


class ReleaseRepository(Repository):
    """Record releases and their attempts; status changes are atomic, so one release posts once."""

    async def create(
        self,
        story_id: int,
        chapter_id: int,
        due_at: int,
        channel_id: int,
        channel_mode: ChannelMode,
        *,
        schedule_id: int | None = None,
    ) -> ReleaseRecord:
        """Add a pending release of one chapter."""
        async with self.db.transaction() as tx:
            return await insert_release(
                tx, self.now(), story_id, chapter_id, due_at, channel_id, channel_mode, schedule_id
            )

    async def create_many(
        self,
        story_id: int,
        chapter_ids: list[int],
        due_at: int,
        channel_id: int,
        channel_mode: ChannelMode,
    ) -> list[ReleaseRecord]:
        """Add pending releases of several chapters at once (all or none)."""
        now = self.now()
        async with self.db.transaction() as tx:
            return [
                await insert_release(tx, now, story_id, cid, due_at, channel_id, channel_mode)
                for cid in chapter_ids
            ]

    async def get(self, release_id: int) -> ReleaseRecord | None:
        """A release by id, or None."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM releases WHERE id = :id", {"id": release_id}
        )
        return None if row is None else ReleaseRecord.from_row(row)

    async def claim(
        self,
        release_id: int,
        shards: ShardSet | None = None,
        *,
        owner: str | None = None,
        lease_s: int = DEFAULT_LEASE_S,
    ) -> ReleaseRecord | None:
        """Start an attempt: pending/failed -> posting, leased to `owner` for `lease_s`.

        None if someone else has it, it's done, or its guild is not one of `shards`' (a process
        never posts another shard's release). One conditional UPDATE: of two processes claiming
        the same release, exactly one changes the row.
        """
        now = self.now()
        mine = shard_stories_sql(shards)
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE releases SET status = 'posting', attempts = attempts + 1,"
                " started_at = :now, finished_at = NULL,"
                " claimed_by = :owner, lease_until = :until"
                " WHERE id = :id AND status IN ('pending', 'failed')"
                f"{mine}"
                f" RETURNING {_COLUMNS}",
                {"now": now, "id": release_id, "owner": owner, "until": now + lease_s},
            )
            if row is None:
                return None
            await _log(tx, release_id, now, "started", f"attempt {row['attempts']}")
        return ReleaseRecord.from_row(row)

    async def set_thread(self, release_id: int, thread_id: int) -> bool:
        """Remember the thread or forum post a release is going into."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE releases SET thread_id = :thread WHERE id = :id",
                {"thread": thread_id, "id": release_id},
            )
        return changed > 0

    async def set_header(self, release_id: int, message_id: int) -> bool:
        """Remember the header/announcement message a release posted before its pages."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE releases SET header_message_id = :message WHERE id = :id",
                {"message": message_id, "id": release_id},
            )
        return changed > 0

    async def renew(self, release_id: int, owner: str | None, lease_s: int) -> bool:
        """Extend `owner`'s lease on a release it is posting; False if the claim was lost
        (the lease ran out and another process of the same shard took the release over)."""
        now = self.now()
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE releases SET lease_until = :until WHERE id = :id AND status = 'posting'"
                " AND COALESCE(claimed_by, '') = COALESCE(:owner, '')",
                {"until": now + lease_s, "id": release_id, "owner": owner},
            )
        return changed > 0

    async def requeue_interrupted(
        self, shards: ShardSet | None = None, *, expired_only: bool = False
    ) -> list[ReleaseRecord]:
        """Releases of `shards`' guilds left 'posting' by a stopped process go back to 'pending'.

        Other shards' releases are theirs to resume. With `expired_only` (several processes
        share the database) only releases whose lease ran out are taken: one still leased may
        be being posted by a live process right now.
        """
        now = self.now()
        mine = shard_stories_sql(shards)
        expired = " AND (lease_until IS NULL OR lease_until < :now)" if expired_only else ""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE releases SET status = 'pending', claimed_by = NULL, lease_until = NULL"
                f" WHERE status = 'posting'{expired}"
                f"{mine}"
                f" RETURNING {_COLUMNS}",
                {"now": now} if expired_only else (),
            )
            for row in rows:
                await _log(tx, row["id"], now, "interrupted", "the bot stopped; resuming")
        return sorted((ReleaseRecord.from_row(r) for r in rows), key=lambda r: (r.due_at, r.id))

    async def unplanned_chapters(self, story_id: int, limit: int) -> list[ChapterRecord]:
        """The next `limit` unreleased chapters that no pending or posting release covers."""
        rows = await self.db.fetch_all(
            f"SELECT {_CHAPTER_COLUMNS} FROM chapters c"
            " WHERE c.story_id = :story AND c.released_at IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM releases r WHERE r.chapter_id = c.id"
            "  AND r.status IN ('pending', 'posting'))"
            " ORDER BY c.number LIMIT :limit",
            {"story": story_id, "limit": limit},
        )
        return [ChapterRecord.from_row(row) for row in rows]

    async def earlier_attempts(self, chapter_id: int, release_id: int) -> int:
        """How many other releases of this chapter were ever started (they may have posted)."""
        value = await self.db.fetch_value(
            "SELECT COUNT(*) FROM releases"
            " WHERE chapter_id = :chapter AND id <> :id AND attempts > 0",
            {"chapter": chapter_id, "id": release_id},
        )
        return int(value or 0)

    async def open_for_story(self, story_id: int) -> list[ReleaseRecord]:
        """A story's pending and posting releases, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM releases WHERE story_id = :story"
            " AND status IN ('pending', 'posting') ORDER BY due_at, id",
            {"story": story_id},
        )
        return [ReleaseRecord.from_row(row) for row in rows]

    async def history(self, story_id: int, limit: int = 50) -> list[HistoryEntry]:
        """A story's release events with their chapter numbers, newest first."""
        rows = await self.db.fetch_all(
            "SELECT e.release_id, c.number AS chapter_number, r.channel_id, e.at, e.outcome,"
            " e.detail FROM release_events e JOIN releases r ON r.id = e.release_id"
            " JOIN chapters c ON c.id = r.chapter_id WHERE r.story_id = :story"
            " ORDER BY e.at DESC, e.id DESC LIMIT :limit",
            {"story": story_id, "limit": limit},
        )
        return [HistoryEntry(**dict(row)) for row in rows]

    async def finish(
        self,
        release_id: int,
        detail: str | None = None,
        *,
        chapter_id: int | None = None,
        released_at: int | None = None,
        also: AlsoInTransaction | None = None,
    ) -> ReleaseRecord | None:
        """Mark a claimed ('posting') release done; None if it is not being posted.

        With `chapter_id`, the chapter is marked released at `released_at` in the same
        transaction, and `also(tx)` (e.g. writing the outbox) runs in it too: the release is
        done, its chapter readable and its events recorded together, or none of them.
        """

        async def then(tx: Transaction) -> None:
            if chapter_id is not None:
                # COALESCE: a chapter is released once; `/story repost` keeps the first date.
                await tx.execute(
                    "UPDATE chapters SET released_at = COALESCE(released_at, :at) WHERE id = :id",
                    {"at": self.now() if released_at is None else released_at, "id": chapter_id},
                )
            if also is not None:
                await also(tx)

        return await self._end(release_id, "done", None, detail, then)

    async def fail(
        self, release_id: int, error: str, *, also: AlsoInTransaction | None = None
    ) -> ReleaseRecord | None:
        """Mark a claimed release failed, keeping the error; None if it is not being posted.

        `also(tx)` runs in the same transaction (e.g. recording a `release_failed` event).
        """
        return await self._end(release_id, "failed", error, error, also)

    async def _end(
        self,
        release_id: int,
        status: str,
        error: str | None,
        detail: str | None,
        also: AlsoInTransaction | None = None,
    ) -> ReleaseRecord | None:
        now = self.now()
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE releases SET status = :status, finished_at = :now, lease_until = NULL,"
                " last_error = COALESCE(:error, last_error)"
                f" WHERE id = :id AND status = 'posting' RETURNING {_COLUMNS}",
                {"status": status, "now": now, "error": error, "id": release_id},
            )
            if row is None:
                return None
            await _log(tx, release_id, now, status, detail)
            if also is not None:
                await also(tx)
        return ReleaseRecord.from_row(row)

    async def add_event(self, release_id: int, outcome: str, detail: str | None = None) -> None:
        """Add a free-form entry to a release's history (e.g. 'page 3 posted')."""
        async with self.db.transaction() as tx:
            await _log(tx, release_id, self.now(), outcome, detail)

    async def pending_due(
        self, now: int, shards: ShardSet | None = None, *, paused: bool = True
    ) -> list[ReleaseRecord]:
        """Pending releases of `shards`' guilds due at or before `now`, oldest first; without
        those of paused stories when `paused` is False."""
        mine = shard_stories_sql(shards)
        held = "" if paused else " AND story_id NOT IN (SELECT id FROM stories WHERE paused = 1)"
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM releases WHERE status = 'pending' AND due_at <= :now"
            f"{mine}{held}"
            # Not for servers the bot was removed from (bot.lifecycle): they wait, or go.
            " AND story_id NOT IN (SELECT stories.id FROM stories JOIN guild_removals"
            " ON guild_removals.guild_id = stories.guild_id)"
            " ORDER BY due_at, id",
            {"now": now},
        )
        return [ReleaseRecord.from_row(row) for row in rows]

    async def interrupted(self) -> list[ReleaseRecord]:
        """Releases left 'posting' (the bot stopped mid-post), oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM releases WHERE status = 'posting' ORDER BY due_at, id"
        )
        return [ReleaseRecord.from_row(row) for row in rows]

    async def for_story(self, story_id: int, limit: int = 25) -> list[ReleaseRecord]:
        """A story's releases, newest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM releases WHERE story_id = :story"
            " ORDER BY due_at DESC, id DESC LIMIT :limit",
            {"story": story_id, "limit": limit},
        )
        return [ReleaseRecord.from_row(row) for row in rows]

    async def events(self, release_id: int) -> list[ReleaseEventRecord]:
        """A release's history, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_EVENT_COLUMNS} FROM release_events"
            " WHERE release_id = :release ORDER BY at, id",
            {"release": release_id},
        )
        return [ReleaseEventRecord.from_row(row) for row in rows]


async def insert_release(
    tx: Transaction,
    now: int,
    story_id: int,
    chapter_id: int,
    due_at: int,
    channel_id: int,
    channel_mode: ChannelMode,
    schedule_id: int | None = None,
) -> ReleaseRecord:
    """Insert one pending release (and its 'created' event) inside a caller's transaction."""
    if channel_mode not in CHANNEL_MODES:
        raise ValueError(f"channel_mode must be one of {CHANNEL_MODES}")
    row = await tx.fetch_one(
        "INSERT INTO releases (story_id, schedule_id, chapter_id, due_at, channel_id,"
        " channel_mode) VALUES (:story, :schedule, :chapter, :due_at, :channel, :mode)"
        f" RETURNING {_COLUMNS}",
        {
            "story": story_id,
            "schedule": schedule_id,
            "chapter": chapter_id,
            "due_at": due_at,
            "channel": channel_id,
            "mode": channel_mode,
        },
    )
    assert row is not None
    await _log(tx, row["id"], now, "created", None)
    return ReleaseRecord.from_row(row)


async def _log(tx: Transaction, release_id: int, at: int, outcome: str, detail: str | None) -> None:
    await tx.execute(
        "INSERT INTO release_events (release_id, at, outcome, detail)"
        " VALUES (:release, :at, :outcome, :detail)",
        {"release": release_id, "at": at, "outcome": outcome, "detail": detail},
    )
