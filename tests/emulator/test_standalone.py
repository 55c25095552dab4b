"""The standalone emulator process and its /_emu control API, driven with a real bot."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
import discord
import pytest
import yarl

from testkit.emulator.botkit import ProbeBot
from testkit.emulator.client import start_client, stop_client

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


async def test_standalone_process_with_control_api() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "testkit.emulator",
        "--port",
        "0",
        "--time-scale",
        "10",
        "--token",
        "standalone",
        "--heartbeat-ms",
        "1000",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        urls = json.loads(line)
        assert urls["token"] == "standalone"
        await _drive(urls)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0


async def _channel_contents(http: aiohttp.ClientSession, control: str, until: int) -> list[str]:
    """The general channel's message contents, polled until `until` have arrived (or 5 s)."""
    contents: list[str] = []
    for _ in range(100):
        async with http.get(f"{control}/messages", params={"channel": "general"}) as resp:
            contents = [m["content"] for m in await resp.json()]
        if len(contents) >= until:
            break
        await asyncio.sleep(0.05)
    return contents


async def _drive(urls: dict[str, str]) -> None:
    old = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = urls["api_base"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(urls["gateway_url"])
    bot = ProbeBot()

    try:
        task = await start_client(bot, "standalone")
        await bot.tree.sync()
        async with aiohttp.ClientSession() as http:
            control = urls["control"]
            body = {"user": "alice", "command": "slow", "options": {}}
            async with http.post(f"{control}/interaction", json=body) as resp:
                result = await resp.json()
            assert result["type"] == 5 and result["message"]["content"] == "done"
            # The followup is sent after the edit the control call waited for.
            contents = await _channel_contents(http, control, until=2)
            assert contents == ["done", "and more"]
            async with http.post(f"{control}/faults", json={"kind": "fail", "status": 503}) as resp:
                assert resp.status == 200
            async with http.get(f"{control}/stats") as resp:
                stats = await resp.json()
            assert stats["gateway"]["identify"] == 1 and stats["violations"] == []
            async with http.get(f"{control}/requests") as resp:
                assert any(r["path"].endswith("/callback") for r in await resp.json())
        await stop_client(bot, task)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old
