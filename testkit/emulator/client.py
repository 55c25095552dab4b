"""Point a real discord.py client at an emulator, and run it for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket

from .emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)

# Client keyword arguments that keep tests fast: discord.py only notices a silent gateway after
# ``heartbeat_timeout`` (60 s by default) and waits ``guild_ready_timeout`` before on_ready.
# The timeout must stay above 5 s: before a re-IDENTIFY discord.py sleeps 5 s without reading
# the socket, and a shorter timeout would then close a healthy connection.
FAST_CLIENT_OPTIONS: dict[str, Any] = {"heartbeat_timeout": 7.0, "guild_ready_timeout": 0.2}


@contextlib.contextmanager
def pointed_at(emu: DiscordEmulator) -> Iterator[None]:
    """Set discord.py's REST base and gateway URL to the emulator's, restoring them after."""
    old_base, old_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


async def start_client(
    client: ClientT, emu: DiscordEmulator | str, *, timeout: float = 15.0
) -> asyncio.Task:
    """Start ``client`` (URLs must already point at the emulator) and wait for on_ready.

    ``emu`` is the emulator, or just the token for an emulator in another process.
    """
    token = emu if isinstance(emu, str) else emu.token
    task = asyncio.create_task(client.start(token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # re-raise the login/gateway failure
        await client.close()
        timeline = "" if isinstance(emu, str) else emu.timeline.dump()
        raise AssertionError(f"client not ready within {timeout}s\n{timeline}")
    return task


async def stop_client(client: discord.Client, task: asyncio.Task) -> None:
    """Close the client and collect its task."""
    await client.close()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, 5.0)


@contextlib.asynccontextmanager
async def running(
    client: ClientT, emu: DiscordEmulator, *, timeout: float = 15.0
) -> AsyncIterator[ClientT]:
    """``async with running(bot, emu):`` — the bot is connected and ready inside the block."""
    with pointed_at(emu):
        task = await start_client(client, emu, timeout=timeout)
        try:
            yield client
        finally:
            await stop_client(client, task)
