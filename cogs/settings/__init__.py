"""Discord adapter for the settings feature: its slash commands, views and messages."""

from cogs.settings.commands import setup

__all__ = ["setup"]
