"""The SQLite backend of the storage seam: URL parsing, pragmas, transactions, the schema version.

A `SQLiteDatabase` holds two connections to one file:

* a **writer**, used only inside `async with db.transaction():`. Transactions start with
  `BEGIN IMMEDIATE`, so a second process that wants to write waits (up to the busy timeout)
  instead of failing half-way with "database is locked", and an `asyncio.Lock` makes coroutines
  sharing this object take turns, so nobody's statements land inside someone else's transaction;
* a **reader** (`query_only`), used by `fetch_*` outside transactions. Under WAL it never blocks the
  writer and only ever sees committed data, never another coroutine's half-done transaction;
* an **inline reader** (plain `sqlite3`, `query_only`, no busy wait) for `fetch_point`: a point
  read takes a few microseconds, far less than the hand-off to aiosqlite's thread and back, so
  the readers' hot path runs it on the event loop. Under WAL a reader waits for nobody; in the
  rare moment the file is busy (a checkpoint resetting the log) it falls back to the reader.

Parameters bind as SQLite does natively: `:name` from a dict (the portable form), or `?` from a
sequence. The schema version lives in `PRAGMA user_version`. Rows are `sqlite3.Row`.

Because aiosqlite runs each connection on a non-daemon thread, a database must be closed
(`await db.close()` or `async with`) or the process will not exit.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiosqlite

from bot.errors import ConfigError
from bot.storage.batch import returns_rows, statement_runs
from bot.storage.database import Database, MigrationError, Params, Row, Transaction

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 5.0

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_URL_EXAMPLE = (
    "Use sqlite:///data/chapterbot.db (relative), sqlite:////abs/path.db, a plain path, "
    "or postgresql://user@host/db."
)


def sqlite_path_from_url(url: str) -> Path:
    """The SQLite file a `DATABASE_URL` names; raises `ConfigError` for anything but SQLite."""
    text = url.strip()
    match = _URL_SCHEME.match(text)
    if match is None:
        path_text = text
    else:
        # Only the scheme is echoed back: the rest of a server URL may hold a password.
        scheme = match.group(1).lower()
        if scheme != "sqlite" and not scheme.startswith("sqlite+"):
            raise ConfigError(
                f"DATABASE_URL uses {scheme}://, which is neither SQLite nor PostgreSQL.",
                hint=_URL_EXAMPLE,
            )
        rest = text[match.end() :]
        if not rest.startswith("/"):
            raise ConfigError(
                "DATABASE_URL has a host part, which SQLite can't use.", hint=_URL_EXAMPLE
            )
        path_text = unquote(rest[1:])
    if "?" in path_text:
        raise ConfigError("DATABASE_URL options (after '?') are not supported.", hint=_URL_EXAMPLE)
    if path_text in ("", ":memory:"):
        raise ConfigError("DATABASE_URL must name a database file.", hint=_URL_EXAMPLE)
    return Path(path_text).expanduser()


class SQLiteTransaction(Transaction):
    """The statements of one `SQLiteDatabase.transaction()` block, on the writer connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._open = True

    def _connection(self) -> aiosqlite.Connection:
        if not self._open:
            raise RuntimeError("this transaction has already ended")
        return self._conn

    def _end(self) -> None:
        self._open = False

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows a query returns."""
        return list(await self._connection().execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        async with self._connection().execute(sql, params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter set."""
        async with self._connection().executemany(sql, rows):
            pass

    async def schema_version(self) -> int:
        """`PRAGMA user_version`, read inside this transaction."""
        return int(await self.fetch_value("PRAGMA user_version"))

    async def set_schema_version(self, version: int) -> None:
        """Set `PRAGMA user_version` (transactional in SQLite, unlike most pragmas)."""
        await self.execute(f"PRAGMA user_version = {int(version):d}")


class SQLiteDatabase(Database):
    """A chapterbot SQLite file: open with `await SQLiteDatabase.open(path)`, close when done."""

    backend = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        inline: sqlite3.Connection | None = None,
    ):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._inline = inline
        self._write_lock = asyncio.Lock()
        self._tx_owner: asyncio.Task[Any] | None = None
        self._closed = False

    @classmethod
    async def open(  # type: ignore[override]  # a path, not a URL, and a busy timeout
        cls, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS
    ) -> SQLiteDatabase:
        """Open (creating if needed, with its directory) the database file at `path`."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # one line naming the path and the cause, never a traceback
            raise ConfigError(
                f"Could not create the database directory {path.parent} "
                f"({exc.strerror or exc.__class__.__name__}).",
                hint="Point DATABASE_URL at a directory this user may write to.",
            ) from exc
        writer = await _connect(path, busy_timeout)
        try:
            mode = await _set_wal(writer, path)
            if str(mode).lower() != "wal":
                raise ConfigError(
                    f"Could not switch {path} to WAL mode (it stayed in {mode!r} mode).",
                    hint="Keep the database on a local disk, not a network share.",
                )
            reader = await _connect(path, busy_timeout, query_only=True)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader, _connect_inline(path))

    @property
    def location(self) -> str:
        """The database file's path."""
        return str(self.path)

    def is_unavailable(self, error: BaseException) -> bool:
        """The file locked past the busy timeout (a backup, another program), or not readable."""
        busy = isinstance(error, sqlite3.OperationalError) and _is_busy(error)
        return busy or super().is_unavailable(error)

    async def close(self) -> None:
        """Wait for any running transaction, then close both connections (safe to repeat)."""
        if self._closed:
            return
        async with self._write_lock:
            self._closed = True
            if self._inline is not None:
                self._inline.close()
            await self._reader.close()
            await self._writer.close()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows a query returns, read on the reader connection (committed data only)."""
        if self._closed:
            raise RuntimeError("the database has been closed")
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_point(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a small indexed read, run on the event loop (see the module doc)."""
        if self._closed:
            raise RuntimeError("the database has been closed")
        if self._inline is not None:
            try:
                cursor = self._inline.execute(sql, params)
                try:
                    return cursor.fetchone()
                finally:
                    cursor.close()  # ends the statement's read snapshot now
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
        return await self.fetch_one(sql, params)

    async def schema_version(self) -> int:
        """`PRAGMA user_version` (0 for a new, empty file)."""
        return int(await self.fetch_value("PRAGMA user_version"))

    def split_script(self, script: str) -> list[str]:
        """Split with SQLite's own tokenizer (see `split_statements`)."""
        return split_statements(script)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run the block's statements as one write transaction: all committed, or none on error.

        Not re-entrant: inside a block, pass its `Transaction` down rather than opening another.
        """
        task = asyncio.current_task()
        if task is not None and task is self._tx_owner:
            raise RuntimeError("db.transaction() is not re-entrant; use the open Transaction")
        async with self._write_lock:
            if self._closed:
                raise RuntimeError("the database has been closed")
            self._tx_owner = task
            tx = SQLiteTransaction(self._writer)
            try:
                await self._begin()
                yield tx
                await _run(self._writer, "COMMIT")
            except BaseException:
                await self._rollback()
                raise
            finally:
                tx._end()
                self._tx_owner = None

    async def write_batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """Run `statements` as one write transaction in a single trip to the writer's thread.

        For short, fixed sequences on hot paths (`/next` records every read): a `transaction()`
        block costs a thread hand-off and an event-loop wake-up per statement, BEGIN and COMMIT
        included; this costs one. All committed, or none on error. Returns each statement's rows
        (for `RETURNING`).
        """
        task = asyncio.current_task()
        if task is not None and task is self._tx_owner:
            raise RuntimeError("write_batch() inside db.transaction(); use the open Transaction")
        async with self._write_lock:
            if self._closed:
                raise RuntimeError("the database has been closed")
            # aiosqlite has no public "run this on the connection's thread"; `_execute` is what
            # all its own methods use. The worker thread runs calls in order, so even if this
            # task is cancelled while waiting, the batch finishes before any later statement.
            conn = self._writer
            return await conn._execute(_run_batch, conn._conn, list(statements))

    async def _begin(self) -> None:
        if self._writer.in_transaction:
            # Only possible if an earlier rollback was cut short; never build on its leftovers.
            log.warning("writer connection was left inside a transaction; rolling it back")
            await _run(self._writer, "ROLLBACK")
        await _run(self._writer, "BEGIN IMMEDIATE")

    async def _rollback(self) -> None:
        if not self._writer.in_transaction:
            return  # SQLite already rolled back (some errors do that), or BEGIN itself failed.
        try:
            # Shielded so a cancelled task still leaves the connection clean for the next one.
            await asyncio.shield(_run(self._writer, "ROLLBACK"))
        except Exception:
            log.exception("rollback failed")


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    async with conn.execute(sql):
        pass


def _run_batch(conn: sqlite3.Connection, statements: list[tuple[str, Params]]) -> list[list[Row]]:
    """`Database.write_batch` on the writer's thread: BEGIN IMMEDIATE, the statements, COMMIT."""
    if conn.in_transaction:
        log.warning("writer connection was left inside a transaction; rolling it back")
        conn.execute("ROLLBACK")
    conn.execute("BEGIN IMMEDIATE")
    try:
        results: list[list[Row]] = []
        for sql, run in statement_runs(statements):
            if len(run) > 1 and not returns_rows(sql):
                conn.executemany(sql, run)
                results.extend([] for _ in run)
            else:
                results.extend(conn.execute(sql, params).fetchall() for params in run)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


async def _connect(
    path: Path, busy_timeout: float, *, query_only: bool = False
) -> aiosqlite.Connection:
    """A connection with chapterbot's pragmas; `isolation_level=None` so we control transactions."""
    try:
        conn = await aiosqlite.connect(path, timeout=busy_timeout, isolation_level=None)
    except sqlite3.OperationalError as exc:
        raise ConfigError(f"Could not open the database file {path} ({exc}).") from exc
    conn.row_factory = sqlite3.Row
    try:
        await _run(conn, f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        await _run(conn, "PRAGMA foreign_keys = ON")
        # NORMAL is durable across application crashes under WAL; only an OS crash or power
        # loss can lose the last commits, never corrupt the file.
        await _run(conn, "PRAGMA synchronous = NORMAL")
        if query_only:
            await _run(conn, "PRAGMA query_only = ON")
    except BaseException as exc:
        await conn.close()
        if isinstance(exc, sqlite3.DatabaseError):
            raise _not_usable(path, exc) from exc
        raise
    return conn


def _connect_inline(path: Path) -> sqlite3.Connection:
    """The inline reader: never waits for a lock (`timeout=0`), so it can never stall the loop.

    `check_same_thread=False` only because tests may open and use a database from different
    threads' loops in turn; it is never used by two threads at once.
    """
    conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only = ON")
    return conn


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


async def _set_wal(conn: aiosqlite.Connection, path: Path) -> str:
    """Switch to WAL (a file that is not SQLite becomes a `ConfigError`); returns the new mode."""
    try:
        rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
    except sqlite3.DatabaseError as exc:
        raise _not_usable(path, exc) from exc
    return str(rows[0][0])


def _not_usable(path: Path, exc: sqlite3.DatabaseError) -> ConfigError:
    if "locked" in str(exc):
        return ConfigError(
            f"The database file {path} is locked by another program ({exc}).",
            hint="Stop the other chapterbot (or tool) using it, then try again.",
        )
    return ConfigError(f"{path} is not a usable SQLite database ({exc}).")


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into single statements (SQLite's own tokenizer finds the ends)."""
    statements: list[str] = []
    start = 0
    for index, char in enumerate(script):
        # complete_statement knows about strings, comments and trigger bodies, so a ';' inside
        # any of those does not end the statement.
        if char == ";" and sqlite3.complete_statement(script[start : index + 1]):
            statement = script[start : index + 1].strip()
            if _has_code(statement):
                statements.append(statement)
            start = index + 1
    if _has_code(script[start:]):
        raise MigrationError("the script ends with a statement that has no closing ';'")
    return statements


def _has_code(text: str) -> bool:
    return bool(_COMMENTS.sub("", text).strip(" \t\r\n;"))


async def open_url(
    url_or_path: str | Path, *, pool_size: int | None = None, timeout: float | None = None
) -> SQLiteDatabase:
    """Open the SQLite file a `DATABASE_URL` or a path names (the backend's entry point).

    `pool_size` and `timeout` are for server backends: a file has one writer and one reader,
    and waits for a lock at most `BUSY_TIMEOUT_SECONDS`."""
    path = url_or_path if isinstance(url_or_path, Path) else sqlite_path_from_url(url_or_path)
    return await SQLiteDatabase.open(path)
