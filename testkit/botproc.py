"""`chapterbot run` as a real process against an emulator, for tests where a crash is the point.

`BotProcess` starts `python -m bot run` with the emulator's URLs and a database, collects its
stderr (the log) in the background, and can wait for a log line, SIGTERM it or `kill -9` it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READY = "ready as"


def bot_env(
    *,
    token: str,
    api_base: str,
    gateway_url: str,
    database: Path | str,
    log_level: str = "INFO",
) -> dict[str, str]:
    """The environment of a bot process: only what it needs, nothing from the test's shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE": api_base,
        "DISCORD_GATEWAY_URL": gateway_url,
        # A path is a SQLite file; a string is a database URL (e.g. a PostgreSQL one).
        "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
        "LOG_LEVEL": log_level,
    }


class BotProcess:
    """One `python -m bot run` process and its log."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    @property
    def log(self) -> str:
        """Everything the process wrote to stderr so far."""
        return "".join(self.lines)

    @property
    def returncode(self) -> int | None:
        """The exit code, once it exited."""
        return None if self.proc is None else self.proc.returncode

    async def start(self, *, wait_ready: bool = True, timeout: float = 30.0) -> BotProcess:
        """Start the process; by default wait until it logged that it is ready."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # At DEBUG, discord.py logs the whole command sync as one line (over 64 KiB,
            # asyncio's default line limit, once every command is localized).
            limit=2**20,
        )
        self._reader = asyncio.create_task(self._read())
        if wait_ready:
            await self.wait_for_line(READY, timeout=timeout)
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.lines.append(line.decode(errors="replace"))
            self._new_line.set()
        self._new_line.set()

    async def wait_for_line(self, marker: str, *, timeout: float = 30.0, after: int = 0) -> str:
        """The first log line (from line number `after` on) containing `marker`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for line in self.lines[after:]:
                if marker in line:
                    return line
            if self._reader is not None and self._reader.done():
                raise AssertionError(f"the bot exited before logging {marker!r}:\n{self.log}")
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"the bot did not log {marker!r} in {timeout}s:\n{self.log}")
            self._new_line.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_line.wait(), min(remaining, 0.5))

    async def kill(self) -> None:
        """`kill -9`: no shutdown code runs at all."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.wait(timeout=10.0)

    async def terminate(self, *, timeout: float = 30.0) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await self.wait(timeout=timeout)

    async def wait(self, *, timeout: float = 30.0) -> int:
        """Wait for the process to exit and its log to be read."""
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, timeout)
        return code

    async def ensure_dead(self) -> None:
        """For teardown: make sure the process is gone, whatever happened."""
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), 10.0)
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
