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
from bot.i18n import Speaker, choose_locale

log = logging.getLogger(__name__)


def unwrap(error: BaseException) -> BaseException:
    """The exception a command raised, without discord.py's wrappers."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.__cause__ or getattr(error, "original", None)
        if inner is None:
            break
        error = inner
    return error


def speaker_for(interaction: discord.Interaction) -> Speaker | None:
    """The user's language for an error reply (None before the catalogs are built)."""
    catalogs = getattr(interaction.client, "catalogs", None)
    return catalogs.speaker(choose_locale(str(interaction.locale))) if catalogs else None


def explain(error: BaseException, speaker: Speaker | None = None) -> str | None:
    """A message for errors the user can act on, in `speaker`'s language, or None for bugs."""
    _ = speaker.gettext if speaker is not None else _english
    if isinstance(error, UserError):
        return "⚠️ " + (error.render(speaker) if speaker is not None else str(error))
    if isinstance(error, app_commands.MissingPermissions):
        names = ", ".join(error.missing_permissions)
        return "⚠️ " + _("You need the {permissions} permission for this.", permissions=names)
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(error.missing_permissions)
        return "⚠️ " + _(
            "I am missing the {permissions} permission here. Ask a server admin to grant it.",
            permissions=missing,
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return "⚠️ " + _("This command only works in a server.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return "⚠️ " + _("Slow down: try again in {seconds} s.", seconds=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.CheckFailure):
        return "⚠️ " + _("You are not allowed to use this command here.")
    return None


def _english(message: str, /, **params: object) -> str:
    """The message id itself: English is the source language."""
    return message.format(**params) if params else message


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer `interaction` ephemerally, whether or not it was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


def database_unavailable(interaction: discord.Interaction, error: BaseException) -> bool:
    """Whether `error` means the bot's database did not answer (down, restarting, locked)."""
    database = getattr(interaction.client, "db", None)
    return database is not None and database.is_unavailable(error)


def not_answering(speaker: Speaker | None) -> str:
    """What a user is told when the bot's database did not answer in time."""
    return "⚠️ " + (speaker.gettext if speaker else _english)(
        "My database is not answering right now, so I could not do that. Try again in a minute."
    )


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Explain a user error, or log a bug and apologise with an error id."""
    error = unwrap(error)
    speaker = speaker_for(interaction)
    message = explain(error, speaker)
    if message is None and database_unavailable(interaction, error):
        # Not a bug, and nothing the user did: say so, and that trying again later will work.
        # One line in the log without a traceback; the database's own state explains it.
        log.warning("database not answering for interaction %s: %r", interaction.id, error)
        message = not_answering(speaker)
    if message is None:
        error_id = secrets.token_hex(4)
        log.error(
            "error %s in %s",
            error_id,
            interaction.command.qualified_name if interaction.command else interaction.data,
            exc_info=error,
        )
        message = (speaker.gettext if speaker else _english)(
            "Sorry, something went wrong on my side (error id `{error_id}`). It was logged.",
            error_id=error_id,
        )
    await send_ephemeral(interaction, message)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The command tree's error handler."""
    await report_error(interaction, error)
