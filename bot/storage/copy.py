"""`chapterbot db copy FROM_URL TO_URL`: move every row of a chapterbot database to another.

The target must hold no data: it is migrated first if new, then every table is copied in the
order the migrations created them (so a row's foreign keys already exist), all in one
transaction on the target, and the row counts are checked before it commits. On PostgreSQL the
identities are then moved past the copied ids, so new rows do not collide with copied ones.
Stop the bot while copying: rows written to the source meanwhile would not be copied.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.errors import ConfigError
from bot.storage.database import Database, Transaction
from bot.storage.migrate import apply_migrations, known_version

BATCH_ROWS = 500
_PG_SCHEMA_TABLE = "chapterbot_schema"


class CopyRefused(ConfigError):
    """The copy cannot start (target holds data, source out of date); nothing was changed."""


@dataclass(frozen=True)
class TableCount:
    """How many rows one table had in the source and has in the target after the copy."""

    table: str
    source: int
    target: int


async def list_tables(db: Database) -> list[str]:
    """The database's tables in creation order (the migrations create referenced tables first)."""
    if db.backend == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
        return [row[0] for row in await db.fetch_all(sql)]
    sql = (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname <> :skip "
        "ORDER BY c.oid"
    )
    return [row[0] for row in await db.fetch_all(sql, {"skip": _PG_SCHEMA_TABLE})]


async def _count(db: Database | Transaction, table: str) -> int:
    return int(await db.fetch_value(f'SELECT count(*) FROM "{table}"'))


async def check_target_empty(target: Database) -> None:
    """Refuse (`CopyRefused`) a target that holds any row or any foreign table."""
    tables = await list_tables(target)
    if await target.schema_version() == 0 and tables:
        raise CopyRefused(f"the target {target.location} already has tables; use an empty one.")
    for table in tables:
        if await _count(target, table):
            raise CopyRefused(
                f"the target {target.location} already holds data (table {table}); "
                "copy only into an empty database."
            )


async def _check_source(source: Database) -> None:
    version = await source.schema_version()
    if version != known_version(backend=source.backend):
        raise CopyRefused(
            f"the source {source.location} is at schema version {version}, not "
            f"{known_version(backend=source.backend)}; run `chapterbot migrate` on it first."
        )


Progress = Callable[[str, int, int], None]


async def copy_database(
    source: Database, target: Database, progress: Progress | None = None
) -> list[TableCount]:
    """Copy every row of `source` into the empty `target`; returns the verified counts."""
    await _check_source(source)
    await check_target_empty(target)
    await apply_migrations(target)
    tables = await list_tables(target)
    missing = set(await list_tables(source)) - set(tables)
    if missing:
        raise CopyRefused(f"the target has no table {sorted(missing)[0]} after migrating.")
    counts: list[TableCount] = []
    async with target.transaction() as tx:
        for table in tables:
            total = await _count(source, table)
            await _copy_table(source, tx, table, total, progress)
            counts.append(TableCount(table, total, await _count(tx, table)))
        bad = [c for c in counts if c.source != c.target]
        if bad:
            raise RuntimeError(f"row counts differ after copying {bad[0].table}; rolled back")
        if target.backend == "postgres":
            for table in tables:
                await _advance_identity(tx, table)
    await target.after_bulk_load()
    return counts


async def _copy_table(
    source: Database, tx: Transaction, table: str, total: int, progress: Progress | None
) -> None:
    done = 0
    rows = await source.fetch_all(f'SELECT * FROM "{table}"')
    if not rows:
        if progress:
            progress(table, 0, 0)
        return
    columns = list(rows[0].keys())
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":c{i}" for i in range(len(columns)))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({values})'
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = rows[start : start + BATCH_ROWS]
        await tx.executemany(sql, [{f"c{i}": v for i, v in enumerate(row)} for row in chunk])
        done += len(chunk)
        if progress:
            progress(table, done, total)


async def _advance_identity(tx: Transaction, table: str) -> None:
    """Move the table's identity sequence past its largest id (PostgreSQL only)."""
    column = await tx.fetch_value(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = CAST(:t AS regclass) "
        "AND a.attidentity <> '' AND NOT a.attisdropped",
        {"t": table},
    )
    if column is None:
        return
    await tx.fetch_value(
        f'SELECT setval(pg_get_serial_sequence(:t, :c), coalesce(max("{column}"), 0) + 1, false) '
        f'FROM "{table}"',
        {"t": table, "c": column},
    )


def terminal_progress(stream: TextIO = sys.stderr) -> Progress | None:
    """A one-line progress bar on `stream` if it is a terminal, else None (no bar)."""
    if not stream.isatty():
        return None

    def show(table: str, done: int, total: int) -> None:
        width = 30
        filled = width if total == 0 else width * done // total
        bar = "#" * filled + "-" * (width - filled)
        stream.write(f"\r{table:<16} [{bar}] {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show
