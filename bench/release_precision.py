"""`release_precision`: how close to their due time scheduled releases go out, and start-up.

Precision: 1,000 text channels in the emulator and, in the database, one one-page story per
channel with a one-off schedule; due times are spread over 60 s (about 17 a second, under
Discord's global 50/s, so the limit is not the bottleneck). The bot starts before the first is
due. Lag = the wall time the release's first message POST reached the emulator minus its due
time (both processes read `time.time()`): p50/p99/max, releases that never went out, and
channels that got more than one message (there must be none).

Reconciliation: the bot starts on a database holding 10,000 pending releases that fell due
while it was down (10 one-page chapters in each of 1,000 stories). The time from process start
to the first backlog POST, minus the same time for a backlog of one release, is the cost of
start-up reconciliation over 10,000 releases (connecting and discord.py's own ready delay are
the same in both runs and cancel out). Targets: p99 lag <= 1 s, reconciliation <= 2 s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import BotProcess, Emulator, running, workspace
from bench.seed import seed_pending_releases, seed_schedules
from testkit.emulator.loadgen import percentile

NAME = "release_precision"
DESCRIPTION = "lag of 1,000 scheduled releases over 60 s; start-up with 10,000 pending releases"
BUDGET_S = 120  # seconds of a full run; `all` reports elapsed_s against it
TARGET_P99_LAG_S = 1.0
TARGET_RECONCILE_S = 2.0


@dataclass(frozen=True)
class Plan:
    """Sizes of one run."""

    channels: int
    spread_s: float
    lead_s: float  # the first release is due this long after seeding (the bot starts first)
    backlog: int


FULL = Plan(channels=1_000, spread_s=60.0, lead_s=12.0, backlog=10_000)
SMOKE = Plan(channels=20, spread_s=3.0, lead_s=6.0, backlog=200)


def due_times(first: int, count: int, spread_s: float) -> list[int]:
    """`count` due times (whole seconds, as the schedules table stores them) over `spread_s`."""
    return [first + int(i * spread_s / count) for i in range(count)]


def precision(emu: Emulator, workdir: Path, plan: Plan, channels: list[int]) -> dict[str, Any]:
    """Seed schedules, run the bot through them, and compute the lag of each release."""
    world = emu.world()
    first_due = int(time.time() + plan.lead_s)
    dues = due_times(first_due, len(channels), plan.spread_s)
    db = workdir / "precision.db"
    seeded = asyncio.run(
        seed_schedules(
            db,
            guild_id=int(world["guild_id"]),
            owner_id=int(world["users"]["alice"]),
            channel_ids=channels,
            due_times=dues,
        )
    )
    emu.reset()
    bot = BotProcess(emu, workdir, database=db)
    with running(bot):
        ready_s = bot.wait_ready()
        ready_before_first_due = time.time() < first_due
        deadline = dues[-1] + 15.0
        first: dict[int, float] = {}
        while time.time() < deadline:
            time.sleep(1.0)
            first, posts = emu.first_posts(channels)
            if len(first) == len(channels) and time.time() > dues[-1] + 2:
                break
        first, posts = emu.first_posts(channels)
        rss = bot.rss_mb()
    lags = sorted(first[c] - due for c, due in zip(channels, dues, strict=True) if c in first)
    return {
        "releases": len(channels),
        "spread_s": plan.spread_s,
        "seeding_s": seeded["seconds"],
        "bot_ready_s": ready_s,
        "bot_ready_before_first_due": ready_before_first_due,
        "posted": len(first),
        "missing": len(channels) - len(first),
        "duplicated": sum(1 for n in posts.values() if n > 1),
        "lag_p50_s": round(percentile(lags, 50), 3),
        "lag_p99_s": round(percentile(lags, 99), 3),
        "lag_max_s": round(lags[-1], 3) if lags else None,
        "lag_min_s": round(lags[0], 3) if lags else None,
        "bot_rss_mb": rss,
    }


def _time_to_first_post(
    emu: Emulator, workdir: Path, channels: list[int], releases: int, name: str
) -> dict[str, Any]:
    """Start the bot on a backlog of `releases`; seconds from process start to the first POST."""
    world = emu.world()
    db = workdir / f"{name}.db"
    seeded = asyncio.run(
        seed_pending_releases(
            db,
            guild_id=int(world["guild_id"]),
            owner_id=int(world["users"]["alice"]),
            channel_ids=channels,
            releases=releases,
            due_at=int(time.time()) - 3_600,
        )
    )
    emu.reset()
    bot = BotProcess(emu, workdir, database=db)
    with running(bot):
        deadline = time.time() + 60.0
        first: dict[int, float] = {}
        while not first and time.time() < deadline:
            time.sleep(0.2)
            first, _ = emu.first_posts(channels)
        started = bot.started
    return {
        "releases": seeded["releases"],
        "seeding_s": seeded["seconds"],
        "start_to_first_post_s": round(min(first.values()) - started, 3) if first else None,
    }


def reconciliation(emu: Emulator, workdir: Path, plan: Plan, channels: list[int]) -> dict:
    """Start-up with a backlog of one release, then of `plan.backlog`; the difference."""
    baseline = _time_to_first_post(emu, workdir, channels[:1], 1, "baseline")
    backlog = _time_to_first_post(emu, workdir, channels, plan.backlog, "backlog")
    cost = None
    if baseline["start_to_first_post_s"] is not None and backlog["start_to_first_post_s"]:
        cost = round(
            max(0.0, backlog["start_to_first_post_s"] - baseline["start_to_first_post_s"]), 3
        )
    return {"baseline": baseline, "backlog": backlog, "reconciliation_s": cost}


def run(smoke: bool = False) -> dict[str, Any]:
    """Measure release lag, then start-up reconciliation."""
    plan = SMOKE if smoke else FULL
    with workspace("releases") as workdir:
        emu = Emulator(workdir)
        with running(emu):
            channels = emu.seed_channels(plan.channels)
            lag = precision(emu, workdir, plan, channels)
            start = reconciliation(emu, workdir, plan, channels)
            violations = emu.stats()["violations"]
    reconcile = start["reconciliation_s"]
    met = (
        lag["missing"] == 0
        and lag["duplicated"] == 0
        and lag["lag_p99_s"] <= TARGET_P99_LAG_S
        and reconcile is not None
        and reconcile <= TARGET_RECONCILE_S
        and not violations
    )
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "targets": {"lag_p99_s": TARGET_P99_LAG_S, "reconciliation_s": TARGET_RECONCILE_S},
        "precision": lag,
        "startup": start,
        "emulator_violations": violations[:5],
        "targets_met": met,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    lag, start = result["precision"], result["startup"]
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return (
        f"{lag['posted']}/{lag['releases']} releases over {lag['spread_s']:.0f} s, lag p50/p99/max "
        f"{lag['lag_p50_s']}/{lag['lag_p99_s']}/{lag['lag_max_s']} s, duplicated "
        f"{lag['duplicated']}; start-up with {start['backlog']['releases']} pending releases: "
        f"first post {start['backlog']['start_to_first_post_s']} s after start vs "
        f"{start['baseline']['start_to_first_post_s']} s with one, reconciliation "
        f"{start['reconciliation_s']} s — {verdict}"
    )
