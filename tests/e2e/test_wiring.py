"""The bot's wiring end to end: start-up, command sync, /help, and surviving Discord's hiccups."""

from __future__ import annotations

import discord
import pytest

from bot.client import ChapterBot, cog_extensions, minimal_intents
from testkit.emulator import DiscordEmulator
from tests.e2e.conftest import BotRunner

pytestmark = pytest.mark.e2e

PRIVILEGED = discord.Intents(members=True, presences=True, message_content=True).value


def declared_command_names(bot: ChapterBot) -> set[str]:
    """Top-level slash command names the loaded cogs declare."""
    return {command.name for command in bot.tree.get_commands()}


async def test_bot_becomes_ready_with_minimal_intents(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    assert chapterbot.is_ready()
    assert [g.id for g in chapterbot.guilds] == [emulator.guild.id]
    intents = emulator.gateway.identified_intents[-1]
    assert intents == minimal_intents().value
    assert intents & PRIVILEGED == 0
    assert set(chapterbot.extensions) == set(cog_extensions())


async def test_synced_commands_are_what_the_cogs_declare(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    synced = {command["name"] for command in emulator.commands()}
    assert synced == declared_command_names(chapterbot)
    assert "help" in synced


async def test_dev_guild_sync_goes_to_that_guild(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    from dataclasses import replace

    bot_runner.settings = replace(bot_runner.settings, dev_guild_id=emulator.guild.id)
    bot = await bot_runner.restart()
    guild_commands = {c["name"] for c in emulator.commands(guild_id=emulator.guild.id)}
    assert guild_commands == declared_command_names(bot)


async def test_help_is_ephemeral_and_grouped(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    result = await emulator.slash(alice, "help", in_channel=general)
    assert result.type == 4
    assert result.ephemeral
    embed = result.embeds[0]
    assert "/help" in str(embed)
    assert result.message not in emulator.visible_messages(general, as_user=bob)
    assert result.message in emulator.visible_messages(general, as_user=alice)


async def test_forced_429_is_retried_and_counted(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    emulator.faults.rate_limit(path=r"/interactions/\d+/[^/]+/callback", times=1, retry_after=0.2)
    result = await emulator.slash(emulator.user("alice"), "help")
    assert result.type == 4 and result.ephemeral
    assert emulator.stats["429"] == 1


async def test_dropped_gateway_is_resumed(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    await emulator.drop_gateway()
    result = await emulator.slash(emulator.user("bob"), "help")
    assert result.type == 4
    assert chapterbot.is_ready()


async def test_unexpected_error_is_logged_with_an_id_and_no_traceback_reaches_discord(
    emulator: DiscordEmulator, chapterbot: ChapterBot, caplog: pytest.LogCaptureFixture
) -> None:
    from discord import app_commands

    @app_commands.command(name="boom", description="Always fails")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("internal detail")

    chapterbot.tree.add_command(boom)
    await chapterbot.sync_commands()
    result = await emulator.slash(emulator.user("alice"), "boom")
    assert result.ephemeral
    assert "error id" in (result.content or "")
    assert "internal detail" not in (result.content or "")
    assert "Traceback" not in (result.content or "")
    assert any("internal detail" in (r.exc_text or "") for r in caplog.records)
