"""How a schedule is understood, without Discord: the logic behind `chapterbot when`.

`explain` reads a one-off `when` and/or a repeat rule exactly as `/schedule add` does (same
parsers), and lists the first run and the following ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from bot.errors import InvalidInput
from bot.scheduling.describe import describe_time, zone_label
from bot.scheduling.periodic import parse_periodic
from bot.scheduling.repeat import RepeatRule, parse_repeat
from bot.scheduling.when import read_when
from bot.scheduling.zones import zone_key

MAX_COUNT = 1000
assert parse_periodic  # the wider repeat phrases must be registered before parsing


@dataclass(frozen=True)
class Explanation:
    """A schedule as understood: its first run, the next ones, and in which words."""

    first: datetime
    following: list[datetime]
    zone: tzinfo
    phrase: str
    understood: str

    def as_json(self) -> dict[str, object]:
        """The `chapterbot when --json` contract."""
        return {
            "first": _iso(self.first, self.zone),
            "next": [_iso(run, self.zone) for run in self.following],
            "zone": zone_key(self.zone),
            "phrase": self.phrase,
            "understood": self.understood,
        }


def _iso(instant: datetime, zone: tzinfo) -> str:
    return instant.astimezone(zone).isoformat()


def explain(
    when: str,
    repeat: str | None,
    zone: tzinfo,
    now: datetime,
    locale: str = "en-US",
    count: int = 5,
) -> Explanation:
    """The schedule `when` (first run; may be empty with `repeat`, or itself a repeat phrase)
    and `repeat` (the following runs) describe; `InvalidInput` if either cannot be read."""
    if not 0 <= count <= MAX_COUNT:
        raise InvalidInput(
            "--count must be between 0 and {limit}, not {count}.",
            params={"limit": MAX_COUNT, "count": count},
        )
    now = now.replace(microsecond=0)
    rule = parse_repeat(repeat) if repeat is not None and repeat.strip() else None
    first: datetime | None = None
    if when.strip():
        try:
            first, zone = read_when(when, zone, now, locale)
        except InvalidInput as when_error:
            if rule is not None:
                raise
            rule = _as_repeat(when, when_error)
    if rule is None:
        if first is None:
            raise InvalidInput("Give a time, a repeat rule, or both.", hint="E.g. `friday 18:00`.")
        return Explanation(first, [], zone, "once", describe_time(first, zone))
    if first is None:  # the rule's own next occurrence; what it takes from a first run, from now
        rule = rule.bind(now, zone)  # type: ignore[arg-type]
        first = rule.next_after(now, zone, now)  # type: ignore[arg-type]
    return _repeating(rule, first, zone, count)


def _as_repeat(text: str, when_error: InvalidInput) -> RepeatRule:
    """`text` read as a repeat rule when it is not a one-off; the more helpful error if neither."""
    try:
        return parse_repeat(text)
    except InvalidInput as repeat_error:
        suggests = "Did you mean" in (repeat_error.hint or "")
        can_not_read = "can't read" in repeat_error.message
        raise (repeat_error if suggests or not can_not_read else when_error) from None


def _repeating(rule: RepeatRule, first: datetime, zone: tzinfo, count: int) -> Explanation:
    bound = rule.bind(first, zone)  # type: ignore[arg-type]
    runs = [first]
    for _ in range(count):
        runs.append(bound.next_after(runs[-1], zone, first))  # type: ignore[arg-type]
    phrase = bound.phrase(zone, first)  # type: ignore[arg-type]
    phrase = phrase.removesuffix(" " + zone_label(runs[min(1, count)], zone))  # type: ignore[arg-type]
    return Explanation(first.astimezone(UTC), runs[1:], zone, phrase, describe_time(first, zone))
