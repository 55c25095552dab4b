"""Schedule use cases behind `/schedule`: add, list, cancel, pause, resume, history.

Every change checks authorship first (`require_author`); Discord-side checks (may the member post
in that channel?) happen in the cog, which owns the interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.actor import Actor
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.publishing.calendar import CalendarDay, CalendarSource, build_calendar
from bot.publishing.deletions import PageDeletions
from bot.publishing.planner import Target, check_target
from bot.publishing.records import ReleaseRecord, ScheduleRecord
from bot.publishing.releases import HistoryEntry
from bot.publishing.runner import Progress, RunResult
from bot.publishing.service import PublishingService
from bot.scheduling import parse_repeat, parse_when, resolve_zone
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord

CALENDAR_CHAPTERS = 500  # chapters looked ahead per story; four weeks rarely need more


@dataclass(frozen=True)
class ScheduleRequest:
    """What `/schedule add` asked for."""

    when: str
    repeat: str | None = None
    chapters: int = 1
    channel_id: int | None = None  # an override; None follows the story's channel
    locale: str = "en-US"  # the author's Discord locale: decides 03/04 (month or day first)


@dataclass(frozen=True)
class ListedSchedule:
    """A schedule with the story it belongs to."""

    schedule: ScheduleRecord
    story: StoryRecord


async def zone_for(service: PublishingService, actor: Actor, default: str) -> ZoneInfo:
    """The zone the actor's times are read in: theirs, else the server's, else the default."""
    user = await service.settings.get_user(actor.user_id)
    guild = await service.settings.get_guild(actor.guild_id)
    return resolve_zone(user.timezone, guild.timezone, default)


async def add_schedule(
    service: PublishingService,
    story: StoryRecord,
    actor: Actor,
    request: ScheduleRequest,
    target: Target,
    *,
    zone: ZoneInfo,
    now: datetime,
) -> ScheduleRecord:
    """Validate and store a schedule, then arm its timer."""
    await require_author(service.stories, story, actor)
    if request.chapters < 1:
        raise InvalidInput(N_("`chapters` must be at least 1."))
    first = parse_when(request.when, zone, now, request.locale)
    rule = parse_repeat(request.repeat).bind(first, zone).text if request.repeat else None
    info = await service.port.target(target.channel_id, target.mode, story.style)
    check_target(story, info, target.mode)
    if not await service.releases.unplanned_chapters(story.id, 1):
        raise InvalidInput(
            N_("“{title}” has nothing left to release."),
            hint=N_("Add chapters with `/story update` first."),
            params={"title": story.title},
        )
    schedule = await service.schedules.create(
        story.id,
        actor.user_id,
        int(first.timestamp()),
        zone.key,
        rule=rule,
        chapters_per_run=request.chapters,
        channel_id=request.channel_id,
    )
    service.arm(schedule)
    return schedule


async def list_schedules(
    service: PublishingService, guild_id: int, story: StoryRecord | None = None
) -> list[ListedSchedule]:
    """A story's schedules, or every schedule in the server."""
    if story is not None:
        return [ListedSchedule(s, story) for s in await service.schedules.for_story(story.id)]
    listed = []
    for schedule in await service.schedules.for_guild(guild_id):
        owner = await service.stories.get(schedule.story_id)
        if owner is not None:
            listed.append(ListedSchedule(schedule, owner))
    return listed


async def schedule_calendar(
    service: PublishingService, listed: list[ListedSchedule], zone: ZoneInfo, now: datetime
) -> list[CalendarDay]:
    """The next four weeks of `listed` in the viewer's `zone`, day by day (for the picture)."""
    upcoming: dict[int, list[str]] = {}
    sources = []
    for item in listed:
        story = item.story
        if story.id not in upcoming:
            chapters = await service.releases.unplanned_chapters(story.id, CALENDAR_CHAPTERS)
            upcoming[story.id] = [str(c.number) for c in chapters]
        channel = item.schedule.channel_id or story.channel_id
        sources.append(
            CalendarSource(item.schedule, story.title, channel, story.paused, upcoming[story.id])
        )
    return build_calendar(sources, zone, now)


async def cancel_schedule(
    service: PublishingService, actor: Actor, schedule_id: int
) -> StoryRecord:
    """Delete one schedule of this server (authors only); returns its story."""
    schedule = await service.schedules.get(schedule_id)
    story = None if schedule is None else await service.stories.get(schedule.story_id)
    if schedule is None or story is None or story.guild_id != actor.guild_id:
        raise NotFound(
            N_("There is no schedule #{id} here."),
            hint=N_("See `/schedule list`."),
            params={"id": schedule_id},
        )
    await require_author(service.stories, story, actor)
    await service.schedules.delete(schedule_id)
    service.disarm(schedule_id)
    return story


async def set_paused(
    service: PublishingService, story: StoryRecord, actor: Actor, paused: bool
) -> StoryRecord:
    """Pause or resume a story's schedules.

    A run that falls due while paused waits; on resume it fires at once and the server's
    missed-release policy decides whether every missed run posts or only the latest.
    """
    await require_author(service.stories, story, actor)
    updated = await service.stories.update_metadata(story.id, paused=paused)
    if updated is None:
        raise NotFound(N_("That story was just deleted."))
    if not paused:
        await service.rearm_story(story.id)
    return updated


async def release_history(
    service: PublishingService, story: StoryRecord, actor: Actor, limit: int = 25
) -> list[HistoryEntry]:
    """Every release attempt of a story with its outcome, newest first (authors only)."""
    await require_author(service.stories, story, actor)
    return await service.releases.history(story.id, limit)


async def publish_now(
    service: PublishingService, story: StoryRecord, actor: Actor, count: int, target: Target
) -> list[ReleaseRecord]:
    """Queue the next `count` chapters for posting now (authors only)."""
    await require_author(service.stories, story, actor)
    return await service.plan_now(story, target, count)


async def post_in_order(
    service: PublishingService, releases: list[ReleaseRecord], progress: Progress | None = None
) -> list[RunResult]:
    """Post queued releases one after the other; stop after one that was interrupted (its
    chapter resumes later, and the ones after it follow it then, in order)."""
    results: list[RunResult] = []
    for release in releases:
        results.append(await service.post(release.id, progress))
        if results[-1].status == "interrupted":
            break
    return results


async def queue_repost(
    service: PublishingService,
    deletions: PageDeletions,
    story: StoryRecord,
    actor: Actor,
    chapter_number: int,
) -> int:
    """Queue a chapter's deleted pages to be posted again where it went (authors only).

    Returns the release to `post`; quick, so the command answers refusals before deferring.
    """
    await require_author(service.stories, story, actor)
    release_id = await deletions.requeue_missing(story.id, chapter_number)
    if release_id is None:
        raise InvalidInput(
            N_("Chapter {chapter} of “{title}” has no deleted pages to post again."),
            hint=N_("`/doctor story` lists the pages that are missing."),
            params={"chapter": chapter_number, "title": story.title},
        )
    return release_id
