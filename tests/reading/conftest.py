"""Fixtures the reading tests share: a settable clock and the reading service on the run's
database (SQLite, or PostgreSQL in CI's second run)."""

from __future__ import annotations

import pytest

from bot.reading.service import ReadingService
from bot.storage import Database
from testkit.clock import Clock


@pytest.fixture
def clock() -> Clock:
    """A clock at 10,000 (unix seconds) that a test moves by setting `now`."""
    return Clock(10_000)


@pytest.fixture
def service(db: Database, clock: Clock) -> ReadingService:
    """The reading use cases, reads recorded at once (no write-behind)."""
    return ReadingService(db, clock=clock)
