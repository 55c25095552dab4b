"""The rate budget in Redis (REDIS_URL): starts empty, refills at its rate, caps at its burst,
and two budgets on one Redis (two processes) together stay under the rate. Against the real
Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15); skipped when none answers."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator

import pytest

from bot.storage.redis_budget import RedisRateBudget, bucket_key

redis_asyncio = pytest.importorskip("redis.asyncio", reason="the redis extra is not installed")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def key() -> AsyncIterator[str]:
    """A fresh bucket key on a Redis that answers (else the test is skipped); deleted after."""
    client = redis_asyncio.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # any failure to reach it: no Redis here
        await client.aclose()
        pytest.skip(f"no Redis answering at {REDIS_URL} (set TEST_REDIS_URL): {exc}")
    name = f"chapterbot:test:{secrets.token_hex(6)}"
    try:
        yield name
    finally:
        await client.delete(name)
        await client.aclose()


def budget(key: str, per_second: int, burst: int) -> RedisRateBudget:
    """A budget with its own connection pool, as another process would have."""
    return RedisRateBudget(redis_asyncio.from_url(REDIS_URL), key=key, per_second=per_second,
                           burst=burst)  # fmt: skip


async def test_the_bucket_starts_empty_refills_and_caps_at_the_burst(key: str) -> None:
    one = budget(key, per_second=20, burst=2)
    try:
        assert await one.try_take() is False  # nothing saved up at first
        await asyncio.sleep(0.5)  # 10 tokens' worth of time, capped at the burst of 2
        assert [await one.try_take() for _ in range(4)] == [True, True, False, False]
        await asyncio.sleep(0.06)  # one token per 50 ms
        assert await one.try_take() is True
    finally:
        await one.close()


async def test_two_budgets_on_one_redis_stay_under_the_rate(key: str) -> None:
    rate, burst, seconds = 40, 4, 2.5
    budgets = [budget(key, per_second=rate, burst=burst) for _ in range(2)]
    taken: list[list[float]] = [[], []]

    async def spend(index: int, until: float) -> None:
        while time.monotonic() < until:
            await budgets[index].take()
            taken[index].append(time.monotonic())

    started = time.monotonic()
    try:
        await asyncio.gather(*(spend(i, started + seconds) for i in range(2)))
    finally:
        for b in budgets:
            await b.close()
    stamps = sorted(taken[0] + taken[1])
    elapsed = stamps[-1] - started
    # Never more than the rate plus the burst in any one-second window, whoever took them...
    for i, at in enumerate(stamps):
        in_window = sum(1 for other in stamps[i:] if other - at < 1.0)
        assert in_window <= rate + burst, (i, in_window)
    assert len(stamps) <= rate * elapsed + burst
    # ...and the budget was used, by both processes, close to the full rate.
    assert len(stamps) >= 0.8 * rate * (elapsed - 0.1)
    assert len(taken[0]) > rate * seconds / 5 and len(taken[1]) > rate * seconds / 5


def test_the_key_is_per_bot_token_and_never_holds_the_token() -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz012345"
    other = "MTIzNDU2Nzg5MDEyMzQ1Njc5.GaBcDe.abcdefghijklmnopqrstuvwxyz012345"
    assert bucket_key(token) != bucket_key(other)
    assert bucket_key(token) == bucket_key(token)
    assert token not in bucket_key(token) and token.split(".")[0] not in bucket_key(token)
