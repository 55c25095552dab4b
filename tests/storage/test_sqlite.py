"""The connection: URL parsing, pragmas, transactions and concurrent writers."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.storage import (
    Database,
    current_version,
    known_version,
    open_database,
    sqlite_path_from_url,
)

pytestmark = pytest.mark.sqlite_only(reason="tests the SQLite backend itself")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/bot.db", Path("data/bot.db")),
        ("sqlite:////var/lib/chapterbot/bot.db", Path("/var/lib/chapterbot/bot.db")),
        ("data/bot.db", Path("data/bot.db")),
        ("/abs/bot.db", Path("/abs/bot.db")),
        ("  sqlite:///spaced.db\n", Path("spaced.db")),
        ("sqlite:///with%20space.db", Path("with space.db")),
        ("SQLite+aiosqlite:///x.db", Path("x.db")),
    ],
)
def test_sqlite_urls_become_paths(url: str, expected: Path) -> None:
    assert sqlite_path_from_url(url) == expected


def test_other_databases_are_refused_without_echoing_credentials() -> None:
    with pytest.raises(ConfigError, match="neither SQLite nor PostgreSQL") as info:
        sqlite_path_from_url("postgresql://bot:hunter2@db.example/chapterbot")
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["", "sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite://host/x.db", "x.db?a=b"]
)
def test_unusable_sqlite_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        sqlite_path_from_url(url)


async def test_open_creates_the_directory_and_sets_pragmas(db_path: Path) -> None:
    assert not db_path.parent.exists()
    async with await Database.open(db_path) as db:
        assert db_path.is_file()
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA busy_timeout") == 5000
        assert await db.fetch_value("PRAGMA synchronous") == 1  # NORMAL
        async with db.transaction() as tx:
            assert await tx.fetch_value("PRAGMA foreign_keys") == 1
            assert await tx.fetch_value("PRAGMA busy_timeout") == 5000
            assert await tx.fetch_value("PRAGMA synchronous") == 1


async def test_a_file_that_is_not_sqlite_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("definitely not a database " * 100)
    with pytest.raises(ConfigError, match="not a usable SQLite database"):
        await Database.open(path)


async def _scratch_table(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER)")
        await tx.execute("INSERT OR IGNORE INTO counter (id, n) VALUES (1, 0)")


async def test_a_failing_block_rolls_everything_back(db: Database) -> None:
    await _scratch_table(db)
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE counter SET n = 42")
            raise RuntimeError("boom")
    assert await db.fetch_value("SELECT n FROM counter") == 0
    async with db.transaction() as tx:  # the connection is usable again
        assert await tx.execute("UPDATE counter SET n = 1") == 1
    assert await db.fetch_value("SELECT n FROM counter") == 1


async def test_readers_never_see_uncommitted_writes(db: Database) -> None:
    await _scratch_table(db)
    async with db.transaction() as tx:
        await tx.execute("UPDATE counter SET n = 99")
        assert await tx.fetch_value("SELECT n FROM counter") == 99
        assert await db.fetch_value("SELECT n FROM counter") == 0
    assert await db.fetch_value("SELECT n FROM counter") == 99


async def test_reads_outside_transactions_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch_all("CREATE TABLE nope (x)")


async def test_transactions_are_not_reentrant_and_end_with_their_block(db: Database) -> None:
    async with db.transaction() as tx:
        with pytest.raises(RuntimeError, match="not re-entrant"):
            async with db.transaction():
                pass
    with pytest.raises(RuntimeError, match="already ended"):
        await tx.execute("SELECT 1")


async def test_a_cancelled_transaction_leaves_the_connection_clean(db: Database) -> None:
    await _scratch_table(db)
    started = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("UPDATE counter SET n = 7")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_writer())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.transaction() as tx:
        assert await tx.fetch_value("SELECT n FROM counter") == 0


async def _increment(db: Database) -> None:
    """A read-modify-write that loses updates if transactions were not isolated."""
    async with db.transaction() as tx:
        value = await tx.fetch_value("SELECT n FROM counter WHERE id = 1")
        await asyncio.sleep(0)  # invite other coroutines to interleave
        await tx.execute("UPDATE counter SET n = ? WHERE id = 1", (value + 1,))


async def test_many_coroutines_on_one_database_take_turns(db: Database) -> None:
    await _scratch_table(db)
    await asyncio.gather(*(_increment(db) for _ in range(200)))
    assert await db.fetch_value("SELECT n FROM counter") == 200


async def test_two_databases_on_one_file_queue_instead_of_locking(
    db: Database, db_path: Path
) -> None:
    await _scratch_table(db)
    async with await Database.open(db_path) as other:
        await asyncio.gather(*(_increment(d) for _ in range(100) for d in (db, other)))
        assert await other.fetch_value("SELECT n FROM counter") == 200
    assert await db.fetch_value("SELECT n FROM counter") == 200


async def test_close_is_idempotent_and_final(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    await db.close()
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetch_value("SELECT 1")
    with pytest.raises(RuntimeError, match="closed"):
        async with db.transaction():
            pass


async def test_open_database_parses_the_url_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.db"
    db = await open_database(f"sqlite:///{path}")  # absolute path, hence four slashes
    try:
        assert db.path == path
        assert await current_version(db) == known_version()
    finally:
        await db.close()
    with pytest.raises(ConfigError):
        await open_database("postgresql://localhost/chapterbot")


async def test_point_reads_see_commits_only_and_cannot_write(db: Database) -> None:
    await _scratch_table(db)
    async with db.transaction() as tx:
        await tx.execute("UPDATE counter SET n = 7")
        row = await db.fetch_point("SELECT n FROM counter")
        assert row is not None and row[0] == 0  # inline reads never see a half-done write
    row = await db.fetch_point("SELECT n FROM counter")
    assert row is not None and row["n"] == 7
    assert await db.fetch_point("SELECT n FROM counter WHERE n < 0") is None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch_point("CREATE TABLE nope (x)")


async def test_a_point_read_on_a_busy_file_falls_back_to_the_reader_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _scratch_table(db)

    class BusyFile:
        """Stands in for the inline sqlite3 connection while a checkpoint holds the file."""

        def execute(self, sql: str, params: object = ()) -> object:
            raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(db, "_inline", BusyFile())
    row = await db.fetch_point("SELECT n FROM counter")
    assert row is not None and row[0] == 0  # answered by the reader thread, which waits
