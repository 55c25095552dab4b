"""Human descriptions of times and repeat rules, so users see how their input was understood.

Names of days and months are spelled out here rather than with `strftime`, whose output
depends on the process locale.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.scheduling.words import DAY_ABBREVIATIONS, MONTH_ABBREVIATIONS

TIMESTAMP_STYLES = frozenset("tTdDfFR")
_DELAY_UNITS = (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60),
                ("second", 1))  # fmt: skip


class DescribableRule(Protocol):
    """What `describe_repeat` needs of a rule (`repeat.RepeatRule` has it), named here so that
    this module does not import `repeat`, which imports it."""

    def next_after(
        self, previous_run: datetime, zone: ZoneInfo, first_run: datetime | None = None
    ) -> datetime:
        """The first run strictly after `previous_run`."""
        ...

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """The rule in words."""
        ...


def zone_label(dt: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation at `dt` (`CET`, `CEST`), or its name where it has none."""
    abbreviation = dt.astimezone(zone).tzname() or ""
    # Zones without a letter abbreviation report an offset like "+03"; the name reads better.
    return abbreviation if abbreviation.isalpha() else getattr(zone, "key", abbreviation)


def clock(hour: int, minute: int, second: int = 0) -> str:
    """`18:00`, or `18:00:30` when there are seconds."""
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second else "")


def describe_time(dt: datetime, zone: ZoneInfo) -> str:
    """`dt` as a local time in `zone`, e.g. `Fri 27 Nov 2026 18:00 CET`."""
    local = dt.astimezone(zone)
    day = f"{DAY_ABBREVIATIONS[local.weekday()]} {local.day} {MONTH_ABBREVIATIONS[local.month - 1]}"
    at = clock(local.hour, local.minute, local.second)
    return f"{day} {local.year} {at} {zone_label(dt, zone)}"


def describe_repeat(rule: DescribableRule, zone: ZoneInfo, first_run: datetime) -> str:
    """E.g. `every Friday at 18:00 CET — next: Fri 4 Dec 2026 18:00 CET` (after the first run)."""
    following = rule.next_after(first_run, zone, first_run)
    return f"{rule.phrase(zone, first_run)} — next: {describe_time(following, zone)}"


def describe_delay(target: datetime, now: datetime) -> str:
    """How far `target` is from `now`, roughly: `in 2 days 3 hours`, `in 45 seconds`."""
    remaining = max(0, int((target - now) / timedelta(seconds=1)))
    parts = []
    for name, size in _DELAY_UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
        if len(parts) == 2 or (parts and not count):
            break
    return "in " + (" ".join(parts) or "0 seconds")


def discord_timestamp(dt: datetime, style: str = "F") -> str:
    """Discord's `<t:UNIX:STYLE>` markup, which every reader sees in their own time zone."""
    if style not in TIMESTAMP_STYLES:
        raise ValueError(f"unknown timestamp style {style!r}")
    return f"<t:{int(dt.timestamp())}:{style}>"


def shorten(text: str, limit: int = 100) -> str:
    """`text` cut to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
