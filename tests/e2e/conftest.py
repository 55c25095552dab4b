"""Fixtures that run the real ChapterBot against the emulator on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from testkit.emulator import DiscordEmulator
from testkit.emulator.client import FAST_CLIENT_OPTIONS, pointed_at, start_client, stop_client


class BotRunner:
    """Starts, stops and restarts a ChapterBot on one database, like a process manager would."""

    def __init__(self, emulator: DiscordEmulator, settings: Settings) -> None:
        self.emulator = emulator
        self.settings = settings
        self.bot: ChapterBot | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> ChapterBot:
        """Start a fresh bot and wait until it is ready."""
        bot = ChapterBot(self.settings, **FAST_CLIENT_OPTIONS)
        self._task = await start_client(bot, self.emulator)
        self.bot = bot
        return bot

    async def stop(self) -> None:
        """Close the bot cleanly (as on SIGTERM)."""
        if self.bot is not None and self._task is not None:
            await stop_client(self.bot, self._task)
        self.bot, self._task = None, None

    async def restart(self) -> ChapterBot:
        """Stop, then start a new bot on the same database."""
        await self.stop()
        return await self.start()


@pytest.fixture
def bot_settings(emulator: DiscordEmulator, database_url: str) -> Settings:
    """Settings pointing the bot at the emulator and a fresh database (SQLite file or PG)."""
    return Settings(
        discord_token=emulator.token,
        database_url=database_url,
        discord_api_base=emulator.api_base,
        discord_gateway_url=emulator.gateway_url,
    )


@pytest.fixture
async def bot_runner(emulator: DiscordEmulator, bot_settings: Settings) -> AsyncIterator[BotRunner]:
    """A BotRunner whose bot is started; stopped at teardown."""
    with pointed_at(emulator):  # restores discord.py's URLs after the test
        runner = BotRunner(emulator, bot_settings)
        await runner.start()
        try:
            yield runner
        finally:
            await runner.stop()


@pytest.fixture
def chapterbot(bot_runner: BotRunner) -> ChapterBot:
    """The running ChapterBot."""
    assert bot_runner.bot is not None
    return bot_runner.bot
