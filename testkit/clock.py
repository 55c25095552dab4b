"""A settable clock for repositories and use cases under test."""

from __future__ import annotations

import time


class Clock:
    """Callable like `unix_now`, but returns `now`, which a test sets and advances."""

    def __init__(self, now: int = 1_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class WarpClock:
    """The machine's clock shifted by an offset a test sets: `jump_to` moves "now" to a far-off
    instant (and time keeps running from there), so a run weeks ahead is reached in a second."""

    def __init__(self) -> None:
        self.offset = 0

    def __call__(self) -> int:
        return int(time.time()) + self.offset

    def jump_to(self, instant: int) -> None:
        """Make `instant` (Unix seconds) the current time."""
        self.offset = instant - int(time.time())
