"""`memory`: the bot's resident memory (VmRSS) idle and after the `/next` load of `next_load`.

Read from /proc/<pid>/status of the bot process (`python -m bot run`), with the 1,000,000-row
database: once the bot is ready and idle, and right after the 30 s of `/next` at 200/s. The
floor bot's figures are shown alongside. In `python -m bench all` this reuses the run
`next_load` just made (same process) instead of loading the machine a second time; on its own
it runs `next_load` first. There is no target: the numbers are tracked for regressions.
"""

from __future__ import annotations

from typing import Any

from bench import next_load

NAME = "memory"
DESCRIPTION = "bot RSS idle and after the /next load (VmRSS), floor alongside"
BUDGET_S = 120  # seconds of a full run; `all` reports elapsed_s against it


def _source(smoke: bool) -> tuple[dict[str, Any], bool]:
    """The next_load result to read, and whether it was reused from this process."""
    last = next_load.LAST_RESULT
    if last and last.get("smoke") == smoke:
        return last, True
    return next_load.run(smoke=smoke), False


def run(smoke: bool = False) -> dict[str, Any]:
    """Report the RSS figures of a next_load run."""
    source, reused = _source(smoke)
    bot, floor = source["bot"], source["floor"]
    idle, after = bot["rss_idle_mb"], bot["rss_after_mb"]
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "reused_next_load_run": reused,
        "progress_rows": source["seeded"]["progress_rows"],
        "interactions": bot["sent"],
        "bot_rss_idle_mb": idle,
        "bot_rss_after_load_mb": after,
        "bot_rss_growth_mb": round(after - idle, 1) if idle and after else None,
        "floor_rss_idle_mb": floor["rss_idle_mb"],
        "floor_rss_after_load_mb": floor["rss_after_mb"],
        "targets_met": bool(idle and after),
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    return (
        f"bot RSS idle {result['bot_rss_idle_mb']} MB, after {result['interactions']} /next "
        f"({result['progress_rows']} progress rows) {result['bot_rss_after_load_mb']} MB "
        f"(+{result['bot_rss_growth_mb']} MB); floor {result['floor_rss_idle_mb']} -> "
        f"{result['floor_rss_after_load_mb']} MB"
    )
