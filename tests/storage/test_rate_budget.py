"""The shared token bucket: refilled at its rate, capped at its burst, never overspent."""

from __future__ import annotations

from bot.storage import Database
from bot.storage.budget import SharedRateBudget
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
