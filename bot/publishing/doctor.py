"""`/doctor` as data: why a story was not, or will not be, posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.publishing.deletions import PageDeletions
from bot.publishing.planner import is_gated, pick_tag
from bot.publishing.service import PublishingService
from bot.stories.records import StoryRecord

Level = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class Finding:
    """One observation: fine, worth a look, or blocking."""

    level: Level
    text: str


@dataclass(frozen=True)
class Diagnosis:
    """Everything `/doctor` found about one story."""

    story: StoryRecord
    findings: list[Finding] = field(default_factory=list)
    next_run_at: int | None = None
    last_error: str | None = None

    @property
    def healthy(self) -> bool:
        """True when nothing blocks posting."""
        return all(f.level != "error" for f in self.findings)


async def diagnose(service: PublishingService, story: StoryRecord) -> Diagnosis:
    """Check the story's channel, the bot's permissions there, the rating gate and schedules."""
    findings: list[Finding] = []
    schedules = [s for s in await service.schedules.for_story(story.id) if s.active]
    channels = {story.channel_id} | {s.channel_id for s in schedules if s.channel_id}
    channels.discard(None)
    if not channels:
        findings.append(
            Finding("error", "No channel is set. Use `/settings channel` to choose one.")
        )
    for channel_id in sorted(c for c in channels if c is not None):
        findings.extend(await _channel_findings(service, story, channel_id))
    if story.paused:
        findings.append(Finding("warn", "Publishing is paused: `/schedule resume` restarts it."))
    for missing in await PageDeletions(service.schedules.db).missing(story.id):
        text = f"{missing.describe()} (deleted on Discord): `/story repost` posts it again."
        findings.append(Finding("warn", text))
    left = await service.releases.unplanned_chapters(story.id, 1)
    if not left:
        findings.append(Finding("ok", "Every chapter is released or queued."))
    next_runs = [s.next_run_at for s in schedules if s.next_run_at is not None]
    next_run = min(next_runs) if next_runs else None
    if next_run is None and left:
        findings.append(Finding("warn", "No active schedule: add one with `/schedule add`."))
    last_error = next(
        (r.last_error for r in await service.releases.for_story(story.id, 10) if r.last_error),
        None,
    )
    return Diagnosis(story, findings, next_run, last_error)


async def _channel_findings(
    service: PublishingService, story: StoryRecord, channel_id: int
) -> list[Finding]:
    """What is wrong (or right) with posting `story` into one channel."""
    mode = story.channel_mode if channel_id == story.channel_id else "messages"
    info = await service.port.target(channel_id, mode, story.style)
    where = f"<#{channel_id}>"
    if info.kind == "missing":
        return [Finding("error", f"{where} no longer exists, or I can't see it.")]
    findings: list[Finding] = []
    if info.kind == "forum":
        mode = "forum"
    if mode == "forum" and info.kind != "forum":
        findings.append(Finding("error", f"{where} is not a forum, but the mode is forum."))
    elif mode != "forum" and info.kind not in ("text", "announcement"):
        findings.append(Finding("error", f"{where} is a {info.kind} channel; I can't post there."))
    else:
        findings.append(Finding("ok", f"{where} is a {info.kind} channel ({mode} mode)."))
    if info.requires_tag:
        tag = pick_tag(info, story)
        name = next((n for t, n in info.tags if t == tag), None)
        level: Level = "ok" if name else "error"
        findings.append(
            Finding(
                level,
                f"{where} requires a tag; posts get “{name}”."
                if name
                else f"{where} requires a tag but has none to choose from.",
            )
        )
    if is_gated(story) and not info.nsfw:
        findings.append(
            Finding(
                "error",
                f"“{story.title}” is rated {story.rating}; {where} is not age-restricted.",
            )
        )
    for permission in info.bot_missing:
        text = f"I am missing the **{permission}** permission in {where}."
        findings.append(Finding("error", text))
    return findings
