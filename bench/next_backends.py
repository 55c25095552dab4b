"""`next_backends`: `/next` on PostgreSQL against SQLite and the floor, in one run.

The same setup and load as `next_load` (10,000 readers, 1,000,000 progress rows, 200/s for
30 s, open loop, after a warm-up), sides one after the other through one emulator: the floor
bot, the bot on a SQLite file, the floor again, the bot on a fresh PostgreSQL database holding
the same rows (one unsharded process; the server is `BENCH_DATABASE_URL` or
`TEST_DATABASE_URL`), the floor a third time. Each bot side is compared with the mean of the two
floors around it, so that a machine changing speed during the run moves both sides of a ratio
(`unfair_because` says when those floors differ by more than 25%).
Target: PostgreSQL p99 <= 2 x its floors' mean, no answer past 3 s. Without a PostgreSQL server
the PostgreSQL side and the last floor are skipped with the reason (the target is not met).
`--smoke`: 300 readers, 3,000 rows, 50/s for 2 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.floor_bot import ANSWER
from bench.harness import BotProcess, Emulator, running, workspace
from bench.machine import bracket_floor, drift_reason, unfair_reasons, verdict
from bench.next_load import BOT_ANSWER, measure, plan_for, prepare, ratio
from bench.pg import admin_url, fresh_database
from bench.seed import seed_reading

NAME = "next_backends"
DESCRIPTION = "/next on PostgreSQL vs SQLite vs the floor, same load, one run"
BUDGET_S = 320  # five sides of ~40 s plus seeding 1,000,000 rows twice
# Each bot side and the floor runs measured just before and just after it.
BRACKETS = {"sqlite": ("floor", "floor_between"), "postgres": ("floor_between", "floor_after")}
FLOORS = ("floor", "floor_between", "floor_after")
TARGET_PG_P99_RATIO = 2.0


def _seed_postgres(emu: Emulator, url: str, readers: list[int], rows: int) -> dict[str, Any]:
    world = emu.world()
    return asyncio.run(
        seed_reading(
            url,
            guild_id=int(world["guild_id"]),
            channel_id=int(world["channels"]["general"]),
            owner_id=int(world["users"]["alice"]),
            reader_ids=readers,
            progress_rows=rows,
        )
    )


def run(smoke: bool = False) -> dict[str, Any]:
    """Floor, the bot on SQLite, floor, the bot on PostgreSQL, floor."""
    plan = plan_for(smoke)
    common = {
        "rate": plan.rate,
        "seconds": plan.seconds,
        "warmup_seconds": plan.warmup_seconds,
        "warmup_readers": plan.warmup_readers,
    }
    server, why_not = admin_url()
    sides: dict[str, Any] = {}
    with workspace("next-backends") as workdir:
        emu = Emulator(workdir)
        with running(emu):
            prepared = prepare(emu, workdir, plan)
            readers = prepared["readers"]

            def floor() -> dict[str, Any]:
                return measure(
                    emu, BotProcess(emu, workdir, floor=True), readers,
                    expect=ANSWER, probe=("alice", "next"), **common,
                )  # fmt: skip

            sides["floor"] = floor()
            sides["sqlite"] = measure(
                emu, BotProcess(emu, workdir, database=prepared["database"]), readers,
                expect=BOT_ANSWER, probe=("alice", "help"), **common,
            )  # fmt: skip
            sides["floor_between"] = floor()
            if server is None:
                sides["postgres"] = {"skipped": why_not}
            else:
                with fresh_database(server, "next") as url:
                    seeded = _seed_postgres(emu, url, readers, plan.progress_rows)
                    sides["postgres"] = measure(
                        emu, BotProcess(emu, workdir, database=url), readers,
                        expect=BOT_ANSWER, probe=("alice", "help"), **common,
                    )  # fmt: skip
                    sides["postgres"]["seeding_s"] = seeded["seconds"]
                sides["floor_after"] = floor()
            violations = emu.stats()["violations"]
    return _result(smoke, plan.__dict__, prepared["seeded"], sides, violations)


def _compared(sides: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Each measured bot side's ratios against the floors around it, and why any comparison
    was not fair."""
    ratios: dict[str, Any] = {}
    reasons: list[str] = []
    for name, (before, after) in BRACKETS.items():
        side = sides[name]
        if "skipped" in side:
            continue
        floor = bracket_floor(sides[before], sides[after])
        ratios[name] = {
            "p50_ratio": ratio(side["p50_ms"], floor["p50_ms"]),
            "p99_ratio": ratio(side["p99_ms"], floor["p99_ms"]),
            "floor_p50_ms": floor["p50_ms"],
            "floor_p99_ms": floor["p99_ms"],
            # The same p99 against each floor alone (the first is the pre-bracket method's).
            "p99_ratio_each_floor": [
                ratio(side["p99_ms"], sides[before]["p99_ms"]),
                ratio(side["p99_ms"], sides[after]["p99_ms"]),
            ],
        }
        drift = drift_reason(name, sides[before], sides[after])
        found = unfair_reasons(floor, {name: side}) + ([drift] if drift else [])
        reasons += [reason for reason in found if reason not in reasons]
    return ratios, reasons


def _result(
    smoke: bool, plan: dict, seeded: dict, sides: dict[str, Any], violations: list
) -> dict[str, Any]:
    pg = sides["postgres"]
    for name in BRACKETS:  # every answer a real page, on each bot side measured
        if "skipped" not in sides[name]:
            sides[name]["answered_with_pages"] = (
                sides[name]["expected_answers"] == sides[name]["sent"]
            )
    ratios, reasons = _compared(sides)
    pg_ratio = ratios.get("postgres", {}).get("p99_ratio")
    met = (
        pg_ratio is not None
        and pg_ratio <= TARGET_PG_P99_RATIO
        and pg["late_or_missing"] == 0
        and pg["answered_with_pages"]
        and not violations
    )
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "plan": plan,
        "seeded": seeded,
        "targets": {"postgres_p99_ratio": TARGET_PG_P99_RATIO, "late": 0},
        **sides,
        "ratios": ratios,
        "skipped": [n for n in ("postgres",) if "skipped" in sides[n]],
        "emulator_violations": violations[:5],
        "targets_met": met,
        "unfair_because": reasons,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    plan = result["plan"]
    floors = [result[name] for name in FLOORS if name in result]
    parts = [
        "floors p50/p99 " + ", ".join(f"{f['p50_ms']}/{f['p99_ms']}" for f in floors) + " ms"
        f" (CPU {'/'.join(str(f['cpu_s']) for f in floors)} s,"
        f" stolen {'/'.join(str(f['steal_s']) for f in floors)} s,"
        f" probe {'/'.join(str(f['probe_cpu_ms']) for f in floors)} ms)"
    ]
    for name in ("sqlite", "postgres"):
        side = result[name]
        if "skipped" in side:
            parts.append(f"{name}: skipped ({side['skipped']})")
            continue
        r = result["ratios"][name]
        parts.append(
            f"{name} p50/p99/max {side['p50_ms']}/{side['p99_ms']}/{side['max_ms']} ms "
            f"(against its floors' mean: p99 x{r['p99_ratio']}, p50 x{r['p50_ratio']}; "
            f"late {side['late_or_missing']}, CPU {side['cpu_s']} s, "
            f"stolen {side['steal_s']} s, probe {side['probe_cpu_ms']} ms)"
        )
    said = verdict(result["targets_met"], result["unfair_because"])
    return (
        f"{plan['rate']:.0f}/s for {plan['seconds']:.0f} s, {result['seeded']['progress_rows']} "
        f"progress rows: " + "; ".join(parts) + f" — {said}"
    )
