"""Fixtures of the publishing tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    """A running APScheduler, like the bot's."""
    timers = AsyncIOScheduler(timezone=UTC)
    timers.start()
    yield timers
    timers.shutdown(wait=False)
