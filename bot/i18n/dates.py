"""Times and delays in a reader's language, through Babel's CLDR data (day and month names,
"dans 3 jours"); the zone label stays as the scheduler writes it (UTC, CET, +01:00)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_datetime, format_timedelta

from bot.i18n.locale import babel_locale as _babel_locale


def local_time(moment: datetime, zone: tzinfo, zone_label: str, locale: str) -> str:
    """`moment` as a wall time in `zone`, e.g. `ven. 11 déc. 2026 18:00 UTC`."""
    local = moment.astimezone(zone)
    shown = format_datetime(local, "EEE d MMM y HH:mm", locale=_babel_locale(locale))
    return f"{shown} {zone_label}"


def delay(target: datetime, now: datetime, locale: str) -> str:
    """How far ahead `target` is, roughly, e.g. `dans 6 jours`."""
    return format_timedelta(
        target - now, granularity="minute", add_direction=True, locale=_babel_locale(locale)
    )
