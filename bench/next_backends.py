"""`next_backends`: `/next` on PostgreSQL against SQLite and the floor, in one run.

The same setup and load as `next_load` (10,000 readers, 1,000,000 progress rows, 200/s for
30 s, open loop, after a warm-up), three sides one after the other through one emulator: the
floor bot, the bot on a SQLite file, the bot on a fresh PostgreSQL database holding the same
rows (one unsharded process; the server is `BENCH_DATABASE_URL` or `TEST_DATABASE_URL`).
Target: PostgreSQL p99 <= 2 x the floor's, no answer past 3 s. Without a PostgreSQL server
the PostgreSQL side is skipped with the reason (and the target is not met).
`--smoke`: 300 readers, 3,000 rows, 50/s for 2 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.floor_bot import ANSWER
from bench.harness import BotProcess, Emulator, running, workspace
from bench.machine import unfair_reasons, verdict
from bench.next_load import BOT_ANSWER, measure, plan_for, prepare, ratio
from bench.pg import admin_url, fresh_database
from bench.seed import seed_reading

NAME = "next_backends"
DESCRIPTION = "/next on PostgreSQL vs SQLite vs the floor, same load, one run"
BUDGET_S = 240  # three sides of ~40 s plus seeding 1,000,000 rows twice
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
    """Floor, then the bot on SQLite, then the bot on PostgreSQL."""
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
            sides["floor"] = measure(
                emu, BotProcess(emu, workdir, floor=True), readers,
                expect=ANSWER, probe=("alice", "next"), **common,
            )  # fmt: skip
            sides["sqlite"] = measure(
                emu, BotProcess(emu, workdir, database=prepared["database"]), readers,
                expect=BOT_ANSWER, probe=("alice", "help"), **common,
            )  # fmt: skip
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
            violations = emu.stats()["violations"]
    return _result(smoke, plan.__dict__, prepared["seeded"], sides, violations)


def _result(
    smoke: bool, plan: dict, seeded: dict, sides: dict[str, Any], violations: list
) -> dict[str, Any]:
    floor, pg = sides["floor"], sides["postgres"]
    ratios: dict[str, Any] = {}
    for name in ("sqlite", "postgres"):
        side = sides[name]
        if "skipped" not in side:
            side["answered_with_pages"] = side["expected_answers"] == side["sent"]
            ratios[name] = {
                "p50_ratio": ratio(side["p50_ms"], floor["p50_ms"]),
                "p99_ratio": ratio(side["p99_ms"], floor["p99_ms"]),
            }
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
        "unfair_because": unfair_reasons(
            floor, {n: sides[n] for n in ("sqlite", "postgres") if "skipped" not in sides[n]}
        ),
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    plan, floor = result["plan"], result["floor"]
    parts = [f"floor p50/p99 {floor['p50_ms']}/{floor['p99_ms']} ms"]
    for name in ("sqlite", "postgres"):
        side = result[name]
        if "skipped" in side:
            parts.append(f"{name}: skipped ({side['skipped']})")
            continue
        r = result["ratios"][name]
        parts.append(
            f"{name} p50/p99/max {side['p50_ms']}/{side['p99_ms']}/{side['max_ms']} ms "
            f"(p99 x{r['p99_ratio']}, p50 x{r['p50_ratio']}, late {side['late_or_missing']}, "
            f"CPU {side['cpu_s']} s, stolen {side['steal_s']} s, probe {side['probe_cpu_ms']} ms)"
        )
    said = verdict(result["targets_met"], result["unfair_because"])
    return (
        f"{plan['rate']:.0f}/s for {plan['seconds']:.0f} s, {result['seeded']['progress_rows']} "
        f"progress rows: " + "; ".join(parts) + f"; floor CPU {floor['cpu_s']} s, "
        f"stolen {floor['steal_s']} s, probe {floor['probe_cpu_ms']} ms — {said}"
    )
