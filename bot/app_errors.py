"""One error handler for every slash command, button and modal.

A `UserError` is explained to the user, ephemerally. Anything else is a bug: it is logged with
its traceback under a short error id, and the user sees only an apology with that id.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.errors import UserError

log = logging.getLogger(__name__)


def unwrap(error: BaseException) -> BaseException:
    """The exception a command raised, without discord.py's wrappers."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.__cause__ or getattr(error, "original", None)
        if inner is None:
            break
        error = inner
    return error


def explain(error: BaseException) -> str | None:
    """A message for errors the user can act on, or None for bugs."""
    if isinstance(error, UserError):
        return f"⚠️ {error}"
    if isinstance(error, app_commands.MissingPermissions):
        return "⚠️ You need the " + ", ".join(error.missing_permissions) + " permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(error.missing_permissions)
        return f"⚠️ I am missing the {missing} permission here. Ask a server admin to grant it."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "⚠️ This command only works in a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"⚠️ Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return "⚠️ You are not allowed to use this command here."
    return None


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer `interaction` ephemerally, whether or not it was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Explain a user error, or log a bug and apologise with an error id."""
    error = unwrap(error)
    message = explain(error)
    if message is None:
        error_id = secrets.token_hex(4)
        log.error(
            "error %s in %s",
            error_id,
            interaction.command.qualified_name if interaction.command else interaction.data,
            exc_info=error,
        )
        message = f"Sorry, something went wrong on my side (error id `{error_id}`). It was logged."
    await send_ephemeral(interaction, message)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The command tree's error handler."""
    await report_error(interaction, error)
