"""`chapterbot db copy FROM_URL TO_URL`: the command-line face of `bot.storage.copy`."""

from __future__ import annotations

import sys

from bot.storage import Database
from bot.storage.copy import copy_database, terminal_progress


async def run_copy(from_url: str, to_url: str, pool_size: int) -> int:
    """Copy every row from `from_url` into the empty `to_url`; prints rows per table.

    A refusal (`CopyRefused`, a `UserError`) propagates to `main`, which prints its one line.
    """
    source = await Database.open(from_url, pool_size=pool_size)
    try:
        target = await Database.open(to_url, pool_size=pool_size)
        try:
            counts = await copy_database(source, target, terminal_progress(sys.stderr))
        finally:
            await target.close()
    finally:
        await source.close()
    for count in counts:
        print(f"{count.table}: {count.target} rows")
    total = sum(count.target for count in counts)
    print(f"copied {total} rows in {len(counts)} tables; counts verified")
    return 0
