"""Fresh PostgreSQL databases for test runs: created on a server, emptied between tests, dropped.

`TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test` (or `pytest --database-url ...`) names
a server and a database to connect to for administration; each test run then works in its own
new database on that server (`chapterbot_test_<pid>_<random>`), so runs never see each other's
rows, and the database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.postgres import SCHEMA_TABLE
from bot.storage.urls import POSTGRES_SCHEMES, url_scheme


def is_postgres_url(url: str | None) -> bool:
    """Whether `url` names a PostgreSQL server."""
    return bool(url) and url_scheme(str(url)) in POSTGRES_SCHEMES


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _plain(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def create_database(admin_url: str, prefix: str = "chapterbot_test") -> str:
    """Create a new, empty database on `admin_url`'s server; returns its URL."""
    import os

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    """Drop the database `url` names (closing any connection still open to it)."""
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def empty_tables(url: str) -> None:
    """Delete every row of every chapterbot table and restart the ids (schema kept)."""
    conn = await asyncpg.connect(_plain(url))
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> $1",
            SCHEMA_TABLE,
        )
        if tables:
            names = ", ".join(f'"{row[0]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


def run(coro: object) -> object:
    """Run a coroutine from synchronous fixture code."""
    return asyncio.run(coro)  # type: ignore[arg-type]
