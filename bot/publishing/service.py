"""`PublishingService`: publish now, run schedules, recover after downtime, drain on shutdown.

The database is the source of truth. Every active schedule has one APScheduler `DateTrigger` job
(`schedule:<id>`) at its `next_run_at`, re-armed from the DB after each run; claiming a run and
creating its releases is one conditional transaction, so a run happens once even if timers race.
Releases post side by side, one at a time per story and per channel (`PostingLanes`), in the
order they were queued. A run that found no database is tried again later, backing off; what a
run left half-way is resumed by `StalledReleases` every lease period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.errors import InvalidInput
from bot.events import EventBus, GuildRemoved, GuildReturned, SchedulePaused, StoryDeleted
from bot.i18n import N_
from bot.outbox import Outbox
from bot.publishing.lanes import PostingLanes
from bot.publishing.planner import Target, check_target, mode_for
from bot.publishing.port import PublishPort
from bot.publishing.records import ReleaseRecord, ScheduleRecord
from bot.publishing.releases import DEFAULT_LEASE_S, ReleaseRepository
from bot.publishing.runner import Progress, ReleaseRunner, RunResult, Voice
from bot.publishing.runs import plan_run
from bot.publishing.schedules import ScheduleRepository
from bot.publishing.stalled import StalledReleases
from bot.settings.repository import SettingsRepository
from bot.sharding import ShardSet, process_owner
from bot.storage import Database
from bot.storage.database import Transaction
from bot.storage.repository import unix_now
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

log = logging.getLogger(__name__)

# A schedule's run that could not reach the database is tried again this much later, the wait
# doubling up to RETRY_MAX_S: its timer must not be lost while the database restarts.
RETRY_FIRST_S = 5
RETRY_MAX_S = 60


def job_id(schedule_id: int) -> str:
    """The APScheduler job id of a schedule."""
    return f"schedule:{schedule_id}"


class PublishingService:
    """Publishing use cases; discord-free (Discord is reached through the port)."""

    def __init__(
        self,
        db: Database,
        port: PublishPort,
        scheduler: BaseScheduler,
        *,
        wait_ready: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], int] = unix_now,
        outbox: Outbox | None = None,
        bus: EventBus | None = None,
        shards: ShardSet | None = None,
        lease_s: int = DEFAULT_LEASE_S,
        voice: Voice | None = None,
    ) -> None:
        # The guilds this process arms, fires, resumes and posts for (all, unsharded).
        self.shards = shards or ShardSet.unsharded()
        self.stories = StoryRepository(db, clock=clock)
        self.releases = ReleaseRepository(db, clock=clock)
        self.schedules = ScheduleRepository(db, clock=clock)
        self.settings = SettingsRepository(db, clock=clock)
        self.port = port
        self.scheduler = scheduler
        self.clock = clock
        self._wait_ready = wait_ready
        self._outbox = outbox
        self._stopping = False
        # Releases of different stories and channels post side by side (bot.publishing.lanes).
        self._lanes = PostingLanes()
        self._plan_lock = asyncio.Lock()
        self.runner = ReleaseRunner(
            self.stories,
            self.releases,
            port,
            should_stop=lambda: self._stopping,
            clock=clock,
            outbox=outbox,
            bus=bus,
            shards=self.shards,
            owner=process_owner(),
            lease_s=lease_s,
            voice=voice,
        )
        self.stalled = StalledReleases(
            self.releases,
            self._lanes,
            self._post_in_turn,
            shards=self.shards,
            lease_s=lease_s,
            clock=clock,
            stopping=lambda: self._stopping,
        )
        self._retries: dict[int, int] = {}  # schedule id -> runs in a row that found no database
        if bus is not None:
            bus.subscribe(StoryDeleted, self._story_deleted)
            bus.subscribe(GuildRemoved, self._guild_removed)
            bus.subscribe(GuildReturned, self._guild_returned)

    @property
    def stopping(self) -> bool:
        """True once shutdown began: no new work is taken."""
        return self._stopping

    # -- publish now ----------------------------------------------------------------------------

    async def plan_now(self, story: StoryRecord, target: Target, count: int) -> list[ReleaseRecord]:
        """Check the target and queue releases of the next `count` chapters, due now."""
        if count < 1:
            raise InvalidInput(N_("`chapters` must be at least 1."))
        info = await self.port.target(target.channel_id, target.mode, story.style)
        check_target(story, info, target.mode)
        async with self._plan_lock:
            chapters = await self.releases.unplanned_chapters(story.id, count)
            if not chapters:
                raise InvalidInput(
                    N_("“{title}” has nothing left to release."),
                    hint=N_("Add chapters with `/story update`."),
                    params={"title": story.title},
                )
            return await self.releases.create_many(
                story.id, [c.id for c in chapters], self.clock(), target.channel_id, target.mode
            )

    async def post(
        self,
        release_id: int,
        progress: Progress | None = None,
        *,
        then: Callable[[RunResult], Awaitable[None]] | None = None,
    ) -> RunResult:
        """Post one queued release (after any release of its story or channel ahead of it;
        other stories' releases post meanwhile); skipped while shutting down. `then` runs
        before the story's lane is let go (nothing else of the story posts in between)."""
        release = await self.releases.get(release_id)
        story_id = release.story_id if release is not None else 0
        channel_id = release.channel_id if release is not None else None
        async with self._lanes.lane(story_id, channel_id):
            if self._stopping:
                return RunResult(release_id, 0, "interrupted")
            result = await self.runner.run(release_id, progress)
            if then is not None:
                await then(result)
            return result

    async def _post_in_turn(self, release: ReleaseRecord) -> RunResult:
        """Post a release a schedule queued; a failure pauses its story before anything of the
        story can post after it."""

        async def pause_if_failed(result: RunResult) -> None:
            if result.status == "failed":
                await self._pause_after_failure(release, result)

        return await self.post(release.id, then=pause_if_failed)

    # -- schedules ------------------------------------------------------------------------------

    def arm(self, schedule: ScheduleRecord) -> None:
        """(Re)arm the timer of an active schedule at its next run; disarm otherwise."""
        if not schedule.active or schedule.next_run_at is None or self._stopping:
            self.disarm(schedule.id)
            return
        # The timer runs on the machine's clock; a use-case clock set apart from it (tests
        # reaching a far-off run) shifts the timer by the difference. Zero in production.
        skew = 0 if self.clock is unix_now else self.clock() - unix_now()
        self._arm_at(schedule.id, schedule.next_run_at - skew)

    def _arm_at(self, schedule_id: int, at: float) -> None:
        """Set the schedule's timer to fire at `at` (machine time)."""
        self.scheduler.add_job(
            self.run_schedule,
            DateTrigger(run_date=datetime.fromtimestamp(at, UTC)),
            args=[schedule_id],
            id=job_id(schedule_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            # A run re-arms its own job while still running; the DB claim keeps runs unique.
            max_instances=3,
        )

    def disarm(self, schedule_id: int) -> None:
        """Remove a schedule's timer if it has one."""
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id(schedule_id))

    async def run_schedule(self, schedule_id: int) -> None:
        """A schedule's timer fired: claim the run, post its chapters, re-arm from the DB."""
        if self._wait_ready is not None:
            await self._wait_ready()
        if self._stopping:
            return
        try:
            if await self.schedules.of_removed_guild(schedule_id):
                self.disarm(schedule_id)  # the bot left the server: nothing more goes out there
                return
            created = await self._claim_run(schedule_id)
            for release in created:
                result = await self._post_in_turn(release)
                if result.status in ("failed", "interrupted"):
                    # Failed: its story is paused. Interrupted: it resumes, and the rest of the
                    # run after it, in order (`StalledReleases`).
                    break
            await self._after_run(schedule_id, created)
            self._retries.pop(schedule_id, None)
        except Exception as error:
            # A timer callback has no one to report to; the schedule must still be re-armed.
            self.releases.db.log_failure(log, error, "schedule %s run failed", schedule_id)
            await self._rearm_after_error(schedule_id)

    async def _rearm_after_error(self, schedule_id: int) -> None:
        """Re-arm a schedule from the DB; while the DB does not answer, run again later."""
        try:
            schedule = await self.schedules.get(schedule_id)
        except Exception as error:
            if not self.releases.db.is_unavailable(error):
                raise
            failures = self._retries[schedule_id] = self._retries.get(schedule_id, 0) + 1
            wait = min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** (failures - 1))
            self._arm_at(schedule_id, unix_now() + wait)
            return
        if schedule is not None:
            self.arm(schedule)

    async def _claim_run(self, schedule_id: int) -> list[ReleaseRecord]:
        """Create the due run's releases and move the schedule on (one transaction)."""
        async with self._plan_lock:
            schedule = await self.schedules.get(schedule_id)
            if schedule is None or not schedule.active or schedule.next_run_at is None:
                return []
            now = self.clock()
            if schedule.next_run_at > now:  # fired early (clock skew): just re-arm
                self.arm(schedule)
                return []
            story = await self.stories.get(schedule.story_id)
            if story is None:
                return []
            if not self.shards.owns(story.guild_id):  # another process's guild: never ours
                self.disarm(schedule.id)
                return []
            if story.paused:  # held: resuming re-arms it, and the missed-release policy applies
                return []
            policy = (await self.settings.get_guild(story.guild_id)).missed_release_policy
            run = plan_run(schedule, now, policy)
            chapters = await self.releases.unplanned_chapters(story.id, schedule.chapters_per_run)
            channel_id = schedule.channel_id or story.channel_id
            if not chapters or channel_id is None:
                # Nothing left (or nowhere to post): the schedule ends; /doctor explains.
                end = None if not chapters else run.next_run_at
                await self.schedules.record_run(schedule, end, ran_at=run.ran_at)
                return []
            mode = story.channel_mode
            if schedule.channel_id is not None and schedule.channel_id != story.channel_id:
                info = await self.port.target(schedule.channel_id, mode, story.style)
                mode = mode_for(info.kind, mode)
            created = await self.schedules.record_run(
                schedule,
                run.next_run_at,
                ran_at=run.ran_at,
                chapter_ids=[c.id for c in chapters],
                channel_id=channel_id,
                channel_mode=mode,
            )
            return created or []

    async def _pause_after_failure(self, release: ReleaseRecord, result: RunResult) -> None:
        """A scheduled release failed: pause the story so it fails once, and tell the owner.

        Retrying at every run would repeat the same failure (a lost permission, a gated
        channel) into the void; `/doctor` says why and `/schedule resume` carries on.
        """
        story = await self.stories.get(release.story_id)
        if story is None:
            return
        event = SchedulePaused(
            story.id, story.guild_id, story.owner_id, story.title, release.id,
            result.chapter_number, result.error or "unknown error",
        )  # fmt: skip
        outbox = self._outbox

        async def record(tx: Transaction) -> None:
            if outbox is not None:
                await outbox.record(tx, event)

        await self.schedules.pause_story(story.id, also=record)
        log.info("story %s paused after release %s failed", story.id, release.id)
        if self._outbox is not None:
            self._outbox.kick()

    async def _after_run(self, schedule_id: int, created: list[ReleaseRecord]) -> None:
        """End schedules of a fully released story; re-arm this one from the DB."""
        schedule = await self.schedules.get(schedule_id)
        story = None if schedule is None else await self.stories.get(schedule.story_id)
        if schedule is None or story is None or story.paused:
            self.disarm(schedule_id)
            return
        if created and not await self.releases.unplanned_chapters(schedule.story_id, 1):
            await self.schedules.stop_for_story(schedule.story_id)
            for other in await self.schedules.for_story(schedule.story_id):
                self.disarm(other.id)
            return
        self.arm(schedule)

    # -- start-up and shutdown ------------------------------------------------------------------

    async def _story_deleted(self, event: StoryDeleted) -> None:
        """A deleted story's schedules went with it (cascade): drop their timers too."""
        for job in self.scheduler.get_jobs():
            prefix, _, number = job.id.partition(":")
            known = prefix != "schedule" or not number.isdigit()
            if not known and await self.schedules.get(int(number)) is None:
                self.disarm(int(number))

    async def _guild_removed(self, event: GuildRemoved) -> None:
        """The bot left a server: its schedules' timers stop now (the rows stay as they are)."""
        for story in await self.stories.list_for_guild(event.guild_id):
            for schedule in await self.schedules.for_story(story.id):
                self.disarm(schedule.id)

    async def _guild_returned(self, event: GuildReturned) -> None:
        """The bot is back in a server: its schedules run again (missed runs per the policy)."""
        for story in await self.stories.list_for_guild(event.guild_id):
            await self.rearm_story(story.id)

    async def rearm_story(self, story_id: int) -> None:
        """Arm every active schedule of a story again (after `/schedule resume`)."""
        for schedule in await self.schedules.for_story(story_id):
            self.arm(schedule)

    async def prepare(self) -> None:
        """At start-up, before Discord is reachable: requeue releases a stop interrupted.

        Unsharded, this process is the only one: every 'posting' release was its own. Sharded,
        a release still leased may be in the hands of a live process (one started by mistake
        with the same shard): only expired leases are taken, the rest by `StalledReleases`.
        """
        interrupted = await self.releases.requeue_interrupted(
            self.shards, expired_only=self.shards.sharded
        )
        if interrupted:
            log.info("%d interrupted release(s) will resume", len(interrupted))

    async def recover(self) -> None:
        """Once the gateway is ready: arm every schedule, then post queued releases oldest first.

        Timers are armed before the backlog is posted, so a long backlog never holds them up:
        schedules whose run fell due while the bot was down (or falls due meanwhile) fire at once
        and `run_schedule` claims the run, applying the guild's missed-release policy. The
        backlog posts alone (`PostingLanes.exclusive`) from its first release to its last, so
        what those runs queue is posted after it, in order (a story's next chapter never
        overtakes a queued one).
        """
        if self._wait_ready is not None:
            await self._wait_ready()
        backlog = await self.releases.pending_due(self.clock(), self.shards)  # before timers add
        for schedule in await self.schedules.active(self.shards):
            self.arm(schedule)
        # Releases a dead process (sharded) or a database outage left half-way, or queued.
        self.scheduler.add_job(
            self.stalled.resume,
            "interval",
            seconds=self.runner.lease_s,
            id="resume-stalled-releases",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        if backlog:
            log.info("posting %d missed release(s)", len(backlog))
        async with self._lanes.exclusive():
            for release in backlog:
                if self._stopping:
                    return
                await self.runner.run(release.id)

    async def drain(self) -> None:
        """Stop taking work and wait for the page being posted; releases stay resumable."""
        self._stopping = True
        async with self._lanes.exclusive():
            pass
        await self.runner.crossposter.stop()  # best effort: crossposts still waiting are dropped
