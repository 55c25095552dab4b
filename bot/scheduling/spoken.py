"""Repeat rules in a reader's language: "chaque vendredi à 18:00 CET", "jeden Montag um 9:00".

`RepeatRule.phrase` is the English wording (the source language, kept as it is); `say_rule`
builds the same meaning from message ids with named placeholders, so each catalog words it in
its own grammar, and takes weekday names and lists from Babel's locale data. A cron rule is
shown as typed (the expression is the user's own), with its zone.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.i18n import N_, SUPPORTED
from bot.i18n.dates import day_name, listed
from bot.scheduling.describe import clock, zone_label
from bot.scheduling.periodic import MonthlyByDate, MonthlyByWeekday, WeeklyInterval
from bot.scheduling.repeat import CalendarInterval, FixedInterval, RepeatRule, WallClock

_WEEKDAYS = frozenset(range(5))
_EVERY_DAY = frozenset(range(7))
_WEEKEND = frozenset({5, 6})


class Speaking(Protocol):
    """What wording needs of `bot.i18n.Speaker`: its locale, gettext and ngettext."""

    locale: str

    def gettext(self, message: str, /, **params: object) -> str:
        """The translation of `message`, placeholders filled."""
        ...

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The plural form for `n`, placeholders (and `{n}`) filled."""
        ...


def say_rule(rule: RepeatRule, zone: ZoneInfo, first_run: datetime, speaker: Speaking) -> str:
    """`rule` in `speaker`'s language (English: `rule.phrase`, unchanged)."""
    if speaker.locale not in SUPPORTED:
        return rule.phrase(zone, first_run)
    following = rule.next_after(first_run, zone, first_run)
    label = zone_label(following, zone)
    if isinstance(rule, FixedInterval):
        return _fixed(rule.seconds, speaker)
    if isinstance(rule, CalendarInterval):
        local = first_run.astimezone(zone)
        at = rule.at or local.time().replace(microsecond=0)
        return _calendar(rule.days, _clock(at), zone_label(local, zone), speaker)
    if isinstance(rule, WallClock):
        if rule.text.startswith("cron "):
            return f"{rule.text} ({zone.key})"
        pattern = rule.pattern
        at = time(min(pattern.hours), min(pattern.minutes), min(pattern.seconds))
        return _weekly(pattern.weekdays, _clock(at), label, speaker)
    if isinstance(rule, WeeklyInterval):
        days = _days(rule.weekdays, speaker.locale)
        params = {"days": days, "time": _clock(rule.at), "zone": label}
        if rule.weeks == 2:
            return speaker.gettext("every other {days} at {time} {zone}", **params)
        return speaker.ngettext(
            "every {n} week on {days} at {time} {zone}",
            "every {n} weeks on {days} at {time} {zone}",
            rule.weeks,
            **params,
        )
    if isinstance(rule, MonthlyByDate):
        return _monthly_by_date(rule, zone, first_run, label, speaker)
    if isinstance(rule, MonthlyByWeekday):
        return _monthly_by_weekday(rule, label, speaker)
    return rule.phrase(zone, first_run)  # a rule family without wording yet stays English


def _clock(at: time) -> str:
    return clock(at.hour, at.minute, at.second)


def _days(weekdays: frozenset[int], locale: str) -> str:
    return listed([day_name(d, locale) for d in sorted(weekdays)], locale)


def _fixed(seconds: int, speaker: Speaking) -> str:
    """`every 30 seconds`, `every hour`, `every 3 hours`."""
    if seconds % 3600 == 0:
        n = seconds // 3600
        if n == 1:
            return speaker.gettext("every hour")
        return speaker.ngettext("every {n} hour", "every {n} hours", n)
    if seconds % 60 == 0:
        n = seconds // 60
        if n == 1:
            return speaker.gettext("every minute")
        return speaker.ngettext("every {n} minute", "every {n} minutes", n)
    if seconds == 1:
        return speaker.gettext("every second")
    return speaker.ngettext("every {n} second", "every {n} seconds", seconds)


def _calendar(days: int, at: str, zone: str, speaker: Speaking) -> str:
    """`every day at 18:00 CET`, `every 2 weeks at 09:00 UTC`."""
    if days % 7 == 0:
        n = days // 7
        if n == 1:
            return speaker.gettext("every week at {time} {zone}", time=at, zone=zone)
        return speaker.ngettext(
            "every {n} week at {time} {zone}",
            "every {n} weeks at {time} {zone}",
            n,
            time=at,
            zone=zone,
        )
    if days == 1:
        return speaker.gettext("every day at {time} {zone}", time=at, zone=zone)
    return speaker.ngettext(
        "every {n} day at {time} {zone}",
        "every {n} days at {time} {zone}",
        days,
        time=at,
        zone=zone,
    )


def _weekly(weekdays: frozenset[int], at: str, zone: str, speaker: Speaking) -> str:
    """`every day at 18:00 CET`, `every weekday at 09:00 CET`, `every Friday at 18:00 CET`."""
    if weekdays == _EVERY_DAY:
        return speaker.gettext("every day at {time} {zone}", time=at, zone=zone)
    if weekdays == _WEEKDAYS:
        return speaker.gettext("every weekday at {time} {zone}", time=at, zone=zone)
    if weekdays == _WEEKEND:
        return speaker.gettext("every weekend at {time} {zone}", time=at, zone=zone)
    days = _days(weekdays, speaker.locale)
    return speaker.gettext("every {days} at {time} {zone}", days=days, time=at, zone=zone)


def _monthly_by_date(
    rule: MonthlyByDate, zone: ZoneInfo, first_run: datetime, label: str, speaker: Speaking
) -> str:
    """`every month on day 1 at 09:00 CET`, `every 3 months on the last day at ...`."""
    local = first_run.astimezone(zone)
    day, at = rule.day or local.day, _clock(rule.at or local.time().replace(microsecond=0))
    if rule.months == 1:
        if day == -1:
            return speaker.gettext(
                "every month on the last day at {time} {zone}", time=at, zone=label
            )
        return speaker.gettext(
            "every month on day {day} at {time} {zone}", day=day, time=at, zone=label
        )
    if day == -1:
        return speaker.ngettext(
            "every {n} month on the last day at {time} {zone}",
            "every {n} months on the last day at {time} {zone}",
            rule.months,
            time=at,
            zone=label,
        )
    return speaker.ngettext(
        "every {n} month on day {day} at {time} {zone}",
        "every {n} months on day {day} at {time} {zone}",
        rule.months,
        day=day,
        time=at,
        zone=label,
    )


# One message per position: the ordinal agrees with the weekday in some languages.
_NTH = {
    1: N_("on the first {day} of every month at {time} {zone}"),
    2: N_("on the second {day} of every month at {time} {zone}"),
    3: N_("on the third {day} of every month at {time} {zone}"),
    4: N_("on the fourth {day} of every month at {time} {zone}"),
    5: N_("on the fifth {day} of every month at {time} {zone}"),
    -1: N_("on the last {day} of every month at {time} {zone}"),
}


def _monthly_by_weekday(rule: MonthlyByWeekday, label: str, speaker: Speaking) -> str:
    """`on the first Friday of every month at 18:00 CET`."""
    day = day_name(rule.weekday, speaker.locale)
    return speaker.gettext(_NTH[rule.nth], day=day, time=_clock(rule.at), zone=label)


def say_next(following: str, speaker: Speaking) -> str:
    """The ` — next: …` tail of a rule's preview."""
    return speaker.gettext(" — next: {when}", when=following)


def say_unset_time(days: int, speaker: Speaking) -> str:
    """`every 2 days, at the first run's time of day` (before the first run is known)."""
    if days % 7 == 0:
        if days == 7:
            return speaker.gettext("every week, at the first run's time of day")
        return speaker.ngettext(
            "every {n} week, at the first run's time of day",
            "every {n} weeks, at the first run's time of day",
            days // 7,
        )
    if days == 1:
        return speaker.gettext("every day, at the first run's time of day")
    return speaker.ngettext(
        "every {n} day, at the first run's time of day",
        "every {n} days, at the first run's time of day",
        days,
    )
