"""How publishing results look in replies: progress results and diagnoses (schedules and
history: `schedule_text`)."""

from __future__ import annotations

from datetime import UTC, datetime

from discord.utils import escape_markdown

from bot.publishing.doctor import Diagnosis
from bot.publishing.runner import RunResult
from bot.scheduling import discord_timestamp

ICONS = {"ok": "✅", "warn": "⚠️", "error": "❌"}


def _when(ts: int, style: str = "F") -> str:
    return discord_timestamp(datetime.fromtimestamp(ts, UTC), style)


def result_line(result: RunResult) -> str:
    """One line per release attempt for the `/publish` reply."""
    chapter = f"Chapter {result.chapter_number}"
    if result.status == "done":
        return f"✅ {chapter} posted in <#{result.channel_id}> ({result.total} page(s))."
    if result.status == "failed":
        return f"❌ {chapter} failed: {result.error} See `/schedule history` and `/doctor`."
    if result.status == "interrupted":
        return (
            f"⏸️ {chapter} stopped at page {result.posted}/{result.total} because I am "
            "restarting; it resumes where it stopped when I am back."
        )
    return f"↪️ Release #{result.release_id} is already being posted."


def diagnosis_text(diagnosis: Diagnosis) -> str:
    """One story's findings, next run and last error."""
    title = escape_markdown(diagnosis.story.title)
    lines = [f"🩺 **{title}**"]
    lines += [f"{ICONS[f.level]} {f.text}" for f in diagnosis.findings]
    if diagnosis.next_run_at is not None:
        run = diagnosis.next_run_at
        lines.append(f"🗓️ Next run: {_when(run)} ({_when(run, 'R')})")
    if diagnosis.last_error:
        lines.append(f"🧾 Last error: {diagnosis.last_error}")
    return "\n".join(lines)
