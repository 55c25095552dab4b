"""A chronological record of gateway traffic, REST calls and interactions, printable on failure."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened, ``at`` seconds after the emulator started."""

    at: float
    kind: str
    text: str


class Timeline:
    """Append-only event log; kinds are short tags like ``rest``, ``gw>``, ``gw<``, ``ix``."""

    def __init__(self, *, limit: int = 5000) -> None:
        self.entries: list[TimelineEntry] = []
        self._start = time.monotonic()
        self._limit = limit

    def add(self, kind: str, text: str) -> None:
        """Record an entry; the oldest entries go once ``limit`` is reached."""
        self.entries.append(TimelineEntry(time.monotonic() - self._start, kind, text))
        if len(self.entries) > self._limit:
            # Long benchmarks must not grow memory without bound.
            del self.entries[: len(self.entries) - self._limit]

    def of_kind(self, kind: str) -> list[TimelineEntry]:
        """Entries of one kind."""
        return [e for e in self.entries if e.kind == kind]

    def dump(self, last: int | None = 200) -> str:
        """Human-readable text of the last ``last`` entries (all when None)."""
        entries = self.entries if last is None else self.entries[-last:]
        lines = [f"{e.at:9.3f}s  {e.kind:<5} {e.text}" for e in entries]
        skipped = len(self.entries) - len(entries)
        head = [f"... {skipped} earlier entries omitted"] if skipped else []
        return "\n".join(["--- emulator timeline ---", *head, *lines])
