"""The bot's heartbeat in the database, and `chapterbot health` reading it.

The running bot writes `heartbeat.beat_at` every `BEAT_S` seconds while connected; the health
check passes when the last beat is at most `STALE_S` old. The check never creates anything: a
missing directory, a database never used or a bot never started are each one line, exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage import Database, sqlite_path_from_url
from bot.storage.readonly import PeekError, peek_sqlite
from bot.storage.repository import Repository, unix_now

BEAT_S = 30
STALE_S = 3 * BEAT_S  # three missed beats


class Heartbeat(Repository):
    """Write the heartbeat."""

    async def beat(self) -> None:
        """Record that the bot is alive now (one trip to the writer: it runs every 30 s)."""
        await self.db.write_batch(
            [
                (
                    "INSERT INTO heartbeat (id, beat_at) VALUES (1, :now)"
                    " ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
                    {"now": self.now()},
                )
            ]
        )


@dataclass(frozen=True)
class Health:
    """The answer of `chapterbot health`: healthy or not, and one line saying why."""

    healthy: bool
    line: str


def judge(beat_at: int | None, now: int) -> Health:
    """Fresh, stale or never: the verdict on the last heartbeat."""
    if beat_at is None:
        return Health(False, "unhealthy: the bot has never connected with this database")
    age = now - beat_at
    if age > STALE_S:
        return Health(False, f"unhealthy: last heartbeat {age} s ago (more than {STALE_S} s)")
    return Health(True, f"healthy: last heartbeat {max(age, 0)} s ago")


async def check_health(database_url: str, *, now: int | None = None) -> Health:
    """Read the heartbeat without creating anything."""
    now = unix_now() if now is None else now
    if not database_url.startswith("sqlite:") and "://" in database_url:
        db = await Database.open(database_url)  # a server database: opening creates nothing
        try:
            return judge(await _read(db), now)
        except Exception as exc:
            return Health(False, f"unhealthy: cannot read the heartbeat ({exc.__class__.__name__})")
        finally:
            await db.close()
    return judge_sqlite(sqlite_path_from_url(database_url), now)


def judge_sqlite(path: Path, now: int) -> Health:
    """The SQLite file's heartbeat, opened read-only (so a missing file stays missing)."""
    if not path.parent.is_dir():
        return Health(False, f"unhealthy: the database directory {path.parent} does not exist")
    if not path.is_file():
        return Health(False, f"unhealthy: there is no database at {path} yet")
    try:
        value = peek_sqlite(path, "SELECT beat_at FROM heartbeat WHERE id = 1")
    except PeekError as exc:
        return Health(False, f"unhealthy: cannot read {path} ({exc})")
    return judge(None if value is None else int(value), now)


async def _read(db: Database) -> int | None:
    value = await db.fetch_value("SELECT beat_at FROM heartbeat WHERE id = 1")
    return None if value is None else int(value)
