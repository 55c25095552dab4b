"""Snowflake ids and timestamps in Discord's formats."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        """Return a new snowflake, greater than every one issued before."""
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            candidate = (ms << 22) | (next(self._counter) & 0xFFF)
            # Several ids per millisecond must still sort in creation order.
            self._last = max(candidate, self._last + 1)
            return self._last

    def advance_past(self, snowflake: int) -> None:
        """Never hand out `snowflake` or anything below it (an id chosen by hand was used)."""
        with self._lock:
            self._last = max(self._last, snowflake)


def snowflake_time(snowflake: int) -> dt.datetime:
    """Creation time encoded in a snowflake."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso(moment: dt.datetime | None = None) -> str:
    """ISO 8601 timestamp with offset, as Discord writes them."""
    return (moment or dt.datetime.now(dt.UTC)).isoformat()
