"""`when`: how fast the scheduling language is read — it runs on every autocomplete keystroke.

10,000 phrases drawn deterministically from every family (one-off dates, times, zones,
durations; repeats by weekday, week, month, interval and cron; typos and refusals, which pay
for the "did you mean" search), each parsed with the same functions `/schedule add` and
`chapterbot when` use. Target: all 10,000 in <= 1 s (median of 3 runs, one core).
`--smoke`: 1,000 phrases, one run.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import median_seconds, one_core
from bot.errors import InvalidInput
from bot.scheduling import parse_repeat
from bot.scheduling.when import parse_when

NAME = "when"
DESCRIPTION = "parse 10,000 scheduling phrases of every family (one-offs, repeats, typos)"
BUDGET_S = 15  # seconds of a full run; `all` reports elapsed_s against it
PHRASES = 10_000
SMOKE_PHRASES = 1_000
TARGET_SECONDS = 1.0
RUNS = 3
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")

ONE_OFFS = [
    "2026-12-24 18:00", "24.12.2026 18:00", "24/12/2026 18:00", "dec 24 6pm",
    "24 december 18:00", "tomorrow 18:00", "friday 6pm", "next friday 18:00", "this friday",
    "in 2 hours", "in two hours", "in half an hour", "in 90 minutes", "in 3 days", "tonight",
    "noon", "midnight", "18:00", "6pm", "6 pm", "18h", "18h00", "18.00", "6:30pm",
    "18:00 UTC", "18:00Z", "18:00 +01:00", "18:00 CET", "18:00 EST", "18:00 PST", "18:00 gmt",
    "18:00 EET", "18:00 JST", "18:00 MST", "18:00 Europe/Paris", "tonight 2am",
]  # fmt: skip
REPEATS = [
    "daily", "every day 18:00", "weekly", "every friday 18:00", "fridays 18:00",
    "every weekday 9am", "weekdays 9am", "weekends 10:00", "every mon, wed, fri 18:00",
    "every other friday 18:00", "every 2 weeks on friday 18:00", "fortnightly", "monthly",
    "every month on the 1st at 9am", "every 1st of the month 9am",
    "on the last day of every month 20:00", "first friday of every month 18:00",
    "every 3 days", "every 12 hours", "hourly", "0 18 * * 5", "*/15 9-17 * * mon-fri",
]  # fmt: skip
MISSES = ["every fridy 18:00", "tomorow 18:00", "gibberish", "31.02.2027 18:00", "25:00",
          "18:00 Mars/Olympus", "montly"]  # fmt: skip


def phrases(count: int, seed: int = 15) -> list[tuple[str, str]]:
    """`count` (kind, text) pairs: 45 % one-offs, 45 % repeats, 10 % near misses."""
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            drawn.append(("when", rng.choice(ONE_OFFS)))
        elif roll < 0.9:
            drawn.append(("repeat", rng.choice(REPEATS)))
        else:
            drawn.append((rng.choice(("when", "repeat")), rng.choice(MISSES)))
    return drawn


def parse_all(drawn: list[tuple[str, str]]) -> int:
    """Parse every phrase; the number refused."""
    refused = 0
    for kind, text in drawn:
        try:
            if kind == "when":
                parse_when(text, ZONE, NOW)
            else:
                parse_repeat(text)
        except InvalidInput:
            refused += 1
    return refused


def run(smoke: bool = False) -> dict[str, Any]:
    """Time parsing; `targets_met` says whether 10,000 phrases take at most a second."""
    count = SMOKE_PHRASES if smoke else PHRASES
    drawn = phrases(count)
    parse_all(drawn[:200])  # warm caches (zone tables, compiled patterns)
    with one_core() as pinned:
        seconds, every, refused = median_seconds(lambda: parse_all(drawn), 1 if smoke else RUNS)
    per_10k = seconds * PHRASES / count
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "phrases": count,
        "refused": refused,
        "seconds": round(seconds, 4),
        "runs_s": [round(s, 4) for s in every],
        "seconds_per_10000": round(per_10k, 4),
        "pinned_to_one_core": pinned,
        "target_seconds_per_10000": TARGET_SECONDS,
        "targets_met": per_10k <= TARGET_SECONDS,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return (
        f"{result['phrases']} phrases ({result['refused']} refused) in {result['seconds']:.3f} s "
        f"median; {result['seconds_per_10000']:.3f} s per 10,000 — {verdict}"
    )
