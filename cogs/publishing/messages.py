"""How publishing results look in replies: progress results, schedules, history, diagnoses."""

from __future__ import annotations

from datetime import UTC, datetime

from discord.utils import escape_markdown

from bot.i18n import Speaker
from bot.publishing.doctor import Diagnosis
from bot.publishing.manage import ListedSchedule
from bot.publishing.releases import HistoryEntry
from bot.publishing.runner import RunResult
from bot.scheduling import discord_timestamp
from bot.stories.records import StoryRecord

REPLY_LIMIT = 2000
ICONS = {"ok": "✅", "warn": "⚠️", "error": "❌"}


def _when(ts: int, style: str = "F") -> str:
    return discord_timestamp(datetime.fromtimestamp(ts, UTC), style)


def result_line(result: RunResult, t: Speaker) -> str:
    """One line per release attempt for the `/publish` reply."""
    chapter = result.chapter_number
    if result.status == "done":
        return t.ngettext(
            "✅ Chapter {chapter} posted in {channel} ({n} page).",
            "✅ Chapter {chapter} posted in {channel} ({n} pages).",
            result.total,
            chapter=chapter,
            channel=f"<#{result.channel_id}>",
        )
    if result.status == "failed":
        return t.gettext(
            "❌ Chapter {chapter} failed: {error} See `/schedule history` and `/doctor`.",
            chapter=chapter,
            error=result.failure(t),
        )
    if result.status == "interrupted":
        return t.gettext(
            "⏸️ Chapter {chapter} stopped at page {posted}/{total} because I am restarting; "
            "it resumes where it stopped when I am back.",
            chapter=chapter,
            posted=result.posted,
            total=result.total,
        )
    return t.gettext("↪️ Release #{id} is already being posted.", id=result.release_id)


def schedule_line(item: ListedSchedule) -> str:
    """`#3 · Title · next <t:…:F> (<t:…:R>) · every day · 1 chapter/run`."""
    schedule, story = item.schedule, item.story
    parts = [f"**#{schedule.id}** · {escape_markdown(story.title)}"]
    if schedule.active and schedule.next_run_at is not None:
        parts.append(f"next {_when(schedule.next_run_at)} ({_when(schedule.next_run_at, 'R')})")
    else:
        parts.append("ended")
    parts.append(schedule.rule or "once")
    parts.append(f"{schedule.chapters_per_run} chapter(s)/run")
    if story.paused:
        parts.append("⏸️ paused")
    if schedule.channel_id:
        parts.append(f"in <#{schedule.channel_id}>")
    return " · ".join(parts)


def history_text(story: StoryRecord, entries: list[HistoryEntry]) -> str:
    """A story's release history, newest first, within one message."""
    title = escape_markdown(story.title)
    if not entries:
        return f"“{title}” has no releases yet."
    lines = [f"Release history of “{title}” (newest first):"]
    for entry in entries:
        detail = f" — {entry.detail}" if entry.detail else ""
        line = (
            f"{_when(entry.at, 'f')} · Ch. {entry.chapter_number} · release #{entry.release_id}"
            f" · **{entry.outcome}**{detail}"
        )
        if sum(len(x) + 1 for x in lines) + len(line) > REPLY_LIMIT - 10:
            lines.append("…")
            break
        lines.append(line)
    return "\n".join(lines)


def diagnosis_text(diagnosis: Diagnosis, t: Speaker) -> str:
    """One story's findings, next run and last error, in `t`'s language."""
    title = escape_markdown(diagnosis.story.title)
    lines = [f"🩺 **{title}**"]
    lines += [f"{ICONS[f.level]} {f.render(t)}" for f in diagnosis.findings]
    if diagnosis.next_run_at is not None:
        run = diagnosis.next_run_at
        lines.append(
            t.gettext("🗓️ Next run: {when} ({relative})", when=_when(run), relative=_when(run, "R"))
        )
    if diagnosis.last_error:
        # The release history keeps the English text; a known one is shown translated.
        lines.append(t.gettext("🧾 Last error: {error}", error=t.gettext(diagnosis.last_error)))
    return "\n".join(lines)
