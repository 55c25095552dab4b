"""Discord adapter for the publishing feature: its slash commands, views and messages.

The extension discord.py loads is `commands` (see bot.client.cog_extensions); this package
imports nothing, so its modules may import each other without running a loop through it.
"""
