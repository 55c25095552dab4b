"""`crash_trials`: kill -9 the bot 200 times while it posts a 30-page chapter; count mistakes.

The same trials as `tests/reliability/test_crash_while_posting.py` (which runs 20 in CI), from
`tests/reliability/crash_trials.py`: each trial seeds a release due now into a new channel,
starts `chapterbot run` against the emulator, kills it at a seeded random moment (between Discord
accepting a page and the DB storing its id, while a create is in flight, or at a random time),
restarts it (sometimes killing it again) and checks every page went out exactly once, in order.

Target: zero trials with a missing, repeated or misordered page. Runs 8 workers in parallel
(a start-up costs about 2.5 s of waiting); about 4 minutes on 2 cores. `--smoke`: one trial.
A failure's text says which pages went out twice or never, with the emulator's timeline of the
channel's creates and each bot process's log tail; `outside_exits` counts bots that something
else on the machine stopped (they are restarted: one more interruption to survive).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

NAME = "crash_trials"
DESCRIPTION = "kill -9 at random moments while posting a 30-page chapter: pages lost/repeated"
TRIALS = 200
SMOKE_TRIALS = 1
WORKERS = 8
SEED = 8


def run(smoke: bool = False) -> dict[str, Any]:
    """Run the trials and report failures, kills and timings."""
    from testkit.crash_trials import run_trials

    count = SMOKE_TRIALS if smoke else TRIALS
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-trials-") as folder:
        results, violations = asyncio.run(
            run_trials(count, seed=SEED, workdir=Path(folder), workers=WORKERS)
        )
    failed = [r for r in results if not r.ok]
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "trials": len(results),
        "seed": SEED,
        "failed": len(failed),
        "failures": [f"trial {r.trial} ({r.strategy}): {r.detail}" for r in failed[:10]],
        "api_violations": len(violations),
        "kills": sum(r.kills for r in results),
        # Bots stopped by something other than the trial (started again, not a failure).
        "outside_exits": sum(r.outside_exits for r in results),
        # Of those, tracebacks logged after an outside SIGTERM (shutdown during start-up).
        "outside_tracebacks": sum(len(r.outside_tracebacks) for r in results),
        "by_strategy": dict(Counter(r.strategy for r in results)),
        "killed_mid_chapter": sum(1 for r in results if 0 < r.posted_at_first_kill < r.pages),
        "trial_seconds_median": round(statistics.median(r.seconds for r in results), 2),
        "wall_seconds": round(time.monotonic() - began, 1),
        "targets_met": not failed and not violations,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    return (
        f"{result['trials']} trials, {result['kills']} kills "
        f"({result['killed_mid_chapter']} mid-chapter): {result['failed']} failed, "
        f"{result['api_violations']} API violations; {result['wall_seconds']} s"
    )
