"""Reading a bot process's database from a test, on either backend.

A test that runs `chapterbot run` as a subprocess checks what it stored by reading the same
database: a SQLite file or a PostgreSQL URL (`TEST_DATABASE_URL` runs). Each read opens its own
connection and closes it, so the test holds no lock or transaction the process could wait on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.storage import Database
from bot.storage.database import Params

T = TypeVar("T")


async def rows(database: str | Path, sql: str, params: Params = ()) -> list[tuple]:
    """The rows of one query (named `:parameters` work on both backends), as tuples."""
    db = await Database.open(database, pool_size=1)
    try:
        return [tuple(row) for row in await db.fetch_all(sql, params)]
    finally:
        await db.close()


async def until(
    check: Callable[[], Awaitable[T]], *, timeout: float, what: str, every: float = 0.1
) -> T:
    """Poll an async `check` until it returns something truthy, and return it."""
    deadline = time.monotonic() + timeout
    while not (value := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {what}")
        await asyncio.sleep(every)
    return value
