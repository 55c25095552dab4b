"""The PostgreSQL backend of the storage seam, on an asyncpg connection pool.

`DATABASE_URL=postgresql://user[:password]@host[:port]/db` (or `postgres://`) selects it; the
pool holds up to `DATABASE_POOL_SIZE` connections. Reads outside transactions take any pooled
connection, point reads (`fetch_point`) one of a few kept aside for them (`pg_point`). A
`transaction()` block takes one connection for its whole life and, first thing, a
transaction-scoped advisory lock: writers take turns across every process sharing the database,
exactly as SQLite's `BEGIN IMMEDIATE` makes them, so read-then-write code behaves the same on
both backends. Parameters are rewritten from `:name` to `$n` (`bot.storage.pg_sql`). The schema
version lives in a one-row table, `chapterbot_schema`. Rows are asyncpg `Record`s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from bot.errors import ConfigError
from bot.storage.batch import returns_rows, statement_runs
from bot.storage.database import Database, Params, Row, Transaction
from bot.storage.pg_point import CONNECTION_LOST, PointReads, pooled
from bot.storage.pg_sql import bind, one_statement, rowcount, split_script, unnest_sql
from bot.storage.rows import RowsPart, RowsStatement
from bot.storage.urls import mask_password

DEFAULT_POOL_SIZE = 10
#: Pooled connections kept aside for point reads (`pg_point`); the rest serve everything else.
POINT_CONNECTIONS = 2
# asyncpg's own default; tools opened without a timeout (copy, migrate) connect with it.
CONNECT_TIMEOUT_S = 60.0
#: Key of the advisory lock every write transaction holds ("chapterbot" squeezed into 63 bits).
WRITE_LOCK_KEY = 0x63686170746572
SCHEMA_TABLE = "chapterbot_schema"
_SCHEMA_DDL = f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)"


class PostgresTransaction(Transaction):
    """The statements of one `PostgresDatabase.transaction()` block, on one pooled connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn: asyncpg.Connection | None = conn

    def _connection(self) -> asyncpg.Connection:
        if self._conn is None:
            raise RuntimeError("this transaction has already ended")
        return self._conn

    def _end(self) -> None:
        self._conn = None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows a query returns."""
        text, args = bind(sql, params)
        return list(await self._connection().fetch(text, *args))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        text, args = bind(sql, params)
        return rowcount(await self._connection().execute(text, *args))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter set."""
        bound = [bind(sql, params) for params in rows]
        if bound:
            await self._connection().executemany(bound[0][0], [args for _, args in bound])

    async def execute_rows(
        self, statement: RowsStatement, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Run `statement` once for all `rows`, each column sent as one array."""
        if rows:
            await self._connection().execute(unnest_sql(statement), *statement.column_values(rows))

    async def schema_version(self) -> int:
        """The version recorded in `chapterbot_schema` (0 when there is none)."""
        return await _read_version(self._connection())

    async def set_schema_version(self, version: int) -> None:
        """Record `version`; it commits or rolls back with the transaction."""
        conn = self._connection()
        await conn.execute(_SCHEMA_DDL)
        await conn.execute(f"DELETE FROM {SCHEMA_TABLE}")
        await conn.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES ($1)", int(version))


class PostgresDatabase(Database):
    """A chapterbot PostgreSQL database: `await PostgresDatabase.open(url)`, close when done."""

    backend = "postgres"
    errors = (asyncpg.PostgresError, asyncpg.InterfaceError)

    def __init__(
        self, url: str, pool: asyncpg.Pool, *, pool_size: int = 1, timeout: float | None = None
    ) -> None:
        self.url = url
        self._pool = pool
        self._timeout = timeout
        # Never all of a small pool: transactions need a connection too.
        keep = min(POINT_CONNECTIONS, pool_size - 1)
        self._points = PointReads(pool, keep=keep, timeout=timeout)
        self._owners: set[asyncio.Task[Any]] = set()
        self._closed = False

    @classmethod
    async def open(  # type: ignore[override]  # a URL, a pool size and a timeout
        cls, url: str, *, pool_size: int = DEFAULT_POOL_SIZE, timeout: float | None = None
    ) -> PostgresDatabase:
        """Connect a pool of up to `pool_size` connections to the database `url` names.

        `timeout`: seconds to connect and for each statement. Without one, a server that stops
        answering without closing anything (a network partition, a failover to another host)
        would hold each query, and the connection under it, until TCP gives up: many minutes of
        a story's posting stuck and commands unanswered. With it, the query fails as "not
        answering", its connection is dropped, and the work is tried again on a new one.
        """
        dsn = _dsn(url)
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=max(1, pool_size),
                reset=_keep_session,
                timeout=timeout or CONNECT_TIMEOUT_S,
                command_timeout=timeout,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise ConfigError(
                f"Could not connect to the database {mask_password(url)} ({type(exc).__name__}: "
                f"{_masked(str(exc), url)}).",
                hint="Check DATABASE_URL and that the PostgreSQL server is running.",
            ) from exc
        return cls(url, pool, pool_size=max(1, pool_size), timeout=timeout)

    @property
    def location(self) -> str:
        """The database URL with any password masked."""
        return mask_password(self.url)

    def is_unavailable(self, error: BaseException) -> bool:
        """The server is down, restarting or refusing connections, or ended the session."""
        return isinstance(error, CONNECTION_LOST) or super().is_unavailable(error)

    async def close(self) -> None:
        """Wait for running transactions, then close the pool (safe to repeat)."""
        if self._closed:
            return
        self._closed = True
        await self._points.close()
        try:
            await asyncio.wait_for(self._pool.close(), self._timeout)
        except TimeoutError:
            self._pool.terminate()  # a connection stranded by the server: nothing to wait for

    def _acquire(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A pooled connection, within the timeout (see `pg_point.pooled`)."""
        return pooled(self._pool, self._timeout)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the database has been closed")

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows a query returns (committed data only)."""
        self._check_open()
        text, args = bind(sql, params)
        async with self._acquire() as conn:
            return list(await conn.fetch(text, *args))

    async def fetch_point(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a small indexed read, on a connection kept for them (`pg_point`)."""
        self._check_open()
        text, args = bind(sql, params)
        return await self._points.fetch_row(text, args)

    async def after_bulk_load(self) -> None:
        """`VACUUM (ANALYZE)`, as PostgreSQL advises after populating a database.

        The statistics: without them its planner guesses hundreds of pages per chapter and
        sorts where an index walk would stop at the first row (a `/next` costs about twice as
        much until autovacuum gets to it). The vacuum: it marks the pages all-visible, so the
        page and chapter counts of `/next` are index-only scans instead of a visit to each
        row's page, and sets the rows' hint bits now rather than on their first readers.
        """
        self._check_open()
        async with self._acquire() as conn:
            await conn.execute("VACUUM (ANALYZE)")

    async def schema_version(self) -> int:
        """The recorded schema version (0 for a new, empty database)."""
        self._check_open()
        async with self._acquire() as conn:
            return await _read_version(conn)

    def split_script(self, script: str) -> list[str]:
        """Split at `;` outside strings and comments (see `pg_sql.split_script`)."""
        return split_script(script)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run the block's statements as one write transaction: all committed, or none on error.

        Not re-entrant: inside a block, pass its `Transaction` down rather than opening another.
        """
        task = asyncio.current_task()
        if task is not None and task in self._owners:
            raise RuntimeError("db.transaction() is not re-entrant; use the open Transaction")
        self._check_open()
        if task is not None:
            self._owners.add(task)
        try:
            async with self._acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK_KEY)
                tx = PostgresTransaction(conn)
                try:
                    yield tx
                finally:
                    tx._end()
        finally:
            self._owners.discard(task)  # type: ignore[arg-type]

    async def write_batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """Run `statements` as one write transaction; returns each statement's rows.

        All committed, or none on error.
        """
        task = asyncio.current_task()
        if task is not None and task in self._owners:
            raise RuntimeError("write_batch() inside db.transaction(); use the open Transaction")
        results: list[list[Row]] = []
        async with self.transaction() as tx:
            for sql, run in statement_runs(statements):
                if len(run) > 1 and not returns_rows(sql):
                    await tx.executemany(sql, run)  # pipelined: one round trip for the run
                    results.extend([] for _ in run)
                else:
                    results.extend([await tx.fetch_all(sql, params) for params in run])
        return results

    async def write_rows(self, parts: Sequence[RowsPart], *, independent: bool = False) -> None:
        """Each statement once over its rows (`unnest`), all in one write transaction.

        Independent parts go as one statement (`pg_sql.one_statement`): atomic by itself, so
        neither BEGIN/COMMIT nor the advisory write lock is needed, and every other transaction
        stays free to run meanwhile.
        """
        live = [(statement, rows) for statement, rows in parts if rows]
        if independent and live:
            self._check_open()
            text, args = one_statement(live)
            async with self._acquire() as conn:
                await conn.execute(text, *args)
            return
        async with self.transaction() as tx:
            assert isinstance(tx, PostgresTransaction)
            for statement, rows in parts:
                await tx.execute_rows(statement, rows)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection needs before it goes back to the pool: nothing more than asyncpg's own
    clean-up (which rolls back an open transaction).

    asyncpg's default also runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`,
    one more round trip to the server for every pooled query — /next would pay it on every
    read. chapterbot keeps no session state to undo: its advisory lock is transaction-scoped,
    it opens no cursor outside a transaction, listens to nothing and sets no session variable.
    """


async def _read_version(conn: asyncpg.Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", SCHEMA_TABLE)
    if not exists:
        return 0
    version = await conn.fetchval(f"SELECT max(version) FROM {SCHEMA_TABLE}")
    return int(version or 0)


def _dsn(url: str) -> str:
    """The URL asyncpg understands: `postgresql+asyncpg://` and `postgres://` become plain."""
    _scheme, sep, rest = url.strip().partition("://")
    if not sep:
        raise ConfigError("DATABASE_URL for PostgreSQL must look like postgresql://user@host/db.")
    return f"postgresql://{rest}"


def _masked(text: str, url: str) -> str:
    """`text` with the URL's password (if any) blanked, for error messages."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return text
    return text.replace(password, "***") if password else text


async def open_url(
    url_or_path: str | Path, *, pool_size: int | None = None, timeout: float | None = None
) -> PostgresDatabase:
    """Open the PostgreSQL database a `DATABASE_URL` names (the backend's entry point)."""
    return await PostgresDatabase.open(
        str(url_or_path), pool_size=pool_size or DEFAULT_POOL_SIZE, timeout=timeout
    )
