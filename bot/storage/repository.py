"""What every repository shares: the database handle, a clock, and SQL-building helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import fields

from bot.sharding import ShardSet
from bot.storage.database import Database


def unix_now() -> int:
    """The current time as whole unix seconds (UTC), the schema's timestamp format."""
    return int(time.time())


def columns(record_type: type, prefix: str = "") -> str:
    """The SELECT list for a record type: its field names, optionally table-qualified.

    Naming columns (never `SELECT *`) keeps records working when a migration adds a column.
    """
    return ", ".join(f"{prefix}{field.name}" for field in fields(record_type))


def upsert_sql(table: str, keys: Iterable[str], values: Iterable[str]) -> str:
    """`INSERT ... ON CONFLICT (keys) DO UPDATE` of `values`, with `:name` parameters.

    The portable upsert (SQLite >= 3.24 and PostgreSQL): bind a dict holding every key and value
    column. Names must come from code (a whitelist), never from user input.
    """
    key_list, value_list = list(keys), list(values)
    names = [*key_list, *value_list]
    updates = ", ".join(f"{name} = excluded.{name}" for name in value_list)
    return (
        f"INSERT INTO {table} ({', '.join(names)})"
        f" VALUES ({', '.join(f':{name}' for name in names)})"
        f" ON CONFLICT ({', '.join(key_list)}) DO "
        + (f"UPDATE SET {updates}" if value_list else "NOTHING")
    )


class Repository:
    """Base for repositories: plain SQL over a `Database`, returning frozen records."""

    def __init__(self, db: Database, *, clock: Callable[[], int] = unix_now) -> None:
        self.db = db
        # Injectable so tests can pin timestamps.
        self._clock = clock

    def now(self) -> int:
        """The repository's idea of the current unix time."""
        return self._clock()


def shard_sql(column: str, shards: ShardSet) -> str:
    """A WHERE condition keeping rows whose guild `column` belongs to `shards` (always true
    unsharded). Shard ids are validated integers, so they are written into the SQL as is."""
    if shards.count is None:
        return "1 = 1"
    ids = ", ".join(str(int(i)) for i in shards.ids)
    return f"(({column} >> 22) % {int(shards.count)}) IN ({ids})"


def shard_stories_sql(shards: ShardSet | None, column: str = "story_id") -> str:
    """` AND <column> IN (stories of `shards`' guilds)`, or nothing at all unsharded (so the
    one-process queries stay as simple as they were)."""
    if shards is None or shards.count is None:
        return ""
    mine = shard_sql("stories.guild_id", shards)
    return f" AND {column} IN (SELECT stories.id FROM stories WHERE {mine})"
