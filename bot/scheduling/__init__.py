"""Scheduling rules: reading `when` and `repeat`, time zones, and describing the result.

Discord-free and clock-injectable: every function that needs the current time takes `now`
(an aware datetime). Typical use by a command:

    zone = resolve_zone(user.timezone, guild.timezone, settings.default_timezone)
    first = parse_when(when, zone, now)
    rule = parse_repeat(repeat).bind(first, zone)   # store rule.text, zone.key, first
    later = RepeatRule.from_text(rule.text).next_after(previous_run, zone)
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.scheduling.describe import (
    describe_delay,
    describe_repeat,
    describe_time,
    discord_timestamp,
    shorten,
)
from bot.scheduling.periodic import MonthlyByDate, MonthlyByWeekday, WeeklyInterval
from bot.scheduling.repeat import (
    CalendarInterval,
    FixedInterval,
    RepeatRule,
    WallClock,
    parse_repeat,
)
from bot.scheduling.when import WHEN_EXAMPLES, parse_when
from bot.scheduling.zones import parse_zone, resolve_zone, search_zones, to_utc

__all__ = [
    "CalendarInterval",
    "FixedInterval",
    "MonthlyByDate",
    "MonthlyByWeekday",
    "RepeatRule",
    "WallClock",
    "WeeklyInterval",
    "describe_repeat",
    "describe_time",
    "discord_timestamp",
    "parse_repeat",
    "parse_when",
    "parse_zone",
    "preview_repeat",
    "preview_when",
    "resolve_zone",
    "search_zones",
    "to_utc",
]

CHOICE_LIMIT = 100  # Discord's limit for an autocomplete choice's name
_log = logging.getLogger(__name__)


def preview_when(text: str, zone: ZoneInfo, now: datetime) -> str:
    """How `text` would be understood as a time, or why not; never raises, <= 100 characters."""
    if not text.strip():
        return shorten(f"Type a time, e.g. {WHEN_EXAMPLES.replace('`', '')}", CHOICE_LIMIT)
    try:
        moment = parse_when(text, zone, now)
        return shorten(f"{describe_time(moment, zone)} · {describe_delay(moment, now)}")
    except UserError as exc:
        return _problem(exc)
    except Exception:  # autocomplete must answer; the bug still reaches the log
        _log.exception("previewing when=%r failed", text)
        return "✗ I can't read that time."


def preview_repeat(
    text: str, zone: ZoneInfo, now: datetime, first_run: datetime | None = None
) -> str:
    """How `text` would be understood as a repeat rule (after `first_run` if known), or why not.

    Never raises; the result is at most 100 characters.
    """
    if not text.strip():
        return "Type a repeat, e.g. daily, every friday 18:00, every 2 days, 0 18 * * 5"
    try:
        rule = parse_repeat(text)
        if first_run is not None:
            return shorten(describe_repeat(rule, zone, first_run))
        return shorten(_unanchored(rule, zone, now))
    except UserError as exc:
        return _problem(exc)
    except Exception:  # autocomplete must answer; the bug still reaches the log
        _log.exception("previewing repeat=%r failed", text)
        return "✗ I can't read that repeat."


def _unanchored(rule: RepeatRule, zone: ZoneInfo, now: datetime) -> str:
    """A rule's description before the first run is known."""
    if isinstance(rule, WallClock):
        following = rule.next_after(now, zone)
        return f"{rule.phrase(zone, now)} — next: {describe_time(following, zone)}"
    if isinstance(rule, CalendarInterval) and rule.at is None:
        return f"{rule.text}, at the first run's time of day"
    return rule.phrase(zone, now) + ", counted from the first run"


def _problem(exc: UserError) -> str:
    """An error as a short choice name: the message, plus the hint when both fit."""
    full = f"✗ {exc.message} {exc.hint}" if exc.hint else f"✗ {exc.message}"
    return full if len(full) <= CHOICE_LIMIT else shorten(f"✗ {exc.message}", CHOICE_LIMIT)
