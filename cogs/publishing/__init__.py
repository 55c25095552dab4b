"""Discord adapter for the publishing feature: its slash commands, views and messages."""

from cogs.publishing.commands import setup

__all__ = ["setup"]
