"""Storage: the database seam, migrations and backups that every feature's repository uses.

Repositories live in their feature packages (`bot.stories.repository`, `bot.reading.repository`,
...), subclass `bot.storage.repository.Repository` and return frozen records; this package knows
no feature. Timestamps are unix seconds (UTC).

**The seam.** Repositories see only `Database` and `Transaction` (`bot.storage.database`):
`fetch_all/fetch_one/fetch_value`, `async with db.transaction() as tx` (`tx.execute` returns the
rowcount, `tx.executemany`), the one-trip `write_batch` for hot paths, `write_rows` for many
rows of one shape (`bot.storage.rows`), `close`, and the `backend` name. Their SQL is plain and
portable: `:name` parameters with a dict, `ON CONFLICT` upserts (`repository.upsert_sql`),
`lower(...)` for case-insensitive matching, `RETURNING`. Nothing
outside this package imports `sqlite3`/`aiosqlite` or writes SQLite-only SQL
(`tests/storage/test_seam.py` checks).

**Backends.** `bot.storage.sqlite.SQLiteDatabase` (the default) and
`bot.storage.postgres.PostgresDatabase` (asyncpg). A backend plugs in by:

1. subclassing `Database`/`Transaction` in `bot/storage/<backend>.py` (connection pool,
   transactions, `write_batch`, `schema_version`/`set_schema_version`, `split_script`, `errors`,
   translating `:name` parameters to its driver's style, e.g. `$1` for asyncpg);
2. shipping its schema as `bot/storage/migrations/<backend>/NNNN_*.sql` with the same numbers
   as the SQLite ones, wherever the DDL differs (`migrate.py` picks the folder by `db.backend`);
3. being chosen by URL scheme in `Database.open` (`bot.storage.urls.backend_module_for`; the
   module is imported by name, so the seam never imports a backend).

`open_database(url)` opens the backend the URL names and migrates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.storage.backup import backup_database
from bot.storage.database import Database, MigrationError, Params, Row, Transaction
from bot.storage.migrate import (
    MigrationHook,
    apply_migrations,
    current_version,
    known_version,
)
from bot.storage.sqlite import SQLiteDatabase, sqlite_path_from_url

__all__ = [
    "Database",
    "MigrationError",
    "MigrationHook",
    "Params",
    "Row",
    "SQLiteDatabase",
    "Transaction",
    "apply_migrations",
    "backup_database",
    "current_version",
    "known_version",
    "open_database",
    "sqlite_path_from_url",
]


async def open_database(
    url_or_path: str | Path,
    *,
    pool_size: int | None = None,
    timeout: float | None = None,
    before: Mapping[str, MigrationHook] | None = None,
) -> Database:
    """Open the database a `DATABASE_URL` (or path) names and bring its schema up to date.

    `pool_size`, `timeout`: see `Database.open`. `before`: hooks run just before named
    migrations (see `apply_migrations`).
    """
    db = await Database.open(url_or_path, pool_size=pool_size, timeout=timeout)
    try:
        await apply_migrations(db, before=before)
    except BaseException:
        await db.close()
        raise
    return db
