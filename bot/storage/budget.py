"""`SharedRateBudget`: a token bucket in the database, shared by every process of one bot.

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
        # Any one-second window sees at most `per_second + burst` requests: a small burst keeps
        # that under Discord's limit when `per_second` leaves a little room below it.
        self.burst = burst if burst is not None else max(1, per_second // 10)
        self._ready = False

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
        """Wait for a token (polling at the refill pace; other processes take them too)."""
        while not await self.try_take():
            await asyncio.sleep(1.0 / self.per_second)
