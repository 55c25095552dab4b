"""The storage seam: the `Database` and `Transaction` every repository talks to.

Repositories write plain SQL that both SQLite (>= 3.35) and PostgreSQL accept, and call only the
methods below; everything dialect- or driver-specific (connections, pragmas, `BEGIN IMMEDIATE`,
where the schema version is kept, how a migration script is split) lives in a backend module
such as `bot.storage.sqlite`. The SQL conventions:

* **Parameters** are named, `:name`, bound from a dict. Every backend accepts that form; the
  PostgreSQL backend will rewrite `:name` to `$n` before sending. (The SQLite backend also still
  takes positional `?` with a sequence, for code not yet converted; new SQL must not use it.)
  Keys the SQL does not name are ignored, so one dict can serve several statements.
* **Upserts** are `INSERT ... ON CONFLICT (...) DO NOTHING | DO UPDATE SET col = excluded.col`
  (`bot.storage.repository.upsert_sql` builds the common shape), never `INSERT OR ...`.
* **Case-insensitive** matching is `lower(col) = lower(:value)` and `ORDER BY lower(col)`,
  never `COLLATE NOCASE`. `RETURNING` is fine; dialect-only functions are not.
* **Rows** support both `row["column"]` and `row[0]`, `keys()`, `len()` and `dict(row)`;
  iterating a row yields its values (as `sqlite3.Row` and asyncpg's `Record` both do).
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol

from bot.storage.rows import RowsPart
from bot.storage.urls import backend_module_for

# Named (`:name` + dict) is the portable form; a sequence binds positional `?` (SQLite only).
Params = Mapping[str, Any] | Sequence[Any]


class MigrationError(RuntimeError):
    """A migration file is malformed or failed to apply (the database was left untouched)."""


class Row(Protocol):
    """One result row: by column name or position, like `sqlite3.Row` and asyncpg's `Record`."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Any: ...


class Queries(ABC):
    """The reads a `Database` (outside transactions) and a `Transaction` both offer."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows a query returns."""

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there are no rows."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def fetch_point(self, sql: str, params: Params = ()) -> Row | None:
        """Like `fetch_one`, for a small indexed read on a hot path (a reader's next page).

        A backend may answer it without leaving the event loop when that is cheaper than a trip
        to a worker thread (SQLite); only use it for reads that touch a handful of rows.
        """
        return await self.fetch_one(sql, params)


class Transaction(Queries):
    """The statements of one `db.transaction()` block; unusable once the block has ended."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter set."""

    @abstractmethod
    async def schema_version(self) -> int:
        """The schema version as seen inside this transaction (for migrations)."""

    @abstractmethod
    async def set_schema_version(self, version: int) -> None:
        """Record a new schema version; it commits or rolls back with the transaction."""


class Database(Queries):
    """An open database: reads, write transactions, a one-trip write batch, and `close`.

    `await Database.open(url_or_path)` connects to the backend a `DATABASE_URL` names (a plain
    path or `sqlite:///...` is SQLite) without migrating; `bot.storage.open_database` also brings
    the schema up to date. Close it when done (`await db.close()` or `async with`).
    """

    #: The backend's name; also the folder of its migrations (`migrations/<backend>/`).
    backend: ClassVar[str]
    #: The driver's exception types for a statement that failed (bad SQL, constraint, ...).
    errors: ClassVar[tuple[type[Exception], ...]]

    @classmethod
    async def open(
        cls,
        url_or_path: str | Path,
        *,
        pool_size: int | None = None,
        timeout: float | None = None,
    ) -> Database:
        """Connect to the database a `DATABASE_URL` or file path names (no migrations).

        `pool_size` caps a server backend's connections (`DATABASE_POOL_SIZE`); `timeout` bounds
        how long it waits to connect or for one statement (`DATABASE_TIMEOUT`; None: tools that
        run long statements wait as long as they take). SQLite ignores both.
        """
        # Backends are plugins found by name, like cog extensions: they import this module, so
        # naming them in an import statement here would make a loop, and only the chosen one
        # needs loading (a SQLite user never imports a server driver).
        name = "bot.storage.sqlite" if isinstance(url_or_path, Path) else None
        backend = importlib.import_module(name or backend_module_for(str(url_or_path)))
        return await backend.open_url(url_or_path, pool_size=pool_size, timeout=timeout)

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, for messages: a file path, or a host and database name.

        Never includes a password.
        """

    def is_unavailable(self, error: BaseException) -> bool:
        """Whether `error` means the database did not answer (worth trying again later), not
        that the statement was wrong. Backends add their drivers' errors."""
        return isinstance(error, OSError)

    def log_failure(
        self, logger: logging.Logger, error: BaseException, message: str, *args: object
    ) -> None:
        """Log a failure of background work (a timer, a drain loop): one warning line when the
        database did not answer, since the work is tried again later; a bug's traceback else."""
        if self.is_unavailable(error):
            logger.warning(message + ": the database is not answering (%r)", *args, error)
        else:
            logger.error(message, *args, exc_info=error)

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction() as tx:` runs the block's statements atomically.

        All are committed, or none when the block raises. Writers take turns (within the
        process, and across processes as far as the backend allows). Not re-entrant: inside a
        block, pass its `Transaction` down rather than opening another.
        """

    @abstractmethod
    async def write_batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """Run `statements` as one write transaction in as few round trips as possible.

        For short, fixed sequences on hot paths (`/next` records every read). All committed, or
        none on error. Returns each statement's rows (for `RETURNING`).
        """

    async def write_rows(self, parts: Sequence[RowsPart], *, independent: bool = False) -> None:
        """Run each statement for its rows, all in one write transaction (`bot.storage.rows`).

        For many rows of one shape (the write-behind flush). The default runs the one-row form
        of each statement through `write_batch`, an `executemany` per statement; a backend that
        can take the rows in one statement does.

        `independent=True` promises that no part reads what another writes and that each is an
        insert or upsert that concurrent writers may interleave with (row locks settle them, as
        they would in turn): a backend may then run them all as one statement, atomic on its
        own, without making other writers take turns (PostgreSQL: one round trip, not five).
        """
        statements: list[tuple[str, Params]] = []
        for statement, rows in parts:
            sql = statement.per_row()
            statements.extend((sql, row) for row in rows)
        await self.write_batch(statements)

    @abstractmethod
    async def schema_version(self) -> int:
        """The schema version the database is at (0 for a new, empty one)."""

    @abstractmethod
    def split_script(self, script: str) -> list[str]:
        """A migration script's single statements, as this backend's dialect delimits them."""

    async def after_bulk_load(self) -> None:
        """Bring the planner's statistics up to date after many rows arrived at once.

        A server's query planner picks index walks from table statistics; right after a bulk
        load (a `db copy`, a benchmark's seed) they describe empty tables until the server's own
        background analysis runs. SQLite's planner uses none for chapterbot's indexed lookups,
        so the default does nothing.
        """

    @abstractmethod
    async def close(self) -> None:
        """Wait for any running transaction, then release the connections (safe to repeat)."""

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
