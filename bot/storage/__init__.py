"""Storage: the database connection, migrations and backups that every feature's repository uses.

Repositories live in their feature packages (`bot.stories.repository`, `bot.reading.repository`,
...) and return frozen records; this package knows no feature. Timestamps are unix seconds (UTC).
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.backup import backup_database
from bot.storage.migrate import MigrationError, apply_migrations, current_version, known_version
from bot.storage.sqlite import Database, Transaction, sqlite_path_from_url

__all__ = [
    "Database",
    "MigrationError",
    "Transaction",
    "apply_migrations",
    "backup_database",
    "current_version",
    "known_version",
    "open_database",
    "sqlite_path_from_url",
]


async def open_database(url_or_path: str | Path) -> Database:
    """Open the database a `DATABASE_URL` (or path) names and bring its schema up to date."""
    path = url_or_path if isinstance(url_or_path, Path) else sqlite_path_from_url(url_or_path)
    db = await Database.open(path)
    try:
        await apply_migrations(db)
    except BaseException:
        await db.close()
        raise
    return db
