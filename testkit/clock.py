"""A settable clock for repositories and use cases under test."""

from __future__ import annotations


class Clock:
    """Callable like `unix_now`, but returns `now`, which a test sets and advances."""

    def __init__(self, now: int = 1_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now
