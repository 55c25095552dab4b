"""Reading a one-off moment (`when`) the way people type it: `tomorrow 18:00`, `in 2 hours`...

Every function takes the current time as an argument so the rules can be tested against a fixed
clock. Results are aware UTC datetimes with whole seconds.

Choices made here:
- A bare time (`18:00`, `6pm`, `noon`) is its next occurrence: today, or tomorrow once passed.
- A weekday (`friday 6pm`) is the next such day, today included while the time is ahead;
  `next friday` never means today.
- A day without a year (`1 dec 18:00`) is its next occurrence.
- `in N days` is N times 24 hours, not "same wall time N days later".
- Wall times that a DST change skips or repeats are resolved by `zones.to_utc`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from bot.errors import InvalidInput
from bot.i18n.catalog import N_
from bot.scheduling.refusals import (
    EMPTY,
    TOO_LONG,
    in_the_past,
    needs_time_of_day,
    no_such_day,
    too_far,
)
from bot.scheduling.suggest import corrected
from bot.scheduling.words import MONTH_NAMES, MONTHS, NUMBER_WORDS, WEEKDAYS
from bot.scheduling.zones import parse_zone_suffix, to_utc

MAX_INPUT_LENGTH = 100
MAX_YEARS_AHEAD = 5
MAX_AHEAD = timedelta(days=365 * MAX_YEARS_AHEAD + 1)

WHEN_EXAMPLES = "`2026-12-01 18:00`, `tomorrow 18:00`, `friday 6pm`, `18:00` or `in 2 hours`"

# A time of day: 18:00, 18:00:30, 6pm, 6:30 pm, noon, midnight. A bare number is not a time.
# Also the French and German ways: 18h, 18h00, 18.00.
TIME_PATTERN = (
    r"(?:noon|midnight|\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]m)?|\d{1,2}\.\d{2}(?:\s*[ap]m)?"
    r"|\d{1,2}h(?:\d{2})?|\d{1,2}\s*[ap]m)"
)
_TIME_OF_DAY = re.compile(r"(\d{1,2})(?:[:h.](\d{2}))?(?::(\d{2}))?h?\s*([ap]m)?")
_DATE_THEN_TIME = re.compile(rf"(?:(?P<date>.+?)\s+(?:at\s+)?)?(?P<time>{TIME_PATTERN})")
_TIME_THEN_DATE = re.compile(rf"(?P<time>{TIME_PATTERN})\s+(?:on\s+)?(?P<date>.+)")
_WEEKDAY = re.compile(rf"(?:(?P<rel>next|this|on)\s+)?(?P<day>{'|'.join(WEEKDAYS)})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# 24.12.2026 is always day first; 24/12/2026 too, except for US English (12/24/2026).
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4})?)?")
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
_ATTACHED_ZONE = re.compile(r"(?P<time>.*\d)(?P<zone>z|[+-]\d{2}:?\d{2})")
MONTH_FIRST_LOCALES = frozenset({"en-us"})
_MONTH_NAME_OF = {number: name.lower()[:3] for number, name in enumerate(MONTH_NAMES, start=1)}
TONIGHT = time(20)
_HALVES = (("an hour and a half", "90 minutes"), ("half an hour", "30 minutes"),
           ("a half hour", "30 minutes"), ("half a day", "12 hours"))  # fmt: skip
_NUMBER_WORD = re.compile(rf"\b({'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})\b")
_MONTH = "|".join(MONTHS)
_DAY_MONTH = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})(?:\s+(\d{{4}}))?")
_MONTH_DAY = re.compile(rf"({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(\d{{4}}))?")

_UNITS = {
    "seconds": ("s", "sec", "secs", "second", "seconds"),
    "minutes": ("m", "min", "mins", "minute", "minutes"),
    "hours": ("h", "hr", "hrs", "hour", "hours"),
    "days": ("d", "day", "days"),
    "weeks": ("w", "wk", "wks", "week", "weeks"),
}
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
_UNIT_OF = {alias: unit for unit, aliases in _UNITS.items() for alias in aliases}
_UNIT_ALTERNATIVES = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
_DURATION_PART = re.compile(rf"(\d{{1,9}}|an?)\s*({_UNIT_ALTERNATIVES})(?![a-z])")


def normalise(text: str, what: str = "time", examples: str = WHEN_EXAMPLES) -> str:
    """Lower-case `text` and collapse whitespace; refuse empty or overlong input."""
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidInput(
            TOO_LONG[what],
            hint="Keep it under {limit} characters.",
            params={"length": len(text), "limit": MAX_INPUT_LENGTH},
        )
    clean = " ".join(text.lower().split())
    if not clean:
        raise InvalidInput(EMPTY[what], hint="Try {examples}.", params={"examples": examples})
    return clean


def parse_time_of_day(text: str) -> time:
    """`18:00`, `18:00:30`, `6pm`, `6:30 pm`, `noon`, `midnight` -> a `time`."""
    if text in ("noon", "midnight"):
        return time(12 if text == "noon" else 0)
    match = _TIME_OF_DAY.fullmatch(text)
    if match is None:
        raise InvalidInput(
            "`{text}` is not a time of day.",
            hint="Write it like 18:00 or 6pm.",
            params={"text": text},
        )
    hour, minute, second = (int(group or 0) for group in match.group(1, 2, 3))
    if match.group(4):
        if not 1 <= hour <= 12:
            raise InvalidInput(
                "`{text}` is not a time: with am/pm the hour goes 1 to 12.", params={"text": text}
            )
        hour = hour % 12 + (12 if match.group(4) == "pm" else 0)
    limits = (
        (hour, 23, N_("`{text}` is not a time of day: hours go from 0 to {limit}.")),
        (minute, 59, N_("`{text}` is not a time of day: minutes go from 0 to {limit}.")),
        (second, 59, N_("`{text}` is not a time of day: seconds go from 0 to {limit}.")),
    )
    for value, limit, message in limits:
        if value > limit:
            raise InvalidInput(
                message,
                hint="Write it like 18:00, 18:00:30 or 6pm.",
                params={"text": text, "limit": limit},
            )
    return time(hour, minute, second)


def duration_parts(text: str) -> dict[str, int] | None:
    """`2h30m`, `1 hour and 30 minutes`, `an hour` -> {unit: count}, or None if not a duration."""
    cleaned = re.sub(r"\band\b|,", " ", text).strip()
    if not cleaned or not re.fullmatch(rf"(?:{_DURATION_PART.pattern}\s*)+", cleaned):
        return None
    parts: dict[str, int] = {}
    for count, alias in _DURATION_PART.findall(cleaned):
        unit = _UNIT_OF[alias]
        parts[unit] = parts.get(unit, 0) + (1 if count in ("a", "an") else int(count))
    return parts


def parse_duration(text: str) -> timedelta:
    """A positive duration like `90 seconds`, `2 hours`, `2h30m`, `1 day` (a day is 24 hours)."""
    parts = duration_parts(text)
    if parts is None:
        raise InvalidInput(
            "I can't read `{text}` as a duration.",
            hint="Write it like `in 90 seconds`, `in 2 hours`, `in 1 day` or `in 2h30m`.",
            params={"text": text},
        )
    return timedelta(seconds=duration_seconds(parts))


def duration_seconds(parts: dict[str, int]) -> int:
    """The length of `duration_parts` in seconds (an exact integer, never overflowing)."""
    return sum(count * UNIT_SECONDS[unit] for unit, count in parts.items())


def parse_when(text: str, zone: tzinfo, now: datetime, locale: str = "en-US") -> datetime:
    """The future moment `text` names, read in `zone`, as an aware UTC datetime.

    Raises `InvalidInput` for anything unreadable, impossible, past or too far ahead.
    """
    return read_when(text, zone, now, locale)[0]


def read_when(
    text: str, zone: tzinfo, now: datetime, locale: str = "en-US"
) -> tuple[datetime, tzinfo]:
    """`parse_when`, plus the zone it was read in: a zone typed after the time (`18:00 CET`,
    `18:00Z`, `18:00 +01:00`, `18:00 Europe/Paris`) overrides the author's `zone`."""
    clean = normalise(text)
    clean, zone = _split_zone(clean, zone)
    try:
        if clean == "now":
            raise InvalidInput("`now` is not a schedule.", hint="Use /publish to post right away.")
        if clean.startswith("in "):
            target = now + parse_duration(_spelled_numbers(clean[3:]))
        else:
            target = _parse_moment(clean, zone, now, locale.lower())
    except OverflowError:
        raise too_far(text, MAX_YEARS_AHEAD) from None
    except InvalidInput as error:
        raise _with_suggestion(error, clean, zone, now, locale) from None
    target = target.replace(microsecond=0)
    _check_window(target, zone, now, text)
    return target, zone


def _split_zone(clean: str, zone: tzinfo) -> tuple[str, tzinfo]:
    """The text without a trailing zone, and the zone to read it in."""
    head, _, last = clean.rpartition(" ")
    if head and (not last[0].isdigit() or last[0] in "+-"):
        typed = parse_zone_suffix(last)
        if typed is not None:
            return head, typed
    if (attached := _ATTACHED_ZONE.fullmatch(clean)) and ":" in attached["time"][-6:]:
        typed = parse_zone_suffix(attached["zone"])
        if typed is not None:
            return attached["time"], typed
    return clean, zone


def _spelled_numbers(text: str) -> str:
    """`two hours` -> `2 hours`, `half an hour` -> `30 minutes`."""
    for words, duration in _HALVES:
        text = text.replace(words, duration)
    return _NUMBER_WORD.sub(lambda match: str(NUMBER_WORDS[match[1]]), text)


def _with_suggestion(
    error: InvalidInput, clean: str, zone: tzinfo, now: datetime, locale: str
) -> InvalidInput:
    """`error`, with `Did you mean "..."?` as its hint when a corrected spelling reads."""
    if "can't read" not in error.message:
        return error
    fixed = corrected(clean)
    if fixed is None:
        return error
    try:
        read_when(fixed, zone, now, locale)
    except InvalidInput:
        return error
    hint = 'Did you mean "{fixed}"?' + (f" {error.hint_id}" if error.hint_id else "")
    return InvalidInput(error.message_id, hint=hint, params={**error.params, "fixed": fixed})


def _parse_moment(clean: str, zone: tzinfo, now: datetime, locale: str) -> datetime:
    """A calendar moment: an optional day expression plus a time of day, in either order."""
    clean = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", clean.replace(",", ""))
    clean = clean.removeprefix("at ")
    local_now = now.astimezone(zone)
    today = local_now.date()
    if clean == "tonight":
        return _tonight(zone, now)
    match = _DATE_THEN_TIME.fullmatch(clean) or _TIME_THEN_DATE.fullmatch(clean)
    if match is None:
        dates = candidate_dates(clean, today, locale)
        if dates is not None and clean.startswith(("this ", "next ")):
            # `this friday` without a time: that day at the time it is now.
            return to_utc(datetime.combine(dates[0], local_now.time().replace(second=0)), zone)
        if dates is not None:
            raise needs_time_of_day(clean)
        raise InvalidInput(
            "I can't read `{text}` as a time.",
            hint="Try {examples}.",
            params={"text": clean, "examples": WHEN_EXAMPLES},
        )
    at = parse_time_of_day(match["time"])
    day_text = match["date"] or ""
    dates = candidate_dates(day_text, today, locale)
    if dates is None:
        raise InvalidInput(
            "I can't read `{text}` as a day.",
            hint="Use `today`, `tomorrow`, a weekday, `2026-12-01` or `1 dec`.",
            params={"text": match["date"]},
        )
    if day_text == "tonight" and at.hour < 6:  # `tonight 2am` is the small hours after today
        dates = [today + timedelta(days=1)]
    instants = [to_utc(datetime.combine(day, at), zone) for day in dates]
    # The first candidate still ahead; if none is, the last one fails the window check.
    return next((instant for instant in instants if instant > now), instants[-1])


def _tonight(zone: tzinfo, now: datetime) -> datetime:
    """`tonight` alone: 20:00 today, said in the description; refused once 20:00 has passed."""
    local_now = now.astimezone(zone)
    target = to_utc(datetime.combine(local_now.date(), TONIGHT), zone)
    if target <= now:
        raise InvalidInput(
            "It is already past 20:00, which is what `tonight` means here.",
            hint="Give a time, e.g. `tonight 23:00` or `in 2 hours`.",
        )
    return target


def candidate_dates(text: str, today: date, locale: str = "en-us") -> list[date] | None:
    """Days `text` may mean, soonest first (None if it is not a day expression at all).

    Raises `InvalidInput` for a day that cannot exist, like `31 feb` or `2026-02-31`.
    """
    if text in ("today", "tonight", "tomorrow"):
        return [today + timedelta(days=1 if text == "tomorrow" else 0)]
    if not text:
        return [today, today + timedelta(days=1)]
    if match := _WEEKDAY.fullmatch(text):
        ahead = (WEEKDAYS[match["day"]] - today.weekday()) % 7
        if match["rel"] == "next":
            return [today + timedelta(days=ahead or 7)]
        return [today + timedelta(days=ahead), today + timedelta(days=ahead + 7)]
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return [_make_date(year, month, day)]
    if (match := _DOTTED_DATE.fullmatch(text)) or (match := _SLASHED_DATE.fullmatch(text)):
        first, second, year_text = int(match[1]), int(match[2]), match[3]
        month_first = match.re is _SLASHED_DATE and locale.lower() in MONTH_FIRST_LOCALES
        month, day = (first, second) if month_first else (second, first)
        if month_first and month > 12 >= day >= 1:
            swapped = f"{day}/{month}" + (f"/{year_text}" if year_text else "")
            raise InvalidInput(
                "There is no month {month}: in US English `{text}` is month/day/year.",
                hint="Write `{swapped}`, or `{first} {name}`.",
                params={
                    "month": month,
                    "text": text,
                    "swapped": swapped,
                    "first": first,
                    "name": _MONTH_NAME_OF[day],
                },
            )
        if year_text:
            return [_make_date(int(year_text), month, day)]
        if not 1 <= month <= 12:
            raise no_such_day(month, day, None)
        return _yearly(month, day, today)
    if match := _DAY_MONTH.fullmatch(text):
        day_text, month_name, year = match.groups()
    elif match := _MONTH_DAY.fullmatch(text):
        month_name, day_text, year = match.groups()
    else:
        return None
    if year:
        return [_make_date(int(year), MONTHS[month_name], int(day_text))]
    return _yearly(MONTHS[month_name], int(day_text), today)


def _make_date(year: int, month: int, day: int) -> date:
    if year < 1:
        raise InvalidInput(
            "There is no year {year}.",
            hint="Write it like `2026-12-01 18:00`.",
            params={"year": year},
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise no_such_day(month, day, year) from None


def _yearly(month: int, day: int, today: date) -> list[date]:
    """`day month` in this and the following years where it exists (29 February: leap years)."""
    dates = []
    for year in range(today.year, today.year + MAX_YEARS_AHEAD + 4):
        try:
            dates.append(date(year, month, day))
        except ValueError:
            continue
    if not dates:
        raise no_such_day(month, day, None)
    return dates


def _check_window(target: datetime, zone: tzinfo, now: datetime, text: str) -> None:
    if target <= now:
        raise in_the_past(target, zone)
    if target > now + MAX_AHEAD:
        raise too_far(text, MAX_YEARS_AHEAD)
