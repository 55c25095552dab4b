"""Discord adapter for the reading feature: its slash commands, views and messages."""

from cogs.reading.commands import setup

__all__ = ["setup"]
