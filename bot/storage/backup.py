"""Online backups: a consistent copy of the database, taken while the bot keeps writing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from bot.errors import NotFound, UserError
from bot.storage.sqlite import BUSY_TIMEOUT_SECONDS

# Files SQLite keeps beside a database; a stale one next to a replaced file could be replayed.
_SIDECARS = ("-wal", "-shm", "-journal")


async def backup_database(
    db_path: Path, target: Path, *, overwrite: bool = False, parents: bool = False
) -> None:
    """Copy the database at `db_path` to `target` with SQLite's online backup API.

    The copy is a snapshot of one moment (writers carry on meanwhile), is written to a temporary
    file first and renamed into place, so `target` is never left half-written. It is a single
    self-contained file (rollback journal mode); opening it with `Database.open` switches it
    back to WAL. Refuses to replace an existing `target` unless `overwrite` is True, and to
    create a missing directory unless `parents` is True (a typo must not scatter backups).
    """
    source, target = Path(db_path), Path(target)
    _check_paths(source, target, overwrite=overwrite)
    if not target.parent.is_dir():
        if not parents:
            raise UserError(
                f"The backup directory {target.parent} does not exist.",
                hint="Create it, or pass --parents to create it.",
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"Could not create {target.parent} ({exc.strerror or type(exc).__name__})."
            ) from exc
    await asyncio.to_thread(_copy, source, target)


def _check_paths(source: Path, target: Path, *, overwrite: bool) -> None:
    if not source.is_file():
        raise NotFound(f"There is no database at {source} to back up.")
    if target.is_dir():
        raise UserError(f"The backup target {target} is a directory.", hint="Name a file in it.")
    if target.exists():
        if target.resolve() == source.resolve() or target.samefile(source):
            raise UserError("A database cannot be backed up onto itself.")
        if not overwrite:
            raise UserError(
                f"The backup target {target} already exists.",
                hint="Choose another file name, or pass --overwrite to replace it.",
            )


def _copy(source: Path, target: Path) -> None:
    """Back up into a temporary file beside `target`, then move it into place (runs in a thread)."""
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        _snapshot(source, temp)
        for suffix in _SIDECARS:
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        for path in (temp, *(Path(f"{temp}{suffix}") for suffix in _SIDECARS)):
            path.unlink(missing_ok=True)


def _snapshot(source: Path, temp: Path) -> None:
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        dst = sqlite3.connect(temp)
        with contextlib.closing(dst):
            # One step (pages=-1) copies everything inside a single read transaction, which under
            # WAL is a consistent snapshot that never blocks the bot's writers.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.commit()
    finally:
        src.close()
