"""Discord adapter for the help feature: its slash commands, views and messages."""

from cogs.help.commands import setup

__all__ = ["setup"]
