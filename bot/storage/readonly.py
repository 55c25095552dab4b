"""Peek at a SQLite file without creating or changing anything (for `chapterbot health`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


class PeekError(Exception):
    """The file could not be read; the message says why in a few words."""


def peek_sqlite(path: Path, sql: str) -> Any:
    """The first column of the first row `sql` returns from the file at `path`, opened
    read-only (a missing file stays missing). None if there is no row or no such table.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute(sql).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if "no such table" in str(exc):
            return None
        raise PeekError(str(exc)) from exc
    return None if row is None else row[0]
