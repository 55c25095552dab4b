"""PostgreSQL point reads on kept connections: reused, never starving the pool, safe to cancel.

These need a PostgreSQL server (`TEST_DATABASE_URL`); CI's PostgreSQL run provides one.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import Database
from bot.storage.postgres import POINT_CONNECTIONS

PID = "SELECT pg_backend_pid() AS pid"


async def test_point_reads_reuse_a_kept_connection_and_see_every_commit(
    fresh_postgres_url: str,
) -> None:
    async with await Database.open(fresh_postgres_url) as db:
        pids = {(await db.fetch_point(PID))["pid"] for _ in range(5)}  # type: ignore[index]
        assert len(pids) == 1  # one kept connection
        # ... kept out of the pool: other reads get another one (the pool would reuse it).
        assert (await db.fetch_value(PID)) not in pids
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE seen (n INTEGER)")
        for n in (1, 2):
            await db.write_batch([("INSERT INTO seen (n) VALUES (:n)", {"n": n})])
            row = await db.fetch_point("SELECT max(n) AS n FROM seen")
            assert row is not None and row["n"] == n


async def test_point_reads_beyond_the_kept_connections_use_the_pool(
    fresh_postgres_url: str,
) -> None:
    async with await Database.open(fresh_postgres_url, pool_size=4) as db:
        slow = "SELECT pg_sleep(0.1), pg_backend_pid() AS pid"
        rows = await asyncio.gather(*(db.fetch_point(slow) for _ in range(4)))
        assert len({row["pid"] for row in rows}) == 4  # type: ignore[index]
        # The kept connections are free again: the next reads run on them, and writes still
        # find a pooled connection.
        assert (await db.fetch_point(PID))["pid"] in {r["pid"] for r in rows}  # type: ignore[index]
        await asyncio.wait_for(db.write_batch([("SELECT 1", {})]), 5)


@pytest.mark.parametrize("pool_size", [1, 2])
async def test_a_small_pool_keeps_a_connection_for_transactions(
    fresh_postgres_url: str, pool_size: int
) -> None:
    async with await Database.open(fresh_postgres_url, pool_size=pool_size) as db:
        assert await db.fetch_point("SELECT 7 AS n") == (7,)
        async with asyncio.timeout(5):
            async with db.transaction() as tx:
                assert await tx.fetch_all("SELECT 8") == [(8,)]
            assert await db.fetch_point("SELECT 9 AS n") == (9,)


async def test_a_failed_or_cancelled_point_read_leaves_no_stuck_connection(
    fresh_postgres_url: str,
) -> None:
    db = await Database.open(fresh_postgres_url, pool_size=POINT_CONNECTIONS + 1)
    try:
        with pytest.raises(db.errors):
            await db.fetch_point("SELECT 1 / 0")
        reading = asyncio.ensure_future(db.fetch_point("SELECT pg_sleep(30)"))
        await asyncio.sleep(0.2)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        async with asyncio.timeout(5):  # not 30 s: the cancelled statement was stopped
            assert await db.fetch_point("SELECT 3 AS n") == (3,)
            async with db.transaction() as tx:
                await tx.execute("SELECT 1")
    finally:
        await asyncio.wait_for(db.close(), 10)  # kept connections went back to the pool


async def test_a_kept_connection_the_server_ended_is_replaced_without_a_failed_read(
    fresh_postgres_url: str,
) -> None:
    """A restart, a failover or an idle timeout ends the kept connections while they wait."""
    async with await Database.open(fresh_postgres_url) as db:
        before = {(await db.fetch_point(PID))["pid"] for _ in range(3)}  # type: ignore[index]
        ended = await db.fetch_all(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert ended and all(row[0] for row in ended)
        await asyncio.sleep(0.2)  # asyncpg hears of it and detaches the kept connection
        after = [(await db.fetch_point(PID))["pid"] for _ in range(3)]  # type: ignore[index]
        assert not set(after) & before  # every read answered, on new connections
        assert len(set(after)) == 1  # and a new connection is kept again
