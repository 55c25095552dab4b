"""Discord adapter for the stories feature: its slash commands, views and messages."""

from cogs.stories.commands import setup

__all__ = ["setup"]
