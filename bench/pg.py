"""PostgreSQL for the benchmarks: a fresh database per run on the server a URL names.

`BENCH_DATABASE_URL` (else `TEST_DATABASE_URL`, as the tests use) names a server and a database
to connect to for administration; each run creates its own database there and drops it after.
Without either, or when the server does not answer, PostgreSQL rows are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

from testkit.pgtest import create_database, drop_database, is_postgres_url


def admin_url() -> tuple[str | None, str | None]:
    """(server URL, None) when a PostgreSQL server answers; else (None, why not)."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None, "no PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL"
    if not is_postgres_url(url):
        return None, f"not a postgresql:// URL: {url.split('://', 1)[0]}://..."
    try:
        asyncio.run(_ping(url))
    except Exception as exc:  # any failure (refused, timeout, auth) means: skip PostgreSQL
        return None, f"PostgreSQL does not answer: {type(exc).__name__}: {exc}"
    return url, None


async def _ping(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1], timeout=5)
    await conn.close()


@contextlib.contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new empty database on the server for one run; dropped afterwards."""
    url = asyncio.run(create_database(server_url, prefix=f"chapterbot_bench_{prefix}"))
    try:
        yield url
    finally:
        asyncio.run(drop_database(server_url, url))
