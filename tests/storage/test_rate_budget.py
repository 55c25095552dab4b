"""The shared token bucket: refilled at its rate, capped at its burst, never overspent."""

from __future__ import annotations

import asyncio

from bot.storage import Database
from bot.storage.budget import LocalRateBudget, SharedRateBudget
from testkit.clock import Clock


async def takes(budget: SharedRateBudget, tries: int) -> int:
    return sum([await budget.try_take() for _ in range(tries)])


async def test_two_processes_share_one_bucket(db: Database) -> None:
    clock = Clock(1_000_000)
    one = SharedRateBudget(db, per_second=10, burst=2, clock_ms=clock)
    two = SharedRateBudget(db, per_second=10, burst=2, clock_ms=clock)
    assert await takes(one, 3) == 0  # the bucket starts empty
    clock.now += 100  # 10/s: one token per 100 ms
    assert await takes(two, 3) == 1 and await takes(one, 3) == 0
    clock.now += 10_000  # a long pause refills only up to the burst
    assert await takes(one, 2) + await takes(two, 5) == 2
    clock.now += 1_000  # one second: `per_second` tokens between the two processes, no more
    assert await takes(one, 7) + await takes(two, 7) == 2  # capped at the burst again
    for _ in range(10):
        clock.now += 100
        assert await takes(one, 1) + await takes(two, 1) == 1


async def test_a_lone_process_paces_itself_in_memory() -> None:
    now = [100.0]
    budget = LocalRateBudget(per_second=10, burst=1, clock=lambda: now[0])
    assert budget.try_take() is True  # a fresh process may send at once
    assert budget.try_take() is False
    now[0] += 0.05  # half a token
    assert budget.try_take() is False
    now[0] += 0.05
    assert budget.try_take() is True
    now[0] += 60.0  # a long pause refills only up to the burst
    assert [budget.try_take() for _ in range(3)] == [True, False, False]


async def test_concurrent_takers_of_a_lone_process_stay_under_the_rate() -> None:
    budget = LocalRateBudget(per_second=50)
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(budget.take() for _ in range(26)))
    elapsed = asyncio.get_running_loop().time() - started
    assert 0.45 <= elapsed < 2.0  # 1 at once, then 25 at 50/s: half a second, not all at once


async def test_waiting_takers_of_one_process_poll_the_database_one_at_a_time(db: Database) -> None:
    budget = SharedRateBudget(db, per_second=20, burst=1)
    tries = 0
    real = budget.try_take

    async def counted() -> bool:
        nonlocal tries
        tries += 1
        return await real()

    budget.try_take = counted  # type: ignore[method-assign]
    await asyncio.gather(*(budget.take() for _ in range(10)))
    # 10 takers over ~0.5 s: one polling at a time, not 10 each polling every 50 ms.
    assert tries <= 10 + 20 * 0.5 * 2 + 5, tries
