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

from bot.errors import Translates, UserError
from bot.i18n import SUPPORTED
from bot.i18n.dates import delay, local_time
from bot.scheduling.describe import (
    describe_delay,
    describe_repeat,
    describe_time,
    discord_timestamp,
    shorten,
    zone_label,
)
from bot.scheduling.periodic import MonthlyByDate, MonthlyByWeekday, WeeklyInterval
from bot.scheduling.repeat import (
    CalendarInterval,
    FixedInterval,
    RepeatRule,
    WallClock,
    parse_repeat,
)
from bot.scheduling.spoken import Speaking, say_next, say_rule, say_unset_time
from bot.scheduling.when import WHEN_EXAMPLES, parse_when, read_when
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
    "say_rule",
    "search_zones",
    "to_utc",
]

CHOICE_LIMIT = 100  # Discord's limit for an autocomplete choice's name
_log = logging.getLogger(__name__)


def preview_when(
    text: str,
    zone: ZoneInfo,
    now: datetime,
    locale: str = "en-US",
    speaker: Translates | None = None,
) -> str:
    """How `text` would be understood as a time, or why not; never raises, <= 100 characters.

    With a `speaker` for one of the translated locales, the preview is in that language.
    """
    if not text.strip():
        return shorten(f"Type a time, e.g. {WHEN_EXAMPLES.replace('`', '')}", CHOICE_LIMIT)
    try:
        moment, used = read_when(text, zone, now, locale)
        if speaker is not None and locale in SUPPORTED:
            label = zone_label(moment, used)
            shown = f"{local_time(moment, used, label, locale)} · {delay(moment, now, locale)}"
            return shorten(shown)
        return shorten(f"{describe_time(moment, used)} · {describe_delay(moment, now)}")
    except UserError as exc:
        return _problem(exc, speaker)
    except Exception:  # autocomplete must answer; the bug still reaches the log
        _log.exception("previewing when=%r failed", text)
        return "✗ I can't read that time."


def preview_repeat(
    text: str,
    zone: ZoneInfo,
    now: datetime,
    first_run: datetime | None = None,
    locale: str = "en-US",
    speaker: Speaking | None = None,
) -> str:
    """How `text` would be understood as a repeat rule (after `first_run` if known), or why not.

    Never raises; the result is at most 100 characters. With a `speaker` for one of the
    translated locales, the preview is in that language.
    """
    if speaker is not None and speaker.locale not in SUPPORTED:
        speaker = None  # English: the rule's own words
    if not text.strip():
        if speaker is not None:
            return speaker.gettext(
                "Type a repeat, e.g. {examples}", examples="daily, every friday 18:00, 0 18 * * 5"
            )
        return "Type a repeat, e.g. daily, every friday 18:00, every 2 days, 0 18 * * 5"
    try:
        rule = parse_repeat(text)
        if speaker is not None:
            return _fit(_spoken(rule, zone, now, first_run, speaker))
        if first_run is not None:
            return _fit(describe_repeat(rule, zone, first_run))
        return _fit(_unanchored(rule, zone, now))
    except UserError as exc:
        return _problem(exc, speaker)
    except Exception:  # autocomplete must answer; the bug still reaches the log
        _log.exception("previewing repeat=%r failed", text)
        return "✗ I can't read that repeat."


def _spoken(
    rule: RepeatRule, zone: ZoneInfo, now: datetime, first_run: datetime | None, speaker: Speaking
) -> str:
    """The translated preview, as `describe_repeat` / `_unanchored` word it in English."""
    if first_run is None and isinstance(rule, CalendarInterval) and rule.at is None:
        return say_unset_time(rule.days, speaker)
    anchor = first_run or now
    bound = rule.bind(anchor, zone)
    words = say_rule(bound, zone, anchor, speaker)
    if first_run is None and not isinstance(rule, WallClock):
        return words + speaker.gettext(", counted from the first run")
    following = bound.next_after(anchor, zone, anchor)
    shown = local_time(following, zone, zone_label(following, zone), speaker.locale)
    return words + say_next(shown, speaker)


def _unanchored(rule: RepeatRule, zone: ZoneInfo, now: datetime) -> str:
    """A rule's description before the first run is known."""
    if isinstance(rule, WallClock):
        following = rule.next_after(now, zone)
        return f"{rule.phrase(zone, now)} — next: {describe_time(following, zone)}"
    if isinstance(rule, CalendarInterval) and rule.at is None:
        return f"{rule.text}, at the first run's time of day"
    return rule.phrase(zone, now) + ", counted from the first run"


def _fit(described: str) -> str:
    """A description within a choice name: the rule's words (the echo) are shortened, never
    the `— next: ...` part that says when it runs."""
    if len(described) <= CHOICE_LIMIT or " — " not in described:
        return shorten(described, CHOICE_LIMIT)
    words, meaning = described.rsplit(" — ", 1)
    return shorten(words, CHOICE_LIMIT - len(meaning) - 3) + " — " + meaning


def _problem(exc: UserError, speaker: Translates | None = None) -> str:
    """An error as a short choice name: the message, plus the hint when both fit; a
    "did you mean" suggestion is kept whole and the message (the echo) shortened instead."""
    message, hint = exc.message, exc.hint or ""
    if speaker is not None:
        params = exc.params_in(speaker)
        message = speaker.gettext(exc.message_id, **params)
        hint = speaker.gettext(exc.hint_id, **params) if exc.hint_id else ""
    full = f"✗ {message} {hint}" if hint else f"✗ {message}"
    if len(full) <= CHOICE_LIMIT:
        return full
    if (exc.hint_id or "").startswith("Did you mean"):
        suggestion = hint[: hint.index("?") + 1] if "?" in hint else hint
        room = CHOICE_LIMIT - len(suggestion) - 3
        if room > 20:
            return f"✗ {shorten(message, room)} {suggestion}"
    return shorten(f"✗ {message}", CHOICE_LIMIT)
