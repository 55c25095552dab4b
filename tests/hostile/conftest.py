"""The e2e fixtures (a real ChapterBot against the emulator on a real SQLite file), shared here."""

from tests.e2e.conftest import BotRunner, bot_runner, bot_settings, chapterbot

__all__ = ["BotRunner", "bot_runner", "bot_settings", "chapterbot"]
