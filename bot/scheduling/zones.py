"""Time zones: resolving which zone applies, reading a zone the user typed, and searching names.

Only IANA "Area/City" names (plus UTC) are offered and accepted. Legacy names such as `CET`,
`EST` or `Etc/GMT+5` exist in the tz database but mislead: `EST` never observes daylight saving
and `Etc/GMT+5` is five hours *behind* UTC. Abbreviations are refused with the city zones that
currently use them as suggestions, rather than guessed.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInput

_UTC_ALIASES = frozenset({"utc", "gmt", "z", "zulu", "universal"})
_EXCLUDED_PREFIXES = ("etc/", "systemv/", "posix/", "right/")
# Shown when nothing has been typed yet: the zones most people are looking for.
POPULAR_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@cache
def zone_names() -> tuple[str, ...]:
    """Every zone name chapterbot accepts, sorted (computed once)."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.lower().startswith(_EXCLUDED_PREFIXES)
    }
    names.add("UTC")
    return tuple(sorted(names))


@cache
def _by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in zone_names()}


@cache
def _by_city() -> dict[str, list[str]]:
    """Zones keyed by their last component, e.g. `new_york` -> [`America/New_York`]."""
    cities: dict[str, list[str]] = {}
    for name in zone_names():
        cities.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    return cities


@cache
def _by_abbreviation(year: int) -> dict[str, list[str]]:
    """Zones keyed by the abbreviations they use in winter and summer of `year`."""
    abbreviations: dict[str, list[str]] = {}
    instants = (datetime(year, 1, 15, 12, tzinfo=UTC), datetime(year, 7, 15, 12, tzinfo=UTC))
    for name in zone_names():
        zone = ZoneInfo(name)
        seen = {instant.astimezone(zone).tzname() for instant in instants}
        for abbreviation in seen:
            if abbreviation and abbreviation.isalpha():
                abbreviations.setdefault(abbreviation.lower(), []).append(name)
    return abbreviations


def _key(text: str) -> str:
    """Lower-case and use underscores like the tz database does (`new york` -> `new_york`)."""
    return "_".join(text.strip().lower().split())


def parse_zone(text: str) -> ZoneInfo:
    """The zone named by `text` (case-insensitive), or `InvalidInput` with close matches."""
    key = _key(text)
    if key in _UTC_ALIASES:
        return ZoneInfo("UTC")
    name = _by_lower_name().get(key)
    if name is None:
        # A bare city is accepted when it names exactly one zone (`berlin`, `new york`).
        cities = _by_city().get(key, [])
        name = cities[0] if len(cities) == 1 else None
    if name is None:
        raise _unknown_zone(text, key)
    return ZoneInfo(name)


def _unknown_zone(text: str, key: str) -> InvalidInput:
    shown = text.strip()[:40] or "(nothing)"
    suggestions = suggest_zones(key)
    abbreviated = key in _by_abbreviation(datetime.now(UTC).year)
    reason = (
        "`{zone}` is an abbreviation, not a time zone; it can mean different places."
        if abbreviated
        else "`{zone}` is not a time zone I know."
    )
    hint = (
        "Did you mean {suggestions}?"
        if suggestions
        else "Use a name like Europe/Berlin, America/New_York or UTC."
    )
    return InvalidInput(
        reason, hint=hint, params={"zone": shown, "suggestions": ", ".join(suggestions)}
    )


def suggest_zones(typed: str, limit: int = 5) -> list[str]:
    """Zones the user may have meant by `typed`: same abbreviation, then similar spelling."""
    return list(_suggestions(_key(typed), limit))


@lru_cache(maxsize=1024)  # autocomplete asks again at every keystroke
def _suggestions(key: str, limit: int) -> tuple[str, ...]:
    if not key:
        return ()
    same_abbreviation = _by_abbreviation(datetime.now(UTC).year).get(key, [])
    found = sorted(same_abbreviation, key=lambda name: (name not in POPULAR_ZONES, name))
    found += search_zones(key, limit)
    # difflib's default cutoff (0.6) needs lengths within a factor of two: skip the rest.
    lower_names = [n for n in _by_lower_name() if len(key) // 2 <= len(n) <= 2 * len(key)]
    found += [_by_lower_name()[n] for n in difflib.get_close_matches(key, lower_names, limit)]
    cities = [c for c in _by_city() if len(key) // 2 <= len(c) <= 2 * len(key)]
    for city in difflib.get_close_matches(key, cities, limit):
        found += _by_city()[city]
    return tuple(dict.fromkeys(found))[:limit]


def search_zones(typed: str, limit: int = 25) -> list[str]:
    """Zone names matching `typed` for autocomplete: name prefixes, part prefixes, substrings."""
    key = _key(typed)
    if not key:
        return list(POPULAR_ZONES[:limit])
    names = zone_names()
    lowered = _by_lower_name()
    prefix = [lowered[n] for n in lowered if n.startswith(key)]
    part = [n for n in names if any(p.lower().startswith(key) for p in n.split("/")[1:])]
    inside = [lowered[n] for n in lowered if key in n]
    return list(dict.fromkeys(prefix + part + inside))[:limit]


def resolve_zone(user_zone: str | None, guild_zone: str | None, default: str) -> ZoneInfo:
    """The zone to read times in: the author's, else the server's, else the configured default.

    A stored name that no longer loads (the tz database dropped it) is skipped rather than
    breaking the command; the default is validated at start-up by the configuration.
    """
    for name in (user_zone, guild_zone):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(default)


def to_utc(naive: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`.

    At a DST transition a wall time may happen twice (autumn) or not at all (spring). Like most
    calendars we take the first occurrence of a repeated time, and move a skipped time forward
    by the length of the gap (02:30 on the spring-forward night in Berlin becomes 03:30 CEST).
    PEP 495's `fold=0` gives exactly that, and it is what APScheduler's triggers compute too.
    """
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


# The zone an author most likely means by an abbreviation typed after a time: a real place's
# rules, so `18:00 CET` in July is read in CEST, the way people use these words.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "cet": "Europe/Paris", "cest": "Europe/Paris", "met": "Europe/Paris",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "bst": "Europe/London",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "msk": "Europe/Moscow",
    "est": "America/New_York", "edt": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
    "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}  # fmt: skip
_OFFSET = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")


def parse_zone_suffix(word: str) -> tzinfo | None:
    """The zone a word typed after a time names (`utc`, `z`, `cet`, `+01:00`, `europe/paris`),
    or None when the word is not a zone at all; `InvalidInput` for an unknown `Area/City`."""
    if word in _UTC_ALIASES:
        return ZoneInfo("UTC")
    if word in ZONE_ABBREVIATIONS:
        return ZoneInfo(ZONE_ABBREVIATIONS[word])
    if match := _OFFSET.fullmatch(word):
        sign, hours, minutes = match[1], int(match[2]), int(match[3] or 0)
        if hours > 14 or minutes > 59:
            raise InvalidInput(
                "`{word}` is not a UTC offset.", hint="Write it like +01:00.", params={"word": word}
            )
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
        return timezone(offset, f"UTC{sign}{hours:02d}:{minutes:02d}") if offset else UTC
    if "/" in word:
        return parse_zone(word)
    return None


def zone_key(zone: tzinfo) -> str:
    """A zone's name for people and JSON: `Europe/Paris`, `UTC`, `UTC+01:00`."""
    return getattr(zone, "key", None) or zone.tzname(None) or "UTC"
