"""`chapterbot run` as a real process: it connects, serves, and shuts down cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from testkit.emulator import DiscordEmulator

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


async def start_bot_process(
    emulator: DiscordEmulator, tmp_path: Path
) -> asyncio.subprocess.Process:
    """Start `python -m bot run` against the emulator with a fresh database."""
    env = {
        "PATH": os.environ["PATH"],
        "DISCORD_TOKEN": emulator.token,
        "DISCORD_API_BASE": emulator.api_base,
        "DISCORD_GATEWAY_URL": emulator.gateway_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "INFO",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(stream: asyncio.StreamReader, marker: str, lines: list[str]) -> None:
    """Collect lines from `stream` until one contains `marker`."""
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError(f"process ended before logging {marker!r}:\n{''.join(lines)}")
        lines.append(line)
        if marker in line:
            return


async def test_run_serves_and_exits_cleanly_on_sigterm(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    proc = await start_bot_process(emulator, tmp_path)
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        await asyncio.wait_for(read_until(proc.stderr, "ready as", lines), 30)
        result = await emulator.slash(emulator.user("alice"), "help")
        assert result.type == 4 and result.ephemeral
    finally:
        proc.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(proc.communicate(), 20)
    log = "".join(lines) + rest.decode()
    assert proc.returncode == 0, log
    assert "received SIGTERM" in log
    assert emulator.token not in log
    assert "Traceback" not in log


async def test_sigterm_during_start_up_exits_cleanly_once_started(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    proc = await start_bot_process(emulator, tmp_path)
    assert proc.stderr is not None
    lines: list[str] = []
    # "logging in" is logged before setup_hook opens the database and syncs the commands.
    await asyncio.wait_for(read_until(proc.stderr, "logging in", lines), 30)
    proc.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(proc.communicate(), 30)
    log = "".join(lines) + rest.decode()
    assert proc.returncode == 0, log
    assert "Traceback" not in log
    assert emulator.commands()  # start-up was allowed to finish before the shutdown


async def test_unreachable_discord_is_one_clear_line(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(REPO),
            "DISCORD_TOKEN": "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.emulator-token-for-tests-0000000000",
            # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
            "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        },
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert "cannot reach Discord" in stderr.decode()
    assert "Traceback" not in stderr.decode()
