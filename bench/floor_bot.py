"""The floor: a bare discord.py bot that answers `/next` with a constant ephemeral message.

It does what any discord.py bot must do for an interaction (gateway parsing, command dispatch,
the callback request) and nothing else, so the bot's latency divided by the floor's, measured
through the same emulator at the same rate, is the cost of chapterbot's own work.
Run as `python -m bench.floor_bot` with DISCORD_TOKEN, DISCORD_API_BASE and DISCORD_GATEWAY_URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import discord
import yarl
from discord import app_commands

ANSWER = "You're caught up."


class FloorBot(discord.Client):
    """Registers `/next` (same name and options as chapterbot's) and answers a constant."""

    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # the same gateway intents chapterbot asks for
        intents.guild_reactions = True
        intents.dm_reactions = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)
        self.tree.command(name="next", description="Read your next page")(next_page)

    async def setup_hook(self) -> None:
        """Register the command before the gateway connects, like chapterbot."""
        await self.tree.sync()


async def next_page(
    interaction: discord.Interaction, story: str | None = None, dm: bool = False
) -> None:
    """The constant answer."""
    await interaction.response.send_message(ANSWER, ephemeral=True)


async def main() -> int:
    """Run until SIGTERM/SIGINT."""
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = FloorBot()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
