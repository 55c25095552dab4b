"""The running bot writes the heartbeat `chapterbot health` (the Docker HEALTHCHECK) reads."""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.lifecycle.heartbeat import check_health


@pytest.mark.e2e
async def test_the_running_bot_beats(chapterbot: ChapterBot, bot_settings: Settings) -> None:
    for _ in range(100):  # on_ready runs as its own task, just after the bot is ready
        verdict = await check_health(bot_settings.database_url)
        if verdict.healthy:
            break
        await asyncio.sleep(0.05)
    assert verdict.healthy, verdict.line
    assert chapterbot.scheduler.get_job("heartbeat") is not None
