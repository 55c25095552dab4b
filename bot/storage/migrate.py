"""Numbered `.sql` migrations per backend, applied in order.

Migrations are files named `NNNN_what.sql` in `bot/storage/migrations/<backend>/` (package
data; `<backend>` is `db.backend`, e.g. `sqlite`), numbered from 1 without gaps. Where the
schema version is kept (SQLite: `PRAGMA user_version`) and how a script splits into statements
are the backend's business (`Database.schema_version`, `Transaction.set_schema_version`,
`Database.split_script`). Each migration runs in one transaction together with its version
bump, so a failure leaves the database exactly at the previous version. A migration must
therefore not contain `BEGIN`/`COMMIT` (nor, for SQLite, `PRAGMA foreign_keys`, which SQLite
ignores inside a transaction).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.errors import ConfigError
from bot.storage.database import Database, MigrationError
from bot.storage.sqlite import split_statements

__all__ = [
    "Migration",
    "MigrationError",
    "MigrationHook",
    "apply_migrations",
    "current_version",
    "known_version",
    "load_migrations",
    "migration_stem",
    "split_statements",
]

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(\d+)_[\w\-]+\.sql$")
DEFAULT_BACKEND = "sqlite"
# Run with the database just before a named migration applies (see `apply_migrations`).
MigrationHook = Callable[[Database], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    """One migration file: its version number, file name and SQL text."""

    version: int
    name: str
    sql: str


def migrations_dir_for(backend: str) -> Traversable:
    """The shipped migrations of one backend: `bot/storage/migrations/<backend>/`."""
    return files("bot.storage") / "migrations" / backend


def load_migrations(
    migrations_dir: Path | Traversable | None = None, *, backend: str = DEFAULT_BACKEND
) -> list[Migration]:
    """The migrations in a directory (default: the backend's shipped ones), checked and sorted."""
    directory = migrations_dir_for(backend) if migrations_dir is None else migrations_dir
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


def known_version(
    migrations_dir: Path | Traversable | None = None, *, backend: str = DEFAULT_BACKEND
) -> int:
    """The newest schema version this code knows (the highest migration number)."""
    migrations = load_migrations(migrations_dir, backend=backend)
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    """The schema version the database is at (0 for a new, empty one)."""
    return await db.schema_version()


async def apply_migrations(
    db: Database,
    migrations_dir: Path | None = None,
    *,
    before: Mapping[str, MigrationHook] | None = None,
) -> list[int]:
    """Bring the database up to date; returns the versions applied (empty when already current).

    `before` maps a migration's name without its number (`0010_note_key_out.sql` ->
    "note_key_out") to a hook run just before that migration is applied (never when it
    already was): a feature can carry data out of the database before a migration drops it,
    without storage knowing the feature. Names, not numbers, so renumbering keeps hooks.

    Raises `ConfigError` if the database is newer than this code, and `MigrationError` if a
    migration fails (that migration is rolled back; earlier ones stay applied).
    """
    migrations = load_migrations(migrations_dir, backend=db.backend)
    known = migrations[-1].version if migrations else 0
    _refuse_newer(await current_version(db), known, db.location)
    applied = []
    hooks = dict(before or {})
    for migration in migrations:
        hook = hooks.get(migration_stem(migration.name))
        if hook is not None and await current_version(db) < migration.version:
            await hook(db)
        if await _apply_one(db, migration, known):
            applied.append(migration.version)
    return applied


def migration_stem(name: str) -> str:
    """A migration file's name without its number and suffix: "0010_x_y.sql" -> "x_y"."""
    return name.split("_", 1)[-1].removesuffix(".sql")


async def _apply_one(db: Database, migration: Migration, known: int) -> bool:
    """Apply one migration unless the database already has it; True if it was applied."""
    statements = db.split_script(migration.sql)
    async with db.transaction() as tx:
        # Re-read inside the write lock: another process may have migrated meanwhile.
        version = await tx.schema_version()
        _refuse_newer(version, known, db.location)
        if version >= migration.version:
            return False
        try:
            for statement in statements:
                await tx.execute(statement)
        except db.errors as exc:
            raise MigrationError(
                f"migration {migration.name} failed ({exc}); "
                f"the database was left at version {version}"
            ) from exc
        # The version bump commits (or rolls back) together with the schema change.
        await tx.set_schema_version(migration.version)
    log.info("applied migration %s", migration.name)
    return True


def _refuse_newer(version: int, known: int, path: str) -> None:
    if version > known:
        raise ConfigError(
            f"The database {path} is at schema version {version}, but this chapterbot only "
            f"knows up to version {known}.",
            hint="Upgrade chapterbot, or restore a backup made by this version.",
        )
