"""`chapterbot run` against an endpoint that accepts connections and never answers.

Start-up gives up after DISCORD_CONNECT_TIMEOUT with one line naming the endpoint (exit 1),
and SIGTERM during such a start-up stops the process within 10 s with exit 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.emulator-token-for-tests-0000000000"


@pytest.fixture
async def black_hole() -> AsyncIterator[str]:
    """A TCP listener that accepts every connection and never sends a byte; its API base."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # keep the connection open, answer nothing

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        for writer in held:
            writer.close()
        server.close()


async def start(api_base: str, tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    """`python -m bot run` aimed at `api_base`."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(REPO),
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_BASE": api_base,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "LOG_LEVEL": "INFO",
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_start_up_gives_up_with_one_line_naming_the_endpoint(
    black_hole: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    proc = await start(black_hole, tmp_path, DISCORD_CONNECT_TIMEOUT="2")
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    text = stderr.decode()
    assert proc.returncode == 1, text
    assert time.monotonic() - began < 15
    (line,) = [x for x in text.splitlines() if x.startswith("chapterbot:")]
    assert black_hole in line and "within 2 s" in line and "DISCORD_CONNECT_TIMEOUT" in line
    assert "Traceback" not in text and TOKEN not in text


async def test_sigterm_while_the_endpoint_never_answers_stops_within_10_s(
    black_hole: str, tmp_path: Path
) -> None:
    proc = await start(black_hole, tmp_path)  # the default 60 s timeout
    assert proc.stderr is not None
    while b"logging in" not in await asyncio.wait_for(proc.stderr.readline(), 30):
        pass
    await asyncio.sleep(0.5)  # the login request is in flight, unanswered
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(proc.communicate(), 20)
    assert time.monotonic() - sent < 10
    assert proc.returncode == 0, rest.decode()
    assert "Traceback" not in rest.decode()
