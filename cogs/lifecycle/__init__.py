"""Discord adapter for the server lifecycle feature: gateway events in, use cases called."""

from cogs.lifecycle.listeners import setup

__all__ = ["setup"]
