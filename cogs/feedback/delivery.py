"""Feedback's Discord side: notes to the authors, digests, and reactions under new chapters.

Plain functions over the bot and its `services.feedback`, so the commands, the settings
subcommands and the note modal share them without finding each other's cog.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
from apscheduler.triggers.date import DateTrigger
from discord.utils import escape_markdown

from bot.events import ChapterReleased
from bot.feedback.repository import FeedbackSettings, NoteRecord
from bot.feedback.service import NoteTarget, digest_text
from bot.i18n import SOURCE, Speaker

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger(__name__)

UNKNOWN_EMOJI = 10014
DIGEST_RETRY_S = 60  # a digest that found no database is tried again this much later


async def add_story_reactions(
    message: discord.Message | discord.PartialMessage, emojis: Sequence[str]
) -> int:
    """Add `emojis` under a posted message; returns how many were added.

    Never raises for Discord refusals: an archived thread, a missing permission or an emoji that
    no longer exists must not fail a release. Unknown emojis are skipped; anything else stops.
    Adding a reaction the bot already added changes nothing, so running this again after a
    crash adds each emoji once.
    """
    added = 0
    for emoji in emojis:
        try:
            await message.add_reaction(discord.PartialEmoji.from_str(emoji))
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_EMOJI:
                log.info("skipping unknown emoji %r on message %s", emoji, message.id)
                continue
            log.info("could not react on message %s (%s); stopping", message.id, exc)
            break
        added += 1
    return added


async def auto_react(bot: ChapterBot, event: ChapterReleased) -> None:
    """The outbox subscriber of `chapter_released`: the story's reactions under each chapter's
    last page when auto-react is on (idempotent, so a redelivery after a crash is harmless).
    """
    emojis = await bot.services.feedback.auto_react_set(event.story_id)
    if not emojis:
        return
    for posted in event.last_messages():
        channel = bot.get_partial_messageable(posted.channel_id, guild_id=event.guild_id)
        await add_story_reactions(channel.get_partial_message(posted.message_id), emojis)


def note_embed(
    note: NoteRecord, target: NoteTarget, sender: discord.abc.User | None, t: Speaker = SOURCE
) -> discord.Embed:
    """A note as an embed (a note can be longer than a message: descriptions hold 4,096), in
    the authors' language: the server's (a DM has no interaction locale)."""
    title = escape_markdown(target.story.title)
    embed = discord.Embed(
        title=t.gettext(
            "💬 Note on “{title}”, chapter {number}",
            title=title[:200],
            number=target.chapter_number,
        ),
        description=note.text,
        colour=discord.Colour.blurple(),
        timestamp=datetime.fromtimestamp(note.created_at, UTC),
    )
    anonymous = note.anonymous or sender is None
    who = t.gettext("an anonymous reader") if anonymous else f"<@{sender.id}>"  # type: ignore[union-attr]
    embed.add_field(name=t.gettext("From"), value=who)
    return embed


async def deliver_note(
    bot: ChapterBot, note: NoteRecord, target: NoteTarget, *, sender: discord.abc.User | None
) -> bool:
    """Send a note to the feedback channel if set, else to the authors' DMs.

    Returns False when it reached nobody: it stays pending, and `/stats` says so once.
    """
    service = bot.services.feedback
    voice = await bot.server_voice(target.story.guild_id)
    embed = note_embed(note, target, sender, voice)
    if target.channel_id is not None and await _post(bot, target.channel_id, embed):
        await service.delivered(note, "channel")
        return True
    reached = [a for a in target.author_ids if await send_dm(bot, a, embed)]
    if reached:
        await service.delivered(note, "dm")
        return True
    return False


async def deliver_pending(bot: ChapterBot, story_id: int, target: NoteTarget) -> int:
    """Try again to deliver a story's waiting notes; returns how many got through."""
    service = bot.services.feedback
    delivered = 0
    for note in await service.pending_notes(story_id):
        number = await service.chapter_number(note)
        note_target = NoteTarget(target.story, number, target.author_ids, target.channel_id)
        sender = None if note.author_user_id is None else discord.Object(note.author_user_id)
        if await deliver_note(bot, note, note_target, sender=sender):  # type: ignore[arg-type]
            delivered += 1
    return delivered


async def _post(bot: ChapterBot, channel_id: int, embed: discord.Embed) -> bool:
    channel = bot.get_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        return False
    try:
        await channel.send(embed=embed)
    except discord.HTTPException as exc:
        log.info("could not post a note in channel %s: %s", channel_id, exc)
        return False
    return True


async def send_dm(bot: ChapterBot, user_id: int, content: discord.Embed | str) -> bool:
    """DM a user; False when their DMs are closed or Discord refuses."""
    try:
        user = bot.get_user(user_id) or await bot.fetch_user(user_id)
        if isinstance(content, discord.Embed):
            await user.send(embed=content)
        else:
            await user.send(content)
    except discord.HTTPException as exc:
        log.info("could not DM user %s: %s", user_id, exc)
        return False
    return True


# -- digests ------------------------------------------------------------------------------------


def digest_job_id(story_id: int) -> str:
    """The scheduler job id of a story's digest."""
    return f"digest:{story_id}"


def arm_digest(bot: ChapterBot, settings: FeedbackSettings) -> None:
    """(Re)arm a story's digest job at its next time from the DB; remove it when off."""
    job_id = digest_job_id(settings.story_id)
    if settings.digest_frequency == "off" or settings.next_digest_at is None:
        if bot.scheduler.get_job(job_id) is not None:
            bot.scheduler.remove_job(job_id)
        return
    now = datetime.now(UTC)
    _arm_digest_at(
        bot, settings.story_id, max(now, datetime.fromtimestamp(settings.next_digest_at, UTC))
    )


def _arm_digest_at(bot: ChapterBot, story_id: int, run_at: datetime) -> None:
    bot.scheduler.add_job(
        digest_job,
        DateTrigger(run_date=run_at),
        id=digest_job_id(story_id),
        args=[bot, story_id],
        replace_existing=True,
        misfire_grace_time=None,
        coalesce=True,
    )


def disarm_digest(bot: ChapterBot, story_id: int) -> None:
    """Remove a story's digest job, if any."""
    if bot.scheduler.get_job(digest_job_id(story_id)) is not None:
        bot.scheduler.remove_job(digest_job_id(story_id))


async def digest_job(bot: ChapterBot, story_id: int) -> None:
    """Send a story's digest to its authors by DM, then arm the next one; while the database
    does not answer, try again in a minute (the timer must not be lost)."""
    await bot.wait_until_ready()
    try:
        await _send_digest(bot, story_id)
    except Exception as error:
        if not bot.database.is_unavailable(error):
            raise
        bot.database.log_failure(log, error, "digest of story %s failed", story_id)
        _arm_digest_at(bot, story_id, datetime.now(UTC) + timedelta(seconds=DIGEST_RETRY_S))


async def _send_digest(bot: ChapterBot, story_id: int) -> None:
    service = bot.services.feedback
    digest = await service.run_digest(story_id)
    if digest is None:
        return
    text = digest_text(digest, await bot.server_voice(digest.story.guild_id))
    reached = [a for a in await service.author_ids(story_id) if await send_dm(bot, a, text)]
    settings = await service.settings(story_id)
    if not reached and settings.feedback_channel_id is not None:
        channel = bot.get_channel(settings.feedback_channel_id)
        if isinstance(channel, discord.abc.Messageable):
            try:
                await channel.send(text)
            except discord.HTTPException as exc:
                log.info("could not post the digest of story %s: %s", story_id, exc)
    arm_digest(bot, settings)
