"""`/doctor` as data: why a story was not, or will not be, posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.errors import Translates
from bot.i18n import N_, SOURCE
from bot.publishing.deletions import PageDeletions
from bot.publishing.planner import is_gated, pick_tag
from bot.publishing.service import PublishingService
from bot.stories.records import StoryRecord

Level = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class Finding:
    """One observation: fine, worth a look, or blocking.

    `message` is an English message id with `{named}` placeholders (`plural` and `params["n"]`
    when it counts something); `terms` names the params that are themselves message ids (a
    channel mode), translated too.
    """

    level: Level
    message: str
    params: dict[str, object] = field(default_factory=dict)
    plural: str | None = None
    terms: tuple[str, ...] = ()

    def render(self, t: Translates) -> str:
        """The finding in `t`'s language."""
        params = {k: t.gettext(v) if k in self.terms else v for k, v in self.params.items()}
        if self.plural is None:
            return t.gettext(self.message, **params)
        n = int(params.pop("n"))  # type: ignore[call-overload]
        return t.ngettext(self.message, self.plural, n, **params)

    @property
    def text(self) -> str:
        """The finding in English."""
        return self.render(SOURCE)


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
            Finding("error", N_("No channel is set. Use `/settings channel` to choose one."))
        )
    for channel_id in sorted(c for c in channels if c is not None):
        findings.extend(await _channel_findings(service, story, channel_id))
    if story.paused:
        findings.append(
            Finding("warn", N_("Publishing is paused: `/schedule resume` restarts it."))
        )
    for missing in await PageDeletions(service.schedules.db).missing(story.id):
        pages = ", ".join(str(n) for n in missing.page_numbers)
        findings.append(
            Finding(
                "warn",
                N_(
                    "chapter {chapter}: page {pages} missing (deleted on Discord): "
                    "`/story repost` posts it again."
                ),
                {"chapter": missing.chapter_number, "pages": pages, "n": len(missing.page_numbers)},
                # The plural form sits with the singular in the catalogs (one entry).
                plural=(
                    "chapter {chapter}: pages {pages} missing (deleted on Discord): "
                    "`/story repost` posts them again."
                ),
            )
        )
    left = await service.releases.unplanned_chapters(story.id, 1)
    if not left:
        findings.append(Finding("ok", N_("Every chapter is released or queued.")))
    next_runs = [s.next_run_at for s in schedules if s.next_run_at is not None]
    next_run = min(next_runs) if next_runs else None
    if next_run is None and left:
        findings.append(Finding("warn", N_("No active schedule: add one with `/schedule add`.")))
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
    where = {"channel": f"<#{channel_id}>"}
    if info.kind == "missing":
        return [Finding("error", N_("{channel} no longer exists, or I can't see it."), where)]
    findings: list[Finding] = []
    if info.kind == "forum":
        mode = "forum"
    if mode == "forum" and info.kind != "forum":
        findings.append(
            Finding("error", N_("{channel} is not a forum, but the mode is forum."), where)
        )
    elif mode != "forum" and info.kind not in ("text", "announcement"):
        findings.append(
            Finding(
                "error",
                N_("{channel} is not a text or announcement channel; I can't post there."),
                where,
            )
        )
    else:
        findings.append(_channel_ok(info.kind, mode, where))
    if info.requires_tag:
        tag = pick_tag(info, story)
        name = next((n for t, n in info.tags if t == tag), None)
        findings.append(
            Finding(
                "ok", N_("{channel} requires a tag; posts get “{tag}”."), {**where, "tag": name}
            )
            if name
            else Finding(
                "error", N_("{channel} requires a tag but has none to choose from."), where
            )
        )
    if is_gated(story) and not info.nsfw:
        findings.append(
            Finding(
                "error",
                N_("“{title}” is rated {rating}; {channel} is not age-restricted."),
                {"title": story.title, "rating": story.rating, **where},
                terms=("rating",),
            )
        )
    for permission in info.bot_missing:
        findings.append(
            Finding(
                "error",
                N_("I am missing the **{permission}** permission in {channel}."),
                {"permission": permission, **where},
            )
        )
    return findings


def _channel_ok(kind: str, mode: str, where: dict[str, object]) -> Finding:
    """A channel chapterbot can post in, and how it posts there."""
    if kind == "forum":
        return Finding("ok", N_("{channel} is a forum channel (forum mode)."), where)
    params = {**where, "mode": mode}
    if kind == "announcement":
        message = N_("{channel} is an announcement channel (mode: {mode}).")
    else:
        message = N_("{channel} is a text channel (mode: {mode}).")
    return Finding("ok", message, params, terms=("mode",))
