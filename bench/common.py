"""Helpers every benchmark shares: machine info, timing, JSON output, the README results table."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
README = Path(__file__).resolve().with_name("README.md")
# New rows go right above this line of bench/README.md.
RESULTS_MARKER = "<!-- results: new rows are added above this line -->"
_TABLE_HEADER = "| date (UTC) | benchmark | machine | key numbers |\n| --- | --- | --- | --- |\n"

T = TypeVar("T")


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
    }


def machine_label(info: dict[str, Any]) -> str:
    """A short machine description for the results table, e.g. "2 cores, Python 3.11.7"."""
    return f"{info['cores']} cores, {info['implementation']} {info['python']}, {info['machine']}"


@contextlib.contextmanager
def one_core() -> Iterator[bool]:
    """Pin this process to a single CPU while timing (yields whether pinning was possible)."""
    if not hasattr(os, "sched_setaffinity"):
        yield False
        return
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(before)})
    except OSError:
        yield False
        return
    try:
        yield True
    finally:
        os.sched_setaffinity(0, before)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds `fn()` took, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_seconds(fn: Callable[[], T], runs: int) -> tuple[float, list[float], T]:
    """Median seconds over `runs` calls of `fn`, every run's seconds, and the last result."""
    times: list[float] = []
    result: T
    for _ in range(max(1, runs)):
        seconds, result = timed(fn)
        times.append(seconds)
    return statistics.median(times), times, result


def print_json(result: dict[str, Any]) -> None:
    """Print one benchmark's result as one JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def utc_now() -> str:
    """The current UTC time, to the minute, for result rows."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")


def append_result_row(
    benchmark: str, machine: str, key_numbers: str, *, date: str, readme: Path = README
) -> None:
    """Add a row to the results table in `readme` (above the marker; the table is created at
    the end of the file when the marker is missing)."""
    row = f"| {date} | {benchmark} | {machine} | {_cell(key_numbers)} |\n"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if RESULTS_MARKER in text:
        text = text.replace(RESULTS_MARKER, row + RESULTS_MARKER, 1)
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + _TABLE_HEADER + row + RESULTS_MARKER
        text += "\n"
    readme.write_text(text, encoding="utf-8")


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
