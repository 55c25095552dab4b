"""`growth`: `/next` p99 at 10^4, 10^5 and 10^6 progress rows — it must stay flat.

The same 10,000 readers each time (emulator members), with 1, 10 and 100 released stories so the
progress table holds 10^4, 10^5 and 10^6 rows; a fresh database and bot process per size, a
warm-up, then `/next` at 200/s for 10 s. Reported: p50/p99 per size and the least-squares slope
of p99 against log10(rows), in ms per tenfold growth. Target (flatness): p99 at the largest size
<= 1.5 x p99 at the smallest. Latency on a shared 2-core machine is noisy; the slope over three
points says more than any single one.
"""

from __future__ import annotations

import math
from typing import Any

from bench.harness import BotProcess, Emulator, running, workspace
from bench.next_load import BOT_ANSWER, LoadPlan, measure, prepare

NAME = "growth"
DESCRIPTION = "/next p99 at 10^4, 10^5, 10^6 progress rows; slope per tenfold growth"
BUDGET_S = 100  # seconds of a full run; `all` reports elapsed_s against it
TARGET_GROWTH = 1.5
FULL_SIZES, SMOKE_SIZES = (10_000, 100_000, 1_000_000), (300, 3_000)
FULL = LoadPlan(10_000, 0, 200.0, 10.0, 2.0, 400)
SMOKE = LoadPlan(300, 0, 50.0, 1.0, 0.5, 30)


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of y against log10(x)."""
    if len(points) < 2:
        return None
    xs = [math.log10(x) for x, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var, 2)


def run(smoke: bool = False) -> dict[str, Any]:
    """One bot run per table size, same readers and rate."""
    plan, sizes = (SMOKE, SMOKE_SIZES) if smoke else (FULL, FULL_SIZES)
    points: list[dict[str, Any]] = []
    with workspace("growth") as workdir:
        emu = Emulator(workdir)
        with running(emu):
            readers: list[int] | None = None
            for rows in sizes:
                prepared = prepare(emu, workdir, plan, progress_rows=rows, readers=readers)
                readers = prepared["readers"]
                result = measure(
                    emu,
                    BotProcess(emu, workdir, database=prepared["database"]),
                    readers,
                    rate=plan.rate,
                    seconds=plan.seconds,
                    warmup_seconds=plan.warmup_seconds,
                    warmup_readers=plan.warmup_readers,
                    expect=BOT_ANSWER,
                    probe=("alice", "help"),
                )
                points.append(
                    {
                        "progress_rows": prepared["seeded"]["progress_rows"],
                        "p50_ms": result["p50_ms"],
                        "p99_ms": result["p99_ms"],
                        "max_ms": result["max_ms"],
                        "late_or_missing": result["late_or_missing"],
                        "pages_ok": result["expected_answers"] == result["sent"],
                        "cpu_s": result["cpu_s"],
                        "other_processes_cpu_s": result["other_processes_cpu_s"],
                    }
                )
    p99 = [(p["progress_rows"], p["p99_ms"]) for p in points]
    growth = round(p99[-1][1] / p99[0][1], 3) if p99[0][1] > 0 else None
    met = growth is not None and growth <= TARGET_GROWTH and all(p["pages_ok"] for p in points)
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "rate": plan.rate,
        "seconds": plan.seconds,
        "readers": plan.readers,
        "points": points,
        "p99_slope_ms_per_decade": slope(p99),
        "p50_slope_ms_per_decade": slope([(p["progress_rows"], p["p50_ms"]) for p in points]),
        "p99_largest_over_smallest": growth,
        "targets": {"p99_largest_over_smallest": TARGET_GROWTH},
        "targets_met": met,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    points = ", ".join(
        f"{p['progress_rows']:,} rows p50/p99 {p['p50_ms']}/{p['p99_ms']} ms"
        for p in result["points"]
    )
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return (
        f"/next at {result['rate']:.0f}/s: {points}; p99 slope "
        f"{result['p99_slope_ms_per_decade']} ms per 10x rows, largest/smallest "
        f"{result['p99_largest_over_smallest']} — {verdict}"
    )
