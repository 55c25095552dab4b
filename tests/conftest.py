"""Shared fixtures: the Discord emulator and a helper to run discord.py clients against it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.client import pointed_at, start_client, stop_client

# Storage fixtures (a migrated database, story factories) for every test folder.
pytest_plugins = ["tests.db_fixtures"]

# Emulator defaults for tests: fast heartbeats; everything else as on Discord.
EMULATOR_TEST_DEFAULTS: dict[str, Any] = {"heartbeat_interval_ms": 1000}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``emulator`` marker (keyword arguments for DiscordEmulator)."""
    config.addinivalue_line(
        "markers", "emulator(**kwargs): options for the emulator fixture's DiscordEmulator"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Attach the emulator's timeline to the report of a failing test that used it."""
    report = yield
    emu = getattr(item, "funcargs", {}).get("emulator")
    if report.failed and isinstance(emu, DiscordEmulator):
        report.sections.append(("emulator timeline", emu.timeline.dump()))
    return report


@pytest.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[DiscordEmulator]:
    """A started DiscordEmulator on a free port; unexpected violations fail the test."""
    marker = request.node.get_closest_marker("emulator")
    options = {**EMULATOR_TEST_DEFAULTS, **(marker.kwargs if marker else {})}
    emu = DiscordEmulator(**options)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    unexpected = emu.unexpected_violations()
    if unexpected:
        listing = "\n".join(f"  - {v}" for v in unexpected)
        pytest.fail(
            f"unexpected Discord API violations:\n{listing}\n{emu.timeline.dump()}", pytrace=False
        )


ClientStarter = Callable[[discord.Client], Awaitable[discord.Client]]


@pytest.fixture
async def run_client(emulator: DiscordEmulator) -> AsyncIterator[ClientStarter]:
    """``bot = await run_client(bot)``: a discord.py client connected until teardown."""
    running: list[tuple[discord.Client, Any]] = []
    with contextlib.ExitStack() as stack:
        stack.enter_context(pointed_at(emulator))

        async def start(client: discord.Client) -> discord.Client:
            running.append((client, await start_client(client, emulator)))
            return client

        try:
            yield start
        finally:
            for client, task in reversed(running):
                await stop_client(client, task)
