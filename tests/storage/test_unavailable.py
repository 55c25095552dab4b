"""`Database.is_unavailable`: "the database did not answer, try later" told apart from "the
statement was wrong", on each backend (the readers' write-behind keeps reads on the first)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from bot.storage import Database


async def test_a_wrong_statement_is_not_unavailability(db: Database) -> None:
    with pytest.raises(Exception) as caught:
        await db.fetch_all("SELECT * FROM no_such_table")
    assert not db.is_unavailable(caught.value)
    assert not db.is_unavailable(ValueError("a bug"))
    assert db.is_unavailable(ConnectionRefusedError("the server is down"))


@pytest.mark.sqlite_only(reason="SQLite's busy file")
async def test_a_sqlite_file_locked_past_the_busy_timeout_is_unavailability(db: Database) -> None:
    assert db.is_unavailable(sqlite3.OperationalError("database is locked"))
    assert not db.is_unavailable(sqlite3.OperationalError("no such column: x"))
    assert not db.is_unavailable(sqlite3.IntegrityError("UNIQUE constraint failed"))


async def test_a_postgresql_session_the_server_ended_is_unavailability(
    fresh_postgres_url: str,
) -> None:
    async with await Database.open(fresh_postgres_url) as db:
        victim = await asyncpg.connect(fresh_postgres_url)
        try:
            pid = victim.get_server_pid()
            await db.fetch_all("SELECT pg_terminate_backend(:pid)", {"pid": pid})
            with pytest.raises(Exception) as caught:
                await victim.fetch("SELECT 1")
            assert db.is_unavailable(caught.value), repr(caught.value)
        finally:
            await victim.close()
