"""`chapterbot when`: print how a schedule is understood, without Discord.

Kept apart from `__main__` so the command line stays small. Every problem, in the text or in
an option, is one line on stderr and exit status 2 (argparse's usage text is not printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from bot.errors import InvalidInput, UserError
from bot.scheduling.explain import explain
from bot.scheduling.zones import parse_zone

USAGE = (
    "chapterbot when WHEN [--repeat RULE] [--tz ZONE] [--now ISO8601] [--locale LOCALE] "
    "[--count N] [--json]"
)


class _Refused(Exception):
    """An option argparse could not read."""


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Refused(message)


def build_when_parser() -> argparse.ArgumentParser:
    """The parser of `chapterbot when`'s arguments."""
    parser = _QuietParser(prog="chapterbot when", usage=USAGE, add_help=True)
    parser.add_argument("when", nargs="?", default="", help="e.g. 'friday 18:00' (may be empty)")
    parser.add_argument("--repeat", help="e.g. 'every other friday 18:00', 'monthly'")
    parser.add_argument("--tz", default="UTC", help="the author's time zone (default UTC)")
    parser.add_argument("--now", help="the current time, ISO 8601 (default: now)")
    parser.add_argument("--locale", default="en-US", help="Discord locale (default en-US)")
    parser.add_argument("--count", default="5", help="how many following runs (default 5)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def run_when(argv: Sequence[str]) -> int:
    """Run `chapterbot when` with `argv` (after `when`); 0 if understood, 2 if not."""
    try:
        args = build_when_parser().parse_args(list(argv))
        zone = parse_zone(args.tz)
        now = _parse_now(args.now, zone)
        count = _parse_count(args.count)
        result = explain(args.when, args.repeat, zone, now, args.locale, count)
    except _Refused as exc:
        return _refuse(str(exc))
    except UserError as exc:
        return _refuse(f"{exc.message} {exc.hint or ''}".strip())
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print(f"{result.understood} — {result.phrase}")
        for run in result.following:
            print(f"  then {run.astimezone(result.zone).isoformat()}")
    return 0


def _refuse(line: str) -> int:
    print("chapterbot when: " + " ".join(line.split()), file=sys.stderr)
    return 2


def _parse_now(text: str | None, zone: tzinfo) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        example = "e.g. 2026-12-05T10:00:00Z"
        raise InvalidInput(f"--now `{text}` is not an ISO 8601 time, {example}.") from None
    # A time without an offset is a wall time in the author's zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _parse_count(text: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput(f"--count `{text}` is not a whole number.")
    return int(text)
