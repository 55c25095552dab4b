"""Numbered `.sql` migrations, applied in order; the schema version lives in `PRAGMA user_version`.

Migrations are files named `NNNN_what.sql` in `bot/storage/migrations/<backend>/` (package
data), numbered from 1 without gaps. Each runs in one transaction together with its
`user_version` bump, so a failure leaves the database exactly at the previous version. A
migration must therefore not contain `BEGIN`/`COMMIT` or `PRAGMA foreign_keys` (which SQLite
ignores inside a transaction).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.errors import ConfigError
from bot.storage.sqlite import Database

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(\d+)_[\w\-]+\.sql$")
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


class MigrationError(RuntimeError):
    """A migration file is malformed or failed to apply (the database was left untouched)."""


@dataclass(frozen=True)
class Migration:
    """One migration file: its version number, file name and SQL text."""

    version: int
    name: str
    sql: str


def _default_dir() -> Traversable:
    return files("bot.storage") / "migrations" / "sqlite"


def load_migrations(migrations_dir: Path | Traversable | None = None) -> list[Migration]:
    """The migrations in a directory (default: the shipped ones), checked and sorted by version."""
    directory = _default_dir() if migrations_dir is None else migrations_dir
    found: dict[int, Migration] = {}
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration file {entry.name!r} is not named like 0001_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{entry.name} and {found[version].name} share version {version}")
        found[version] = Migration(version, entry.name, entry.read_text(encoding="utf-8"))
    versions = sorted(found)
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration versions must run 1, 2, 3… without gaps; found {versions}")
    return [found[v] for v in versions]


def known_version(migrations_dir: Path | Traversable | None = None) -> int:
    """The newest schema version this code knows (the highest migration number)."""
    migrations = load_migrations(migrations_dir)
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    """The schema version the database is at (0 for a new, empty file)."""
    return int(await db.fetch_value("PRAGMA user_version"))


async def apply_migrations(db: Database, migrations_dir: Path | None = None) -> list[int]:
    """Bring the database up to date; returns the versions applied (empty when already current).

    Raises `ConfigError` if the database is newer than this code, and `MigrationError` if a
    migration fails (that migration is rolled back; earlier ones stay applied).
    """
    migrations = load_migrations(migrations_dir)
    known = migrations[-1].version if migrations else 0
    _refuse_newer(await current_version(db), known, db.path)
    applied = []
    for migration in migrations:
        if await _apply_one(db, migration, known):
            applied.append(migration.version)
    return applied


async def _apply_one(db: Database, migration: Migration, known: int) -> bool:
    """Apply one migration unless the database already has it; True if it was applied."""
    statements = split_statements(migration.sql)
    async with db.transaction() as tx:
        # Re-read inside the write lock: another process may have migrated meanwhile.
        version = int(await tx.fetch_value("PRAGMA user_version"))
        _refuse_newer(version, known, db.path)
        if version >= migration.version:
            return False
        try:
            for statement in statements:
                await tx.execute(statement)
        except sqlite3.Error as exc:
            raise MigrationError(
                f"migration {migration.name} failed ({exc}); "
                f"the database was left at version {version}"
            ) from exc
        # The version bump commits (or rolls back) together with the schema change.
        await tx.execute(f"PRAGMA user_version = {migration.version:d}")
    log.info("applied migration %s", migration.name)
    return True


def _refuse_newer(version: int, known: int, path: Path) -> None:
    if version > known:
        raise ConfigError(
            f"The database {path} is at schema version {version}, but this chapterbot only "
            f"knows up to version {known}.",
            hint="Upgrade chapterbot, or restore a backup made by this version.",
        )


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
