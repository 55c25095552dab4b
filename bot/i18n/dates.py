"""Times, delays and day names in a reader's language, through Babel's CLDR data (day and
month names, "dans 3 jours", "lundi et jeudi"); the zone label stays as the scheduler writes
it (UTC, CET, +01:00)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from babel.dates import format_datetime, format_timedelta, get_day_names
from babel.lists import format_list

from bot.i18n.locale import ENGLISH, SUPPORTED


def _babel_locale(locale: str) -> str:
    """The Babel/CLDR name of a Discord locale."""
    return SUPPORTED.get(locale, "en_US" if locale == ENGLISH else locale.replace("-", "_"))


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


def day_name(weekday: int, locale: str) -> str:
    """The weekday's name (0 = Monday) in `locale`, e.g. `vendredi`, `Freitag`."""
    return get_day_names("wide", "format", locale=_babel_locale(locale))[weekday]


def listed(items: Sequence[str], locale: str) -> str:
    """`items` joined the language's way, e.g. `lundi et jeudi`, `Montag und Donnerstag`."""
    return format_list(list(items), locale=_babel_locale(locale))
