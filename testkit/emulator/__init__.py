"""A Discord API v10 emulator (REST + gateway) for end-to-end tests of discord.py bots.

Typical use, with the fixtures from ``tests/conftest.py``::

    async def test_echo(emulator, run_client):
        bot = await run_client(MyBot())          # URLs patched, logged in, READY
        await bot.tree.sync()
        result = await emulator.slash(emulator.user("alice"), "echo", text="hi")
        assert result.content == "hi" and not result.ephemeral
"""

from .commands import CommandUsageError
from .emulator import DiscordEmulator
from .interactions import InteractionResult
from .model import Attachment, Channel, ChannelType, Guild, Message, Pings, Role, User
from .permissions import P

__all__ = [
    "Attachment",
    "Channel",
    "ChannelType",
    "CommandUsageError",
    "DiscordEmulator",
    "Guild",
    "InteractionResult",
    "Message",
    "P",
    "Pings",
    "Role",
    "User",
]
