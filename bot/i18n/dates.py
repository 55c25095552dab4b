"""Times, delays and day names in a reader's language, through Babel's CLDR data (day and
month names, "dans 3 jours", "lundi et jeudi"); the zone label stays as the scheduler writes
it (UTC, CET, +01:00)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from babel.dates import (
    format_date,
    format_datetime,
    format_timedelta,
    get_day_names,
    get_month_names,
)
from babel.lists import format_list

from bot.i18n.locale import SUPPORTED
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


def day_name(weekday: int, locale: str) -> str:
    """The weekday's name (0 = Monday) in `locale`, e.g. `vendredi`, `Freitag`."""
    return get_day_names("wide", "format", locale=_babel_locale(locale))[weekday]


def day_abbreviations(locale: str) -> tuple[str, ...]:
    """Monday to Sunday, abbreviated in `locale`, e.g. `lun.` ... `dim.`."""
    names = get_day_names("abbreviated", "format", locale=_babel_locale(locale))
    return tuple(names[d] for d in range(7))


def short_date(day: date, locale: str) -> str:
    """A day and month, e.g. `11 déc.`, `11. Dez.`."""
    return format_date(day, "d MMM", locale=_babel_locale(locale))


def listed(items: Sequence[str], locale: str) -> str:
    """`items` joined the language's way, e.g. `lundi et jeudi`, `Montag und Donnerstag`."""
    return format_list(list(items), locale=_babel_locale(locale))


class _Localized:
    """An error parameter that reads as its English text until a `UserError` is rendered in
    a supported language (`localized`)."""

    english: str

    def __str__(self) -> str:
        return self.english

    def __format__(self, spec: str) -> str:
        return format(self.english, spec)

    def localized(self, locale: str) -> str:
        """The parameter in `locale` (English where chapterbot does not speak it)."""
        return self._in(locale) if locale in SUPPORTED else self.english

    def _in(self, locale: str) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class MonthName(_Localized):
    """A month (1-12), e.g. `février`, `Februar` in the reader's language."""

    number: int
    english: str

    def _in(self, locale: str) -> str:
        return get_month_names("wide", "format", locale=_babel_locale(locale))[self.number]


@dataclass(frozen=True)
class WallTime(_Localized):
    """A moment in a zone, e.g. `ven. 11 déc. 2026 18:00 CET` in the reader's language."""

    moment: datetime
    zone: tzinfo
    label: str
    english: str

    def _in(self, locale: str) -> str:
        return local_time(self.moment, self.zone, self.label, locale)
