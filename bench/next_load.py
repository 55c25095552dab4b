"""`next_load`: `/next` under load, chapterbot against a floor bot, through the same emulator.

Setup: the standalone emulator with 10,000 extra guild members; a database holding 100
released stories and 1,000,000 progress rows (every reader in every story). The floor
(`bench.floor_bot`, a constant answer) runs first, then the bot (`python -m bot run`) — one
after the other, never together, on this 2-core machine. Each gets a short warm-up, then
interactions arrive open-loop at 200/s for 30 s, each from a different reader, no `story`
option (the bot finds the story the reader read last and shows the next page).

Measured per side: p50/p90/p99/max of INTERACTION_CREATE queued -> callback accepted (the
emulator's clock), interactions past Discord's 3 s deadline, CPU seconds of the bot and of the
emulator, the bot's RSS idle and after the run, the machine's speed probe per side. Targets:
p99(bot) / p99(floor) <= 1.5, p50(bot) / p50(floor) <= 1.2 and no interaction past the deadline.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.floor_bot import ANSWER
from bench.harness import BotProcess, Emulator, running, workspace
from bench.machine import SpeedProbe, steal_seconds, system_busy_seconds, unfair_reasons, verdict
from bench.seed import seed_reading

NAME = "next_load"
DESCRIPTION = "/next latency at 200/s with 10,000 readers and 1,000,000 progress rows vs a floor"
BUDGET_S = 120  # seconds of a full run; `all` reports elapsed_s against it
TARGET_P99_RATIO = 1.5
TARGET_P50_RATIO = 1.2
BOT_ANSWER = "Chapter "  # every page's footer: "Chapter x/y · page a/b"

# The result of the last full or smoke run in this process, for `memory` (it reports the RSS
# this benchmark measured instead of running the load a second time).
LAST_RESULT: dict[str, Any] = {}


@dataclass(frozen=True)
class LoadPlan:
    """Sizes and rates of one load comparison."""

    readers: int
    progress_rows: int
    rate: float
    seconds: float
    warmup_seconds: float
    warmup_readers: int


FULL = LoadPlan(10_000, 1_000_000, 200.0, 30.0, 3.0, 600)
SMOKE = LoadPlan(300, 3_000, 50.0, 2.0, 0.5, 30)


def plan_for(smoke: bool) -> LoadPlan:
    """The plan a full or smoke run uses."""
    return SMOKE if smoke else FULL


def prepare(
    emu: Emulator,
    workdir: Path,
    plan: LoadPlan,
    *,
    progress_rows: int | None = None,
    readers: list[int] | None = None,
) -> dict[str, Any]:
    """Seed the emulator's members (unless `readers` exist already) and a fresh database for
    them; the reader ids, the seeding figures and the database path."""
    world = emu.world()
    readers = readers or emu.seed_users(plan.readers)
    database = workdir / "bot.db"
    seeded = asyncio.run(
        seed_reading(
            database,
            guild_id=int(world["guild_id"]),
            channel_id=int(world["channels"]["general"]),
            owner_id=int(world["users"]["alice"]),
            reader_ids=readers,
            progress_rows=plan.progress_rows if progress_rows is None else progress_rows,
        )
    )
    return {"readers": readers, "seeded": seeded, "database": database}


def measure(
    emu: Emulator,
    process: BotProcess,
    readers: list[int],
    *,
    rate: float,
    seconds: float,
    warmup_seconds: float,
    warmup_readers: int,
    expect: str,
    probe: tuple[str, str],
) -> dict[str, Any]:
    """Start `process`, warm it up, run the load, collect latency, CPU and memory; stop it."""
    with running(process):
        ready_s = process.wait_ready(probe)
        time.sleep(1.0)  # let start-up work (recovery, caches) settle before measuring
        rss_idle = process.rss_mb()
        warm = readers[-warmup_readers:]
        emu.load("next", warm, rate, warmup_seconds, expect=expect)
        emu.reset()
        main = readers[: len(readers) - warmup_readers]
        cpu_bot, cpu_emu = process.cpu_seconds(), emu.cpu_seconds()
        busy, load_before = system_busy_seconds(), os.getloadavg()[0]
        stolen = steal_seconds()
        with SpeedProbe() as probe:
            result = emu.load("next", main, rate, seconds, expect=expect)
        result["steal_s"] = round(steal_seconds() - stolen, 2)
        result["probe_cpu_ms"] = probe.median_ms()
        result["cpu_s"] = round(process.cpu_seconds() - cpu_bot, 2)
        result["emulator_cpu_s"] = round(emu.cpu_seconds() - cpu_emu, 2)
        # CPU taken by everything else on the machine meanwhile (other jobs skew latencies).
        others = system_busy_seconds() - busy - result["cpu_s"] - result["emulator_cpu_s"]
        result["other_processes_cpu_s"] = round(max(0.0, others), 2)
        result["loadavg_1m_before"] = round(load_before, 2)
        result["rss_idle_mb"] = rss_idle
        result["rss_after_mb"] = process.rss_mb()
        result["ready_s"] = ready_s
        result["pid"] = process.pid
    result["stopped"] = process.proc.returncode
    emu.reset()
    return result


def compare(emu: Emulator, workdir: Path, plan: LoadPlan, readers: list[int], db: Path) -> dict:
    """The floor's run, then the bot's, at the plan's rate."""
    common = {
        "rate": plan.rate,
        "seconds": plan.seconds,
        "warmup_seconds": plan.warmup_seconds,
        "warmup_readers": plan.warmup_readers,
    }
    floor = measure(
        emu,
        BotProcess(emu, workdir, floor=True),
        readers,
        expect=ANSWER,
        probe=("alice", "next"),
        **common,
    )
    bot = measure(
        emu,
        BotProcess(emu, workdir, database=db),
        readers,
        expect=BOT_ANSWER,
        probe=("alice", "help"),
        **common,
    )
    return {"floor": floor, "bot": bot}


def ratio(bot: float, floor: float) -> float | None:
    """bot / floor, rounded; None when the floor measured zero."""
    return round(bot / floor, 3) if floor > 0 else None


def run(smoke: bool = False) -> dict[str, Any]:
    """Seed, run floor then bot at the plan's rate, and compare their latencies."""
    plan = plan_for(smoke)
    with workspace("next") as workdir:
        emu = Emulator(workdir)
        with running(emu):
            prepared = prepare(emu, workdir, plan)
            sides = compare(emu, workdir, plan, prepared["readers"], prepared["database"])
            violations = emu.stats()["violations"]
    bot, floor = sides["bot"], sides["floor"]
    p99_ratio = ratio(bot["p99_ms"], floor["p99_ms"])
    p50_ratio = ratio(bot["p50_ms"], floor["p50_ms"])
    all_pages = bot["expected_answers"] == bot["sent"]
    met = (
        p99_ratio is not None
        and p99_ratio <= TARGET_P99_RATIO
        and p50_ratio is not None
        and p50_ratio <= TARGET_P50_RATIO
        and bot["late_or_missing"] == 0
        and all_pages
        and not violations
    )
    result = {
        "benchmark": NAME,
        "smoke": smoke,
        "plan": plan.__dict__,
        "seeded": prepared["seeded"],
        "targets": {"p99_ratio": TARGET_P99_RATIO, "p50_ratio": TARGET_P50_RATIO, "late": 0},
        "bot": bot,
        "floor": floor,
        "p50_ratio": p50_ratio,
        "p99_ratio": p99_ratio,
        "max_ratio": ratio(bot["max_ms"], floor["max_ms"]),
        # Above 1: the machine ran the bot's side slower than the floor's (see SpeedProbe).
        "probe_ratio": ratio(bot["probe_cpu_ms"], floor["probe_cpu_ms"]),
        "bot_answered_with_pages": all_pages,
        "emulator_violations": violations[:5],
        "targets_met": met,
        "unfair_because": unfair_reasons(floor, {"bot": bot}),
    }
    LAST_RESULT.clear()
    LAST_RESULT.update(result)
    return result


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    bot, floor = result["bot"], result["floor"]
    plan = result["plan"]
    said = verdict(result["targets_met"], result["unfair_because"])
    return (
        f"{plan['rate']:.0f}/s for {plan['seconds']:.0f} s, {result['seeded']['readers']} readers, "
        f"{result['seeded']['progress_rows']} progress rows: bot p50/p99/max "
        f"{bot['p50_ms']}/{bot['p99_ms']}/{bot['max_ms']} ms, floor "
        f"{floor['p50_ms']}/{floor['p99_ms']}/{floor['max_ms']} ms, p50 ratio "
        f"{result['p50_ratio']}, p99 ratio {result['p99_ratio']}, late {bot['late_or_missing']}; "
        f"bot CPU {bot['cpu_s']} s vs floor {floor['cpu_s']} s, "
        f"emulator CPU {bot['emulator_cpu_s']}/{floor['emulator_cpu_s']} s, "
        f"CPU stolen by the host {bot['steal_s']}/{floor['steal_s']} s, speed probe "
        f"{bot['probe_cpu_ms']}/{floor['probe_cpu_ms']} ms — {said}"
    )
