"""Point reads on PostgreSQL: a few pooled connections kept aside for the hot path's reads.

Why: a reader's `/next` is one small indexed read, and at a steady load every read meets a
cold CPU cache. Measured on the project's 2-core machine with reads 5 ms apart, the pool's
acquire and release (asyncpg's bookkeeping, its reset, our reset hook) added about 0.25 ms
to a read that the server answers in about 0.6 ms. A connection kept out of the pool costs
none of that. Reads on it are plain autocommit statements, exactly as on a pooled connection,
so they see every committed write, whichever connection or process made it.

`PointReads` keeps up to `keep` connections (taken from the pool the first time they are
needed). A read that finds them all busy uses the pool as any other read does. A read that
fails or is cancelled gives its connection back to the pool, which waits out a cancellation
or replaces a broken connection, and the next read takes a fresh one. A kept connection the
server ended while it waited (a restart, a failover, an idle timeout: asyncpg then detaches it)
fails its next read; that read is asked again once on the pool, so the reader never sees it.
A read the server does not answer within the timeout is not asked again: it fails as "not
answering" (see `bot.storage.postgres`), and its connection is given back to be closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.storage.database import Row

log = logging.getLogger(__name__)

# What a kept connection raises once the server has ended it: asyncpg's "connection is closed"
# or "released back to the pool" (InterfaceError), a lost socket, the server shutting down, or
# (a query sent just as the server's goodbye arrives) asyncpg's InternalClientError.
CONNECTION_LOST = (
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,
)


@asynccontextmanager
async def pooled(pool: asyncpg.Pool, timeout: float | None) -> AsyncIterator[asyncpg.Connection]:
    """A connection of `pool`, waited for at most `timeout`, and released within it too.

    A connection that cannot be released in time (its server gone quiet) is closed by asyncpg;
    that is not an error of the work done on it, which stands (a transaction committed on it
    is committed), so it is not raised in that work's place.
    """
    conn = await pool.acquire(timeout=timeout)
    try:
        yield conn
    finally:
        try:
            await pool.release(conn, timeout=timeout)
        except Exception as error:
            log.info("closed a PostgreSQL connection that did not come back: %r", error)


class PointReads:
    """Up to `keep` connections borrowed from `pool` for point reads."""

    def __init__(self, pool: asyncpg.Pool, keep: int, timeout: float | None = None) -> None:
        self._pool = pool
        self._keep = keep
        self._timeout = timeout  # for the pool: see PostgresDatabase._acquire
        self._idle: list[asyncpg.Connection] = []  # kept and free, the warmest last
        self._kept = 0  # idle plus in use
        self._returning: set[asyncio.Task[None]] = set()
        self._closed = False

    async def fetch_row(self, text: str, args: list[Any]) -> Row | None:
        """The first row of `text`, on a kept connection (or the pool when none is free)."""
        conn = self._take()
        if conn is None:
            conn = await self._borrow()
            if conn is None:
                return await self._fetch_pooled(text, args)
        try:
            row = await conn.fetchrow(text, *args)
        except TimeoutError:
            self._give_back(conn)  # no answer in time: asking again would only wait as long
            raise
        except CONNECTION_LOST:
            self._give_back(conn)  # for the pool to drop; a read is safe to ask again
            return await self._fetch_pooled(text, args)
        except BaseException:
            self._give_back(conn)
            raise
        self._put(conn)
        return row

    async def close(self) -> None:
        """Give every kept connection back to the pool (before the pool itself closes)."""
        self._closed = True
        while self._idle:
            self._give_back(self._idle.pop())
        if self._returning:
            await asyncio.gather(*self._returning, return_exceptions=True)

    async def _fetch_pooled(self, text: str, args: list[Any]) -> Row | None:
        async with pooled(self._pool, self._timeout) as conn:
            return await conn.fetchrow(text, *args)

    def _take(self) -> asyncpg.Connection | None:
        return self._idle.pop() if self._idle else None

    async def _borrow(self) -> asyncpg.Connection | None:
        """A new kept connection from the pool, unless `keep` are kept already."""
        if self._closed or self._kept >= self._keep:
            return None
        self._kept += 1
        try:
            return await self._pool.acquire(timeout=self._timeout)
        except BaseException:
            self._kept -= 1
            raise

    def _put(self, conn: asyncpg.Connection) -> None:
        if self._closed:
            self._give_back(conn)
        else:
            self._idle.append(conn)

    def _give_back(self, conn: asyncpg.Connection) -> None:
        """Release `conn` to the pool in the background (it may first wait out a cancel)."""
        self._kept -= 1
        task = asyncio.ensure_future(self._pool.release(conn, timeout=self._timeout))
        self._returning.add(task)
        task.add_done_callback(self._returned)

    def _returned(self, task: asyncio.Task[None]) -> None:
        self._returning.discard(task)
        if not task.cancelled():
            task.exception()  # the pool has dropped a broken connection; nothing to report
