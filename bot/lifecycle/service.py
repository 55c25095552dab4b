"""`ServerLifecycle`: the bot removed from a server, added back, and the purge after retention.

Discord says the bot left a server with GUILD_DELETE without `unavailable` (an outage sets
`unavailable: true` and changes nothing here). The removal is stored, so a restart neither
re-arms that server's schedules nor forgets its purge; the purge is an APScheduler job armed
at `purge_after`, re-armed at start-up from the table.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.events import EventBus, GuildRemoved, GuildReturned
from bot.lifecycle.repository import Removal, RemovalRepository
from bot.sharding import ShardSet
from bot.storage import Database
from bot.storage.repository import unix_now

log = logging.getLogger(__name__)

DAY_S = 86_400
PURGE_RETRY_S = 60  # a purge that found no database is tried again this much later


def purge_job_id(guild_id: int) -> str:
    """The APScheduler job id of a server's purge."""
    return f"purge:{guild_id}"


class ServerLifecycle:
    """Removal, return and purge of servers; discord-free."""

    def __init__(
        self,
        db: Database,
        scheduler: BaseScheduler,
        bus: EventBus,
        *,
        retention_days: int = 30,
        clock: Callable[[], int] = unix_now,
        shards: ShardSet | None = None,
    ) -> None:
        self.removals = RemovalRepository(db, clock=clock)
        # Each process arms only its own servers' purges (another shard's process arms theirs).
        self.shards = shards or ShardSet.unsharded()
        self.scheduler = scheduler
        self.bus = bus
        self.retention_s = retention_days * DAY_S
        self.clock = clock

    async def guild_removed(self, guild_id: int) -> Removal:
        """The bot was removed: stop the server's schedules now, purge its data later."""
        now = self.clock()
        removal, new = await self.removals.record(guild_id, now, now + self.retention_s)
        if not new:
            return removal  # already stopped and armed
        log.info(
            "removed from server %s: schedules stopped, data purged after %s",
            guild_id,
            datetime.fromtimestamp(removal.purge_after, UTC).isoformat(),
        )
        await self.bus.publish(GuildRemoved(guild_id=guild_id, removed_at=removal.removed_at))
        self._arm(removal)
        return removal

    async def guild_present(self, guild_id: int) -> bool:
        """The server is (again) available to the bot; True if that undid a removal."""
        # Every server is "available" at each connect: a read spares them all a write.
        if await self.removals.get(guild_id) is None or not await self.removals.cancel(guild_id):
            return False
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(purge_job_id(guild_id))
        log.info("added back to server %s before its purge: everything resumes", guild_id)
        await self.bus.publish(GuildReturned(guild_id=guild_id, returned_at=self.clock()))
        return True

    async def removed_while_offline(
        self, present: Callable[[int], bool], *, ours: Callable[[int], bool] = lambda _: True
    ) -> list[int]:
        """At READY: servers with stories this process serves but the bot is no longer in.

        No GUILD_DELETE arrives for a removal while the bot was down, so each such server is
        treated as removed now (schedules stop, the retention clock starts). `present` says,
        live, whether the bot is in a guild: every guild of READY, unavailable ones included
        (an outage is not a removal), and any GUILD_CREATE since. `ours` says whether a guild
        belongs to this process's shards (unsharded: all of them). A GUILD_CREATE arriving
        during the check must be applied after it (the lifecycle cog takes turns in gateway
        order): its `guild_present` then undoes a removal recorded here.
        """
        gone = sorted(g for g in await self.removals.guilds_with_stories() if not present(g))
        removed = [g for g in gone if ours(g)]
        for guild_id in removed:
            await self.guild_removed(guild_id)
        return removed

    async def recover(self) -> None:
        """At start-up: arm the purge of every server still waiting for one."""
        for removal in await self.removals.pending():
            if self.shards.owns(removal.guild_id):
                self._arm(removal)

    async def purge(self, guild_id: int) -> dict[str, int] | None:
        """Delete the server's data if its purge is (still) due; the counts are logged."""
        try:
            counts = await self.removals.purge(guild_id, self.clock())
        except Exception as error:
            # A timer callback has no caller: log, and try again: in a minute when the database
            # did not answer (the data must still go), at the next start-up after a bug.
            db = self.removals.db
            db.log_failure(log, error, "purging server %s failed", guild_id)
            if db.is_unavailable(error):
                now = self.clock()
                self._arm(Removal(guild_id, now, now + PURGE_RETRY_S))
            return None
        if counts is not None:
            summary = ", ".join(f"{table}={n}" for table, n in sorted(counts.items()))
            log.info("purged server %s: %s", guild_id, summary or "no rows")
        return counts

    def _arm(self, removal: Removal) -> None:
        """Run the purge at `purge_after` (at once if that has passed)."""
        self.scheduler.add_job(
            self.purge,
            DateTrigger(run_date=datetime.fromtimestamp(removal.purge_after, UTC)),
            args=[removal.guild_id],
            id=purge_job_id(removal.guild_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
