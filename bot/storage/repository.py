"""What every repository shares: the database handle, a clock, and column-list helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields

from bot.storage.sqlite import Database


def unix_now() -> int:
    """The current time as whole unix seconds (UTC), the schema's timestamp format."""
    return int(time.time())


def columns(record_type: type, prefix: str = "") -> str:
    """The SELECT list for a record type: its field names, optionally table-qualified.

    Naming columns (never `SELECT *`) keeps records working when a migration adds a column.
    """
    return ", ".join(f"{prefix}{field.name}" for field in fields(record_type))


class Repository:
    """Base for repositories: plain SQL over a `Database`, returning frozen records."""

    def __init__(self, db: Database, *, clock: Callable[[], int] = unix_now) -> None:
        self.db = db
        # Injectable so tests can pin timestamps.
        self._clock = clock

    def now(self) -> int:
        """The repository's idea of the current unix time."""
        return self._clock()
