"""Gateway events about one thing, applied in the order Discord sent them.

discord.py runs every event listener in a task of its own, so a reaction added and at once
removed can reach the database in the other order: each waits for a pooled connection, and the
pool (PostgreSQL) does not keep arrival order. Discord sends a shard's events in order on one
connection, and only the process owning the shard receives them, so keeping that order inside
the process is all it takes. This orders events; it does not guard shared state across
processes — shard ownership and the SQL (conditional updates, unique keys) do that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class InOrder:
    """Runs blocks that share a key one after another, in the order they asked for their turn."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        """Keys with a block running or waiting (none are kept once their last block ends)."""
        return len(self._tails)

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        """Wait for the blocks of `key` that asked before this one, then run this one.

        The turn is taken before the first await, so the order is the order of the calls.
        """
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        try:
            if previous is not None:
                # Shielded: a cancelled waiter must not cancel the turn of the block before it.
                await asyncio.shield(previous)
            yield
        finally:
            if previous is not None and not previous.done():
                # Cancelled while waiting: the blocks after this one still wait for `previous`.
                previous.add_done_callback(lambda _: _finish(done))
                if self._tails.get(key) is done:
                    self._tails[key] = previous
            else:
                _finish(done)
                if self._tails.get(key) is done:
                    del self._tails[key]


def _finish(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)
