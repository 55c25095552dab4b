"""How publishing results look in replies: progress results and diagnoses (schedules and
history: `schedule_text`)."""

from __future__ import annotations

from datetime import UTC, datetime

from discord.utils import escape_markdown

from bot.i18n import Speaker
from bot.publishing.doctor import Diagnosis
from bot.publishing.notes import RELEASE_NOTES
from bot.publishing.outcome import DATABASE_UNAVAILABLE
from bot.publishing.runner import RunResult
from bot.scheduling import discord_timestamp

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
    if result.status == "interrupted" and result.error == DATABASE_UNAVAILABLE:
        return t.gettext(
            "⏸️ Chapter {chapter} stopped: my database is not answering. It resumes where it"
            " stopped once the database answers again.",
            chapter=chapter,
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
        error = RELEASE_NOTES.say(diagnosis.last_error, t)
        lines.append(t.gettext("🧾 Last error: {error}", error=error))
    return "\n".join(lines)
