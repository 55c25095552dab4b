"""Start-up logging: no voice WARNING, and one line naming the database without a password."""

from __future__ import annotations

import logging

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.storage.urls import mask_password

TOKEN = "A" * 24 + ".abcdef." + "B" * 27


def test_no_voice_warning_when_the_client_is_built(caplog: pytest.LogCaptureFixture) -> None:
    import discord

    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True  # as at import
    caplog.set_level(logging.WARNING)
    ChapterBot(Settings(discord_token=TOKEN))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_database_line_hides_the_password() -> None:
    shown = mask_password("postgresql://bot:s3cret@db:5432/chapterbot")
    assert "s3cret" not in shown and shown == "postgresql://bot:***@db:5432/chapterbot"
    assert mask_password("sqlite:///data/chapterbot.db") == "sqlite:///data/chapterbot.db"
