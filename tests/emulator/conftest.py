"""Fixtures for the emulator's own tests: a bare probe bot connected to the emulator."""

from __future__ import annotations

import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot


@pytest.fixture
async def bot(emulator: DiscordEmulator, run_client) -> ProbeBot:
    """A connected ProbeBot whose commands are synced globally."""
    probe = ProbeBot()
    await run_client(probe)
    await probe.tree.sync()
    return probe


def intents_with(**flags: bool) -> discord.Intents:
    """Default intents plus/minus the given flags."""
    intents = discord.Intents.default()
    for name, value in flags.items():
        setattr(intents, name, value)
    return intents
