"""`fleet_posting`: a 100-page chapter in each of 60 guilds at once, across 2 shard processes.

The emulator gets 60 more guilds (guild n on shard n % 2), each with a text channel; the
PostgreSQL database one story per guild whose single chapter paginates to exactly 100 pages,
each with a one-off schedule due at the same second. Two shard processes (`SHARD_COUNT=2`)
post them. Wall time = from the due time to the last page's POST answered 200 (emulator log).
The bound is the least time Discord's limits allow: per channel 5 messages / 5 s,
(ceil(100 / 5) - 1) x 5 s = 95 s, and the global 50 requests/s for the 6,000 messages of all
channels, (6,000 - 1) / 50 = 120 s; the larger one binds. Also counted: 429s (global and per
route) and every channel must hold its pages in order. SQLite with one process runs the same
for reference. Targets: wall / bound <= 1.15, zero 429s. A run that has not finished by
1.5 x bound + 30 s is cut there and reports the pages posted so far. `--smoke`: 6 guilds of
15 pages with the emulator's windows 10x shorter.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fleet import Setup, bots, exit_codes, run_setups
from bench.harness import Emulator, running, workspace
from bench.seed import long_chapter_story, seed_guild_long_chapters
from bot.publishing.schedules import ScheduleRepository
from bot.storage import open_database

NAME = "fleet_posting"
DESCRIPTION = "a 100-page chapter in each of 60 guilds at once over 2 shard processes vs limits"
BUDGET_S = 420  # two setups of ~2 min each plus start-up; not part of a quick `all`
TARGET_RATIO = 1.15
CHANNEL_LIMIT, CHANNEL_WINDOW_S = 5, 5.0
GLOBAL_PER_S = 50
SETUPS = (Setup("sqlite", 1), Setup("postgres", 2))
_POST = re.compile(r"^/channels/(\d+)/messages$")


@dataclass(frozen=True)
class Plan:
    """Sizes of one run."""

    guilds: int
    pages: int
    time_scale: float
    lead_s: float  # the chapters are due this long after seeding ends


FULL = Plan(guilds=60, pages=100, time_scale=1.0, lead_s=15.0)
SMOKE = Plan(guilds=6, pages=15, time_scale=10.0, lead_s=10.0)


def bound_seconds(plan: Plan) -> dict[str, float]:
    """The least wall time each limit allows, and the binding one."""
    channel = (math.ceil(plan.pages / CHANNEL_LIMIT) - 1) * CHANNEL_WINDOW_S / plan.time_scale
    messages = plan.guilds * plan.pages
    global_ = (messages - 1) / (GLOBAL_PER_S * plan.time_scale)
    return {"channel_s": channel, "global_s": round(global_, 3), "bound_s": max(channel, global_)}


async def _schedule_all(database: Path | str, story_ids: list[int], owner: int, due: int) -> None:
    db = await open_database(database)
    try:
        schedules = ScheduleRepository(db)
        for story_id in story_ids:
            await schedules.create(story_id, owner, due, "UTC")
    finally:
        await db.close()


def measure(setup: Setup, database: Path | str, plan: Plan, workdir: Path) -> dict[str, Any]:
    """One setup: fresh emulator and database, every chapter due at once, follow the log."""
    bound = bound_seconds(plan)
    emu = Emulator(workdir, time_scale=plan.time_scale)
    with running(emu):
        guilds = emu.seed_guilds(plan.guilds, shard_count=2)
        owner = int(emu.world()["users"]["alice"])
        targets = [(g["guild_id"], g["channel_ids"][0]) for g in guilds]
        seeded = asyncio.run(
            seed_guild_long_chapters(database, owner_id=owner, targets=targets, pages=plan.pages)
        )
        due = int(time.time() + plan.lead_s)
        asyncio.run(_schedule_all(database, seeded["story_ids"], owner, due))
        emu.reset()
        channels = {c for _, c in targets}
        # The shared budget (45/s by default) shrinks with the emulator's windows in `--smoke`.
        rate = {"DISCORD_GLOBAL_RATE": str(int(45 * plan.time_scale))}
        with bots(emu, workdir, database, setup.processes, rate) as procs:
            ready_before_due = time.time() < due
            cutoff = due + bound["bound_s"] * 1.5 + 30
            posted: dict[int, list[str]] = {}
            last_at = float(due)
            first_at: float | None = None
            since = 0
            clock = emu.clock()
            offset = clock["wall"] - clock["log"]
            while time.time() < cutoff:
                time.sleep(1.0)
                log = emu.requests(since)
                since += len(log)
                for record in log:
                    match = _POST.match(record["path"]) if record["method"] == "POST" else None
                    if match is None or record["status"] != 200:
                        continue
                    channel = int(match.group(1))
                    if channel in channels:
                        content = str((record.get("body") or {}).get("content") or "")
                        posted.setdefault(channel, []).append(content)
                        last_at = record["time"] + offset
                        first_at = last_at if first_at is None else first_at
                if sum(len(v) for v in posted.values()) >= plan.guilds * plan.pages:
                    break
            stats = emu.stats()
        stopped = exit_codes(procs)
    expected = long_chapter_story("Bench Long Chapter", plan.pages)[1][0]
    total = sum(len(v) for v in posted.values())
    finished = total >= plan.guilds * plan.pages
    wall = round(last_at - due, 3)
    return {
        "guilds": plan.guilds,
        "pages": plan.pages,
        "messages": plan.guilds * plan.pages,
        "posted": total,
        "finished": finished,
        "ready_before_due": ready_before_due,
        "wall_s": wall,
        "first_post_after_due_s": None if first_at is None else round(first_at - due, 3),
        **{k: round(v, 3) for k, v in bound.items()},
        "ratio": round(wall / bound["bound_s"], 3) if finished else None,
        "pages_in_order": all(posted.get(c, []) == expected for c in channels),
        "429": stats["429"],
        "global_429": stats.get("global_429", 0),
        "429_by_route": stats["429_by_route"],
        "violations": stats["violations"][:5],
        "stopped": stopped,
    }


def met(row: dict[str, Any]) -> bool:
    """A measured setup's verdict."""
    return (
        row["finished"]
        and row["ratio"] is not None
        and row["ratio"] <= TARGET_RATIO
        and row["429"] == 0
        and row["pages_in_order"]
        and not row["violations"]
    )


def run(smoke: bool = False) -> dict[str, Any]:
    """Both setups one after the other; the verdict is the two-process one's."""
    plan = SMOKE if smoke else FULL
    with workspace("fleet") as workdir:
        rows = run_setups(
            SETUPS, lambda setup, database: measure(setup, database, plan, workdir), workdir
        )
    for row in rows:
        if "skipped" not in row:
            row["targets_met"] = met(row)
    sharded = [r for r in rows if r["processes"] == 2 and "skipped" not in r]
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "plan": plan.__dict__,
        "targets": {"ratio": TARGET_RATIO, "429": 0},
        "setups": rows,
        "skipped": [row["setup"] for row in rows if "skipped" in row],
        "targets_met": bool(sharded) and all(r["targets_met"] for r in sharded),
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    plan = result["plan"]
    parts = []
    for row in result["setups"]:
        if "skipped" in row:
            parts.append(f"{row['setup']}: skipped ({row['skipped']})")
            continue
        parts.append(
            f"{row['setup']}: {row['posted']}/{row['messages']} pages in {row['wall_s']} s vs "
            f"bound {row['bound_s']} s (channel {row['channel_s']}, global {row['global_s']}): "
            f"ratio {row['ratio']}, 429s {row['429']} (global {row['global_429']}), in order "
            f"{row['pages_in_order']}"
        )
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return f"{plan['guilds']} x {plan['pages']} pages — " + "; ".join(parts) + f" — {verdict}"
