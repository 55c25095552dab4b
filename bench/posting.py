"""`posting`: a 100-page chapter through the emulator at Discord's 5 messages / 5 s per channel.

The bot (`python -m bot run`) gets a story whose one chapter paginates to 100 pages, aimed at a
fresh text channel; alice runs `/publish`. Measured on the emulator's request log: the time from
the interaction to the last page's POST, against the rate-limit bound — the least time the limit
allows for that many messages, (ceil(n / 5) - 1) * 5 s, since a window opens with its first
message — and the number of 429s. The posted messages are checked against the stored pages (order
and text). Targets: wall / bound <= 1.15, zero 429s. `--smoke` posts 15 pages with the windows
shrunk 10x.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from typing import Any

from bench.harness import BenchError, BotProcess, Emulator, running, workspace
from bench.seed import long_chapter_story, seed_long_chapter

NAME = "posting"
DESCRIPTION = "a 100-page chapter at 5 messages / 5 s: wall time / rate-limit bound, 429s"
BUDGET_S = 130  # seconds of a full run; `all` reports elapsed_s against it
TARGET_RATIO = 1.15
LIMIT, WINDOW_S = 5, 5.0  # Discord's per-channel message limit the emulator enforces
FULL_PAGES, SMOKE_PAGES = 100, 15
FULL_SCALE, SMOKE_SCALE = 1.0, 10.0


def bound_seconds(messages: int, time_scale: float) -> float:
    """The least time `messages` messages take under LIMIT per WINDOW_S (fixed windows)."""
    return (math.ceil(messages / LIMIT) - 1) * WINDOW_S / time_scale


def _posts(emu: Emulator, channel_id: int, since: int) -> tuple[list[dict[str, Any]], int]:
    """Message POSTs into the channel logged from index `since`, and the next index."""
    log = emu.requests(since)
    path = re.compile(rf"^/channels/{channel_id}/messages$")
    posts = [r for r in log if r["method"] == "POST" and path.match(r["path"])]
    return posts, since + len(log)


def publish_and_wait(
    emu: Emulator, channel_id: int, story_id: int, pages: int, timeout: float
) -> dict[str, Any]:
    """Run `/publish` and follow the request log until every page was answered 200."""
    emu.reset()
    stats_before = emu.stats()
    started = emu.clock()["log"]
    status, answer = emu.interaction("alice", "publish", story=str(story_id))
    if status != 200:
        raise BenchError(f"/publish failed: {status} {answer}")
    since, done, tried, last_at = 0, 0, 0, started
    deadline = time.time() + timeout
    while done < pages and time.time() < deadline:
        time.sleep(0.5)
        posts, since = _posts(emu, channel_id, since)
        tried += len(posts)
        ok = [p for p in posts if p["status"] == 200]
        done += len(ok)
        last_at = ok[-1]["time"] if ok else last_at
    stats = emu.stats()
    return {
        "posted": done,
        "requests": tried,
        "wall_s": round(last_at - started, 3),
        "429": stats["429"] - stats_before["429"],
        "429_by_route": stats["429_by_route"],
        "callback_type": answer.get("type") if isinstance(answer, dict) else None,
    }


def _check_messages(emu: Emulator, channel_id: int, pages: list[str]) -> bool:
    """The channel holds exactly the stored pages, in order."""
    messages = emu.ok("GET", f"/messages?channel={channel_id}")
    return [m["content"] for m in messages] == pages


def run(smoke: bool = False) -> dict[str, Any]:
    """Publish the long chapter once and compare its wall time with the bound."""
    pages = SMOKE_PAGES if smoke else FULL_PAGES
    scale = SMOKE_SCALE if smoke else FULL_SCALE
    with workspace("posting") as workdir:
        emu = Emulator(workdir, time_scale=scale)
        with running(emu):
            world = emu.world()
            channel_id = emu.seed_channels(1)[0]
            db = workdir / "bot.db"
            seeded = asyncio.run(
                seed_long_chapter(
                    db,
                    guild_id=int(world["guild_id"]),
                    channel_id=channel_id,
                    owner_id=int(world["users"]["alice"]),
                    pages=pages,
                )
            )
            bot = BotProcess(emu, workdir, database=db)
            with running(bot):
                bot.wait_ready()
                bound = bound_seconds(pages, scale)
                measured = publish_and_wait(
                    emu, channel_id, seeded["story_id"], pages, timeout=bound * 2 + 60
                )
                expected = long_chapter_story("Bench Long Chapter", pages)[1][0]
                in_order = _check_messages(emu, channel_id, expected)
            violations = emu.stats()["violations"]
    ratio = round(measured["wall_s"] / bound, 3) if bound else None
    met = (
        measured["posted"] == pages
        and ratio is not None
        and ratio <= TARGET_RATIO
        and measured["429"] == 0
        and in_order
        and not violations
    )
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "time_scale": scale,
        "pages": pages,
        "targets": {"ratio": TARGET_RATIO, "429": 0},
        **measured,
        "bound_s": round(bound, 3),
        "ratio": ratio,
        "pages_match_in_order": in_order,
        "emulator_violations": violations[:5],
        "targets_met": met,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return (
        f"{result['posted']}/{result['pages']} pages in {result['wall_s']} s vs bound "
        f"{result['bound_s']} s: ratio {result['ratio']}, 429s {result['429']}, "
        f"pages in order {result['pages_match_in_order']} — {verdict}"
    )
