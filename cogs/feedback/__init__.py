"""Discord adapter for the feedback feature: its slash commands, views and messages."""

from cogs.feedback.commands import setup

__all__ = ["setup"]
