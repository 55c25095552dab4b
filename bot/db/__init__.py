"""The SQLite storage layer: connection, migrations, backups and repositories.

All SQL lives in this package; the rest of the bot talks to repositories and gets frozen
records (`bot.db.records`) back. Timestamps are unix seconds (UTC) throughout.
"""

from __future__ import annotations

from pathlib import Path

from bot.db.backup import backup_database
from bot.db.chapters import ChapterRepository
from bot.db.connection import Database, Transaction, sqlite_path_from_url
from bot.db.migrate import MigrationError, apply_migrations, current_version, known_version
from bot.db.releases import ReleaseRepository
from bot.db.schedules import ScheduleRepository
from bot.db.settings import SettingsRepository
from bot.db.stories import StoryRepository

__all__ = [
    "ChapterRepository",
    "Database",
    "MigrationError",
    "ReleaseRepository",
    "ScheduleRepository",
    "SettingsRepository",
    "StoryRepository",
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
