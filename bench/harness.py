"""Processes for the end-to-end benchmarks: the standalone emulator, the bot, the floor bot.

Each runs as its own OS process, as in production: the emulator (`python -m testkit.emulator`)
is driven through its `/_emu` control API, the bot is `python -m bot run` configured only by
environment variables (token, API base, gateway URL, a temporary SQLite file), and the floor is
`python -m bench.floor_bot` with the same environment. CPU time and RSS come from /proc.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import REPO
from bench.machine import CLOCK_TICKS

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.benchmark-token-for-chapterbot-000"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0


class BenchError(RuntimeError):
    """A benchmark's processes did not behave (did not start, crashed, refused a request)."""


def _env(**extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(REPO)}
    env.update(extra)
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when /proc is unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float | None:
    """Resident set size (VmRSS) of a process in MB, or None when /proc is unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Process:
    """A child process whose stderr goes to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        workdir: Path,
        *,
        read_stdout: bool = False,
    ) -> None:
        """Start `python <args>`; stdout is a pipe only when the caller reads it (else it would
        fill up and block the child), otherwise it joins stderr in the log."""
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.started = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE if read_stdout else self._log,
            stderr=self._log,
            text=True,
        )

    @property
    def pid(self) -> int:
        """The OS process id."""
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc.poll() is None

    def cpu_seconds(self) -> float:
        """CPU seconds used so far."""
        return cpu_seconds(self.pid)

    def rss_mb(self) -> float | None:
        """Current VmRSS in MB."""
        return rss_mb(self.pid)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the process's stderr log."""
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> dict[str, Any]:
        """SIGTERM, wait for a clean exit (SIGKILL after a timeout); how long it took."""
        started = time.perf_counter()
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()
        return {
            "exit_code": self.proc.returncode,
            "stop_seconds": round(time.perf_counter() - started, 2),
        }


class Emulator(Process):
    """The standalone Discord emulator and a small client for its control API."""

    def __init__(
        self,
        workdir: Path,
        *,
        time_scale: float = 1.0,
        validate: bool = True,
        rate_limits: bool = True,
    ) -> None:
        args = ["-m", "testkit.emulator", "--port", "0", "--token", TOKEN]
        args += ["--time-scale", str(time_scale)]
        args += [] if validate else ["--no-validation"]
        args += [] if rate_limits else ["--no-rate-limits"]
        super().__init__("emulator", args, _env(), workdir, read_stdout=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise BenchError(f"the emulator did not start:\n{self.log_tail()}")
        self.urls: dict[str, str] = json.loads(line)
        self.control = self.urls["control"]
        self.validate, self.time_scale = validate, time_scale

    def call(
        self, method: str, path: str, body: Any = None, *, timeout: float = 60.0
    ) -> tuple[int, Any]:
        """One control API request; (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.control + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw or b"null")
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def ok(self, method: str, path: str, body: Any = None, *, timeout: float = 60.0) -> Any:
        """A control request that must succeed; its JSON answer."""
        status, answer = self.call(method, path, body, timeout=timeout)
        if status != 200:
            raise BenchError(f"{method} {path} -> {status}: {answer}")
        return answer

    def seed_guilds(
        self, count: int, *, channels: int = 1, shard_count: int = 1
    ) -> list[dict[str, Any]]:
        """`count` new guilds of the bot with `channels` text channels each, guild n on shard
        n % `shard_count`: [{"guild_id", "shard", "channel_ids"}] (ids as ints)."""
        body = {"count": count, "channels": channels, "shard_count": shard_count}
        answer = self.ok("POST", "/load/guilds", body, timeout=300)
        return [
            {
                "guild_id": int(g["guild_id"]),
                "shard": int(g["shard"]),
                "channel_ids": [int(c) for c in g["channel_ids"]],
            }
            for g in answer["guilds"]
        ]

    def world(self) -> dict[str, Any]:
        """Guild, bot, channel and user ids."""
        return self.ok("GET", "/load/world")

    def seed_users(self, count: int) -> list[int]:
        """`count` new guild members; their ids."""
        answer = self.ok("POST", "/load/users", {"count": count}, timeout=120)
        return [int(u) for u in answer["user_ids"]]

    def seed_channels(self, count: int) -> list[int]:
        """`count` new text channels; their ids."""
        answer = self.ok("POST", "/load/channels", {"count": count}, timeout=120)
        return [int(c) for c in answer["channel_ids"]]

    def stats(self) -> dict[str, Any]:
        """Request counts, 429s, gateway stats and violations."""
        return self.ok("GET", "/stats")

    def load(
        self,
        command: str,
        user_ids: list[int],
        rate: float,
        seconds: float,
        *,
        expect: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Fire `command` at `rate`/s for `seconds` (open loop); latency percentiles."""
        body = {
            "command": command,
            "user_ids": [str(u) for u in user_ids],
            "rate": rate,
            "seconds": seconds,
            "expect": expect,
            "options": options or {},
        }
        return self.ok("POST", "/load/run", body, timeout=seconds + 60)

    def reset(self) -> dict[str, Any]:
        """Drop the load runs' interactions, answers and the request log."""
        return self.ok("POST", "/load/reset", {})

    def clock(self) -> dict[str, float]:
        """The emulator's wall clock and request-log clock."""
        return self.ok("GET", "/load/clock")

    def first_posts(self, channel_ids: list[int]) -> tuple[dict[int, float], dict[int, int]]:
        """Per channel: wall time of its first message POST, and its count of 200 answers."""
        body = {"channel_ids": [str(c) for c in channel_ids]}
        answer = self.ok("POST", "/load/first_posts", body, timeout=120)
        first = {int(k): float(v) for k, v in answer["first"].items()}
        return first, {int(k): int(v) for k, v in answer["posts"].items()}

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log from index `since`."""
        return self.ok("GET", f"/requests?since={since}", timeout=120)

    def interaction(self, user: str, command: str, **options: Any) -> tuple[int, Any]:
        """Run one slash command as `user` and wait for its callback (not the final answer)."""
        body = {"user": user, "command": command, "options": options, "wait_final": False}
        return self.call("POST", "/interaction", body, timeout=30)


class BotProcess(Process):
    """`python -m bot run` (or the floor bot) against an emulator, on a given SQLite file."""

    def __init__(
        self,
        emulator: Emulator,
        workdir: Path,
        *,
        database: Path | str | None = None,
        floor: bool = False,
        log_level: str = "INFO",
        name: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """`database` is a SQLite file or a postgresql:// URL; `extra_env` adds settings
        (SHARD_COUNT, SHARD_IDS, ...); `name` names the log file (several bots in one run)."""
        url = database if isinstance(database, str) else None
        env = _env(
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=emulator.urls["api_base"],
            DISCORD_GATEWAY_URL=emulator.urls["gateway_url"],
            DATABASE_URL=url or f"sqlite:///{database or workdir / 'unused.db'}",
            LOG_LEVEL=log_level,
            **(extra_env or {}),
        )
        args = (
            ["-m", "bench.floor_bot"] if floor else ["-m", "bot", "--env-file", os.devnull, "run"]
        )
        self.emulator = emulator
        self.identified_before = int(emulator.stats()["gateway"]["identify"])
        super().__init__(name or ("floor" if floor else "bot"), args, env, workdir)

    def wait_ready(
        self, probe: tuple[str, str] | None = ("alice", "help"), timeout: float = START_TIMEOUT_S
    ) -> float:
        """Wait until the bot identified on the gateway and (optionally) answers `probe`
        (user, command); seconds since the process started."""
        deadline = time.time() + timeout
        while int(self.emulator.stats()["gateway"]["identify"]) <= self.identified_before:
            self._check_alive(deadline)
            time.sleep(0.05)
        identified = time.time() - self.started
        while probe is not None:
            self._check_alive(deadline)
            status, answer = self.emulator.interaction(*probe)
            if status == 200 and isinstance(answer, dict) and answer.get("type"):
                break
            time.sleep(0.2)
        return round(identified if probe is None else time.time() - self.started, 3)

    def _check_alive(self, deadline: float) -> None:
        if not self.alive():
            raise BenchError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
        if time.time() > deadline:
            raise BenchError(f"{self.name} not ready in time:\n{self.log_tail()}")


@contextlib.contextmanager
def workspace(prefix: str) -> Iterator[Path]:
    """A temporary directory for databases and logs, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"chapterbot-{prefix}-") as path:
        yield Path(path)


@contextlib.contextmanager
def running(process: Process) -> Iterator[Process]:
    """Stop `process` when the block ends, whatever happens."""
    try:
        yield process
    finally:
        process.stop()
