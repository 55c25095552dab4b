"""`python -m bench follow`: release DMs to many followers against Discord's global limit.

In one process: the emulator (with Discord's rate limits) and a real ChapterBot on a SQLite
file. A story's chapter 1 is released with DMs off (the baseline), then chapter 2 is released
to `followers` followers. It reports how long delivery took against the least time the global
limit (50 requests/s) allows for the requests it needs (per follower: the member lookup that
decides visibility, opening the DM channel and the DM itself), the 429s Discord answered, and
`/next` latency (p99) while the DMs go out vs before. In-process numbers include the emulator's
own work on the same event loop, so compare runs with each other rather than with production.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.client import ChapterBot
from bot.config import Settings
from bot.following.repository import FollowRepository
from bot.stories.authoring import prepare_story
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.client import FAST_CLIENT_OPTIONS, pointed_at, start_client, stop_client
from testkit.emulator.ratelimit import GLOBAL_LIMIT

NAME = "follow"
DESCRIPTION = "Release DMs to 1,000 followers: time vs the global-limit bound, 429s, /next p99"
BUDGET_S = 240
REQUESTS_PER_FOLLOWER = 3  # member lookup, open DM channel, send the DM
BOUND_FACTOR = 1.15
STORY = b"# Bench\n\n## Chapter 1: One\n\nFirst page.\n\n## Chapter 2: Two\n\nSecond page.\n"


def run(smoke: bool = False) -> dict[str, Any]:
    """Run the benchmark; `smoke` uses 40 followers."""
    return {"benchmark": NAME, "smoke": smoke, **asyncio.run(_run(40 if smoke else 1_000))}


async def _next_latencies(emu: DiscordEmulator, user: Any, story_id: int, n: int) -> list[float]:
    found = []
    for _ in range(n):
        started = time.perf_counter()
        result = await emu.slash(user, "read", story=str(story_id), chapter=1)
        assert result.message is not None
        found.append((time.perf_counter() - started) * 1000)
    return found


def p99(samples: list[float]) -> float | None:
    """The 99th percentile in ms, rounded."""
    if len(samples) < 2:
        return None
    return round(statistics.quantiles(samples, n=100)[98], 1)


async def _run(followers: int) -> dict[str, Any]:
    emu = DiscordEmulator()
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp, pointed_at(emu):
        settings = Settings(
            discord_token=emu.token,
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            discord_api_base=emu.api_base,
            discord_gateway_url=emu.gateway_url,
        )
        bot = ChapterBot(settings, **FAST_CLIENT_OPTIONS)
        task = await start_client(bot, emu)
        try:
            return await _measure(emu, bot, followers)
        finally:
            await stop_client(bot, task)
            await emu.stop()


async def _measure(emu: DiscordEmulator, bot: ChapterBot, followers: int) -> dict[str, Any]:
    alice, bob = emu.user("alice"), emu.user("bob")
    general = emu.channel("general")
    prepared = prepare_story(STORY, "bench.md", "text")
    story = await StoryRepository(bot.database).create_story(
        emu.guild.id, alice.id, prepared.story, prepared.pages, "text", channel_id=general.id
    )
    users = [emu.world.add_user(f"follower{i}") for i in range(followers)]
    follows = FollowRepository(bot.database)
    for user in users:
        emu.world.join(emu.guild, user)
        await follows.follow(emu.guild.id, user.id, story.id)
    await follows.set_follow_dm(story.id, on=False)
    first = await emu.slash(alice, "publish", story=str(story.id), chapters=1)
    await first.final(timeout=60.0)
    baseline = await _next_latencies(emu, bob, story.id, 50)

    await follows.set_follow_dm(story.id, on=True)
    limited_before = emu.limiter.counts.get("total", 0)
    started = time.perf_counter()
    second = await emu.slash(alice, "publish", story=str(story.id), chapters=1)
    await second.final(timeout=60.0)
    during: list[float] = []
    while True:
        sent = await bot.database.fetch_value(
            "SELECT COUNT(*) FROM follow_deliveries WHERE status <> 'pending'"
        )
        if int(sent or 0) >= followers:
            break
        during.extend(await _next_latencies(emu, bob, story.id, 1))
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    bound = followers * REQUESTS_PER_FOLLOWER / GLOBAL_LIMIT
    statuses = await bot.database.fetch_all(
        "SELECT status, COUNT(*) AS n FROM follow_deliveries GROUP BY status"
    )
    count_429 = emu.limiter.counts.get("total", 0) - limited_before
    return {
        "followers": followers,
        "delivery_s": round(elapsed, 2),
        "global_limit_bound_s": round(bound, 2),
        "ratio_to_bound": round(elapsed / bound, 3),
        "count_429": count_429,
        "deliveries": {row["status"]: row["n"] for row in statuses},
        "next_p99_ms_without": p99(baseline),
        "next_p99_ms_during": p99(during),
        "next_samples_during": len(during),
        "targets_met": elapsed <= BOUND_FACTOR * bound and count_429 == 0,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return (
        f"{result['followers']} followers in {result['delivery_s']} s (bound "
        f"{result['global_limit_bound_s']} s, ratio {result['ratio_to_bound']}), "
        f"429s {result['count_429']}, /next p99 {result['next_p99_ms_during']} ms during vs "
        f"{result['next_p99_ms_without']} ms without — {verdict}"
    )
