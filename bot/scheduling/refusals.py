"""Why a time could not be read or used, as `InvalidInput`s with message ids and parameters.

Shared by the `when` and `repeat` parsers. Month names and times are parameters that render in
the reader's language (`bot.i18n.dates.MonthName`, `WallTime`); English is the message id.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.errors import InvalidInput
from bot.i18n.catalog import N_
from bot.i18n.dates import MonthName, WallTime
from bot.scheduling.describe import describe_time, zone_label
from bot.scheduling.words import MONTH_NAMES

# One message per kind of input, so that each language words it with its own grammar.
TOO_LONG = {
    "time": N_("That time is too long ({length} characters)."),
    "repeat rule": N_("That repeat rule is too long ({length} characters)."),
}
EMPTY = {"time": N_("The time is empty."), "repeat rule": N_("The repeat rule is empty.")}


def needs_time_of_day(text: str) -> InvalidInput:
    """`every friday` and the like: a day without the time of day it needs."""
    return InvalidInput(
        "`{text}` needs a time of day.", hint="Add one, e.g. `{text} 18:00`.", params={"text": text}
    )


def no_such_day(month: int, day: int, year: int | None) -> InvalidInput:
    """A date that does not exist (30 February, month 13)."""
    if not 1 <= month <= 12:
        return InvalidInput(
            "There is no month {month}.", hint="Months go from 1 to 12.", params={"month": month}
        )
    hint = "Check the date, e.g. `2026-12-01 18:00`."
    name = MonthName(month, MONTH_NAMES[month - 1])
    if year:
        return InvalidInput(
            "There is no day {day} in {month_name} {year}.",
            hint=hint,
            params={"day": day, "month_name": name, "year": year},
        )
    return InvalidInput(
        "There is no day {day} in {month_name}.",
        hint=hint,
        params={"day": day, "month_name": name},
    )


def in_the_past(target: datetime, zone: tzinfo) -> InvalidInput:
    """A first run that has already gone by."""
    shown = WallTime(target, zone, zone_label(target, zone), describe_time(target, zone))  # type: ignore[arg-type]
    return InvalidInput(
        "{time} is in the past.",
        hint="Pick a future time, e.g. `tomorrow 18:00` or `in 2 hours`.",
        params={"time": shown},
    )


def too_far(text: str, years: int) -> InvalidInput:
    """A first run more than `years` ahead."""
    return InvalidInput(
        "`{text}` is more than {years} years away.",
        hint="Schedules can start at most {years} years ahead.",
        params={"text": text.strip(), "years": years},
    )
