"""Early-access use cases: the `/settings early-access` setting, the opening timers, the stat.

The database is the truth: when early access opens for a run is its scheduled time minus the
story's hours, computed from the schedules each time. APScheduler is only the alarm clock: one
`DateTrigger` job per story (`early:<story>`) at its next opening, re-armed from the database
at start-up, when the setting changes, after each opening and by a periodic sweep (schedules
change without telling anyone). When a run's early access is open, an `EarlyAccessOpened`
event is written to the outbox (its key is the run, so opening twice records it once) and the
following feature DMs the followers holding the role.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.actor import Actor
from bot.early_access.policy import check_hours, require_may_set_early_access
from bot.early_access.records import EarlyAccessSetting
from bot.early_access.window import next_run_after
from bot.early_access.windows import EarlyWindows
from bot.events import EarlyAccessOpened
from bot.outbox import Outbox
from bot.sharding import ShardSet
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

log = logging.getLogger(__name__)

SWEEP_S = 60  # how often every story's opening timer is recomputed from the database


def job_id(story_id: int) -> str:
    """The APScheduler job id of a story's next early-access opening."""
    return f"early:{story_id}"


class EarlyAccessService:
    """Early access over one database, one scheduler and the outbox."""

    def __init__(
        self,
        db: Database,
        scheduler: BaseScheduler,
        *,
        outbox: Outbox | None = None,
        clock: Callable[[], int] = unix_now,
        shards: ShardSet | None = None,
    ) -> None:
        self.db = db
        self.scheduler = scheduler
        self.outbox = outbox
        self.clock = clock
        self.shards = shards or ShardSet.unsharded()
        self.windows = EarlyWindows(db, clock=clock)
        self.settings = self.windows.settings
        self.stories = StoryRepository(db, clock=clock)

    # -- the setting ---------------------------------------------------------------------------

    async def configure(
        self, actor: Actor, story: StoryRecord, role_id: int | None, hours: int
    ) -> EarlyAccessSetting | None:
        """`/settings early-access`: authors give `role_id` `hours` of early access; no role or
        0 hours turns it off. Returns the setting now in force (None: off)."""
        await require_may_set_early_access(self.stories, story, actor)
        check_hours(hours)
        if role_id is None or hours == 0:
            await self.settings.clear(story.id)
            self.disarm(story.id)
            return None
        await self.settings.set(story.id, role_id, hours)
        await self.refresh(story.id)
        return await self.settings.get(story.id)

    async def setting(self, story_id: int) -> EarlyAccessSetting | None:
        """A story's early access, or None."""
        return await self.settings.get(story_id)

    async def early_readers(self, story_id: int) -> list[tuple[int, int]]:
        """`(chapter number, distinct readers)` of chapters read before their public release."""
        return await self.settings.early_readers(story_id)

    # -- opening -------------------------------------------------------------------------------

    async def refresh(self, story_id: int) -> None:
        """Open what is due (idempotent), then arm the timer at the story's next opening."""
        setting = await self.settings.get(story_id)
        story = await self.stories.get(story_id)
        if setting is None or story is None or not self.shards.owns(story.guild_id):
            self.disarm(story_id)
            return
        await self._open_due(story, setting)
        if story.paused:
            self.disarm(story_id)  # resuming re-arms it through the sweep
            return
        schedules = await self.windows.schedules.for_story(story.id)
        following = next_run_after(schedules, self.clock() + setting.seconds)
        if following is None:
            self.disarm(story_id)
            return
        self._arm(story_id, following - setting.seconds)

    async def _open_due(self, story: StoryRecord, setting: EarlyAccessSetting) -> int:
        """Record `EarlyAccessOpened` for every run open now; returns how many rows are new."""
        if self.outbox is None:
            return 0
        runs = await self.windows.runs(story, setting)
        if not runs:
            return 0
        written = 0
        async with self.db.transaction() as tx:
            for run in runs:
                event = EarlyAccessOpened(
                    story.id, story.guild_id, setting.role_id, run.run_at, run.chapter_numbers
                )
                written += await self.outbox.record(tx, event)
        if written:
            log.info("story %s: early access opened for %d run(s)", story.id, len(runs))
            self.outbox.kick()
        return written

    async def sweep(self) -> None:
        """Recompute every story's opening from the database (start-up and periodically); a
        timer that fired while the database did not answer is made good here."""
        try:
            settings = await self.settings.every(self.shards)
        except Exception as error:
            self.db.log_failure(log, error, "early access sweep failed")
            return
        for setting in settings:
            try:
                await self.refresh(setting.story_id)
            except Exception as error:
                story = setting.story_id
                self.db.log_failure(log, error, "early access of story %s not refreshed", story)

    def start(self) -> None:
        """Arm the periodic sweep (the first one runs at once)."""
        self.scheduler.add_job(
            self.sweep,
            "interval",
            seconds=SWEEP_S,
            id="early-access-sweep",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )

    def stop(self) -> None:
        """Remove the sweep (its cog unloaded); the per-story timers stay harmless."""
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job("early-access-sweep")

    def _arm(self, story_id: int, at: int) -> None:
        # The timer runs on the machine's clock; a use-case clock set apart from it (tests
        # reaching a far-off run) shifts the timer by the difference. Zero in production.
        skew = 0 if self.clock is unix_now else self.clock() - unix_now()
        self.scheduler.add_job(
            self.refresh,
            DateTrigger(run_date=datetime.fromtimestamp(at - skew, UTC)),
            args=[story_id],
            id=job_id(story_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=3,
        )

    def disarm(self, story_id: int) -> None:
        """Remove a story's opening timer if it has one."""
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id(story_id))
