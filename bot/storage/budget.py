"""`SharedRateBudget`: a token bucket in the database, shared by every process of one bot
(and `LocalRateBudget`, the same bucket in memory for a bot that runs as one process).

Discord allows a bot token 50 requests per second across all its connections and processes;
each process taking a token from the same row before a request keeps them together under the
budget. Taking a token is one conditional UPDATE: the refill since the last take is added
(capped at the burst) and one token removed only if one is there, so two processes never spend
the same token (the row is locked by the UPDATE on PostgreSQL; SQLite has one writer).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.storage.database import Database

# Milli-tokens in the bucket now: the stored ones plus the refill since `updated_ms`, capped.
_FILLED = (
    "(CASE WHEN milli_tokens + (:now - updated_ms) * :rate > :burst THEN :burst"
    " ELSE milli_tokens + (:now - updated_ms) * :rate END)"
)


# Any one-second window sees at most `per_second + burst` requests. Requests taken a moment
# apart can arrive at Discord bunched together (event loops, connections), so the burst stays
# small: 45/s + 3 leaves that room under Discord's 50. Three tokens, not one, so that a sender
# whose next request comes a little late (a slow answer, a DM lookup) keeps the time it lost:
# with one token, release DMs to 1,000 followers took 1.17x the global-limit bound.
DEFAULT_BURST = 3
# The database bucket is polled, so a token can sit there a moment before a poller finds it;
# while it sits in a full bucket the refill is lost. A second token of room keeps the polled
# bucket near its rate (45/s + 2 is still under 50).
SHARED_BURST = 2


def _monotonic_ms() -> int:
    # Wall-clock milliseconds: every process on every machine must agree on "now".
    return int(time.time() * 1000)


class SharedRateBudget:
    """`await budget.take()` before a request: waits until the shared bucket has a token."""

    def __init__(
        self,
        db: Database,
        *,
        per_second: int,
        burst: int | None = None,
        name: str = "discord",
        clock_ms: Callable[[], int] = _monotonic_ms,
    ) -> None:
        if per_second < 1:
            raise ValueError("a rate budget allows at least one request per second")
        self.db, self.name, self.clock_ms = db, name, clock_ms
        self.per_second = per_second
        self.burst = burst if burst is not None else SHARED_BURST
        self._ready = False
        # One coroutine of this process polls the bucket at a time; the others queue behind it
        # (first come, first served) instead of each hitting the database every interval.
        self._turn = asyncio.Lock()

    async def _ensure_row(self) -> None:
        if self._ready:
            return
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO rate_budget (name, milli_tokens, updated_ms)"
                " VALUES (:name, 0, :now) ON CONFLICT (name) DO NOTHING",
                {"name": self.name, "now": self.clock_ms()},
            )
        self._ready = True

    async def try_take(self) -> bool:
        """Take one token if the bucket has one; False (and nothing changed) if it has none."""
        await self._ensure_row()
        params = {
            "name": self.name,
            "now": self.clock_ms(),
            "rate": self.per_second,  # tokens/s = milli-tokens per millisecond
            "burst": self.burst * 1000,
        }
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                f"UPDATE rate_budget SET milli_tokens = {_FILLED} - 1000, updated_ms = :now"
                f" WHERE name = :name AND {_FILLED} >= 1000",
                params,
            )
        return changed > 0

    async def take(self) -> None:
        """Wait for a token (polling at twice the refill pace; other processes take them too)."""
        async with self._turn:
            while not await self.try_take():
                await asyncio.sleep(0.5 / self.per_second)  # twice a refill: tokens wait less


class LocalRateBudget:
    """The same budget for a process that is the bot's only one (unsharded, or serving every
    shard): an in-memory token bucket, no database. discord.py only reacts to global 429s;
    with chapters of many servers posting at once, this keeps them from happening."""

    def __init__(
        self,
        *,
        per_second: int,
        burst: int = DEFAULT_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second < 1:
            raise ValueError("a rate budget allows at least one request per second")
        self.per_second, self.burst, self.clock = per_second, burst, clock
        self._tokens = float(burst)  # a fresh process may send its first request at once
        self._at = clock()
        self._turn = asyncio.Lock()

    def try_take(self) -> bool:
        """Take one token if the bucket has one."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        if self._tokens >= 1.0 - 1e-9:  # float steps of 1/rate must add up to a token
            self._tokens = max(0.0, self._tokens - 1.0)
            return True
        return False

    async def take(self) -> None:
        """Wait for a token, first come first served, sleeping until the next one is due."""
        async with self._turn:
            while not self.try_take():
                await asyncio.sleep((1.0 - self._tokens) / self.per_second)
