"""Discord adapter for the server lifecycle feature: gateway events in, use cases called.

The extension discord.py loads is `listeners` (see bot.client.cog_extensions); this package
imports nothing, so its modules may import each other without running a loop through it.
"""
