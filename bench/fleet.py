"""Several bot processes on one database for the sharding benchmarks, and where to run them.

A *setup* is a backend and a process count: SQLite with one process, PostgreSQL with one
unsharded process, PostgreSQL with two shard processes (`SHARD_COUNT=2`, `SHARD_IDS=0` and
`1`). Several processes need PostgreSQL (SQLite is one process only); without a PostgreSQL
server (`bench.pg`) those setups are reported as skipped, with the reason.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import START_TIMEOUT_S, BenchError, BotProcess, Emulator
from bench.pg import admin_url, fresh_database


@dataclass(frozen=True)
class Setup:
    """Where the bot runs: `backend` ("sqlite" or "postgres") and how many shard processes."""

    backend: str
    processes: int

    @property
    def label(self) -> str:
        """e.g. "postgres x2"."""
        return f"{self.backend} x{self.processes}"


SETUPS = (Setup("sqlite", 1), Setup("postgres", 1), Setup("postgres", 2))


def chosen(setups: tuple[Setup, ...]) -> tuple[Setup, ...]:
    """The setups `BENCH_SETUPS` names ("sqlite x1,postgres x2"; all when unset), so one
    10-minute setup can be measured again alone."""
    wanted = os.environ.get("BENCH_SETUPS", "").strip()
    if not wanted:
        return setups
    names = {name.strip() for name in wanted.split(",")}
    unknown = names - {s.label for s in setups}
    if unknown:
        raise BenchError(
            f"BENCH_SETUPS names no setup {sorted(unknown)}; use: {[s.label for s in setups]}"
        )
    return tuple(s for s in setups if s.label in names)


def run_setups(
    setups: tuple[Setup, ...], measure: Callable[[Setup, Path | str], dict[str, Any]], workdir: Path
) -> list[dict[str, Any]]:
    """`measure(setup, database)` for each setup on a fresh database (a SQLite file or a new
    PostgreSQL database); a setup that needs PostgreSQL without one is skipped with the reason."""
    server, why_not = admin_url() if any(s.backend == "postgres" for s in setups) else (None, None)
    results = []
    for setup in chosen(setups):
        row: dict[str, Any] = {"setup": setup.label, **setup.__dict__}
        if setup.backend == "sqlite":
            row.update(measure(setup, workdir / f"{setup.backend}-{setup.processes}.db"))
        elif server is None:
            row["skipped"] = why_not
        else:
            with fresh_database(server, f"{setup.backend}{setup.processes}") as url:
                row.update(measure(setup, url))
        results.append(row)
    return results


@contextlib.contextmanager
def bots(
    emu: Emulator,
    workdir: Path,
    database: Path | str,
    processes: int,
    extra_env: dict[str, str] | None = None,
) -> Iterator[list[BotProcess]]:
    """`processes` bot processes on `database`: one unsharded, or shard i of `processes` each;
    waits until every one identified on the gateway, stops them all (SIGTERM) at the end."""
    started: list[BotProcess] = []
    before = int(emu.stats()["gateway"]["identify"])
    try:
        for index in range(processes):
            env = dict(extra_env or {})
            if processes > 1:
                env.update(SHARD_COUNT=str(processes), SHARD_IDS=str(index))
            started.append(
                BotProcess(emu, workdir, database=database, name=f"bot-{index}", extra_env=env)
            )
        deadline = time.time() + START_TIMEOUT_S
        while int(emu.stats()["gateway"]["identify"]) < before + processes:
            for bot in started:
                if not bot.alive():
                    raise BenchError(f"{bot.name} exited:\n{bot.log_tail()}")
            if time.time() > deadline:
                raise BenchError("the bots did not identify in time")
            time.sleep(0.1)
        yield started
    finally:
        for bot in started:
            bot.stop()


def exit_codes(processes: list[BotProcess]) -> list[int | None]:
    """Each process's exit code (0 = stopped cleanly on SIGTERM)."""
    return [bot.proc.returncode for bot in processes]
