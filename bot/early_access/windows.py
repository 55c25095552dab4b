"""Which chapters are open early for a story right now, from the database (the truth).

`EarlyWindows` is what the reading rules and the following feature ask: a story's setting,
its coming runs within the early-access window and the chapter range they cover. Who holds
the role is not known here: the caller passes that fact in.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.early_access.records import (
    NO_RANGE,
    ChapterRange,
    EarlyAccessSetting,
    EarlyRun,
    chapter_range,
)
from bot.early_access.repository import EarlyAccessRepository
from bot.early_access.window import assign, run_times
from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.records import StoryRecord


class EarlyWindows:
    """Settings and open early-access windows over one database."""

    def __init__(self, db: Database, *, clock: Callable[[], int] = unix_now) -> None:
        self.settings = EarlyAccessRepository(db, clock=clock)
        self.schedules = ScheduleRepository(db, clock=clock)
        self.releases = ReleaseRepository(db, clock=clock)
        self.clock = clock

    async def setting(self, story_id: int) -> EarlyAccessSetting | None:
        """A story's early access, or None."""
        return await self.settings.get(story_id)

    async def runs(self, story: StoryRecord, setting: EarlyAccessSetting) -> list[EarlyRun]:
        """The story's scheduled runs within `setting.hours` from now and their chapters (none
        while the story is paused: its runs will not happen on time)."""
        if story.paused:
            return []
        until = self.clock() + setting.seconds
        times = run_times(await self.schedules.for_story(story.id), until)
        if not times:
            return []
        upcoming = await self.releases.unplanned_chapters(story.id, sum(n for _, n in times))
        return assign(times, upcoming)

    async def open_range(self, story: StoryRecord, setting: EarlyAccessSetting) -> ChapterRange:
        """The unreleased chapters open early now (`NO_RANGE` when none)."""
        runs = await self.runs(story, setting)
        return chapter_range(runs) if runs else NO_RANGE
