"""Opening the reader at a chapter for another feature's button, e.g. `Read ▶` in a DM.

Registered as `bot.chapter_opener` by the reading cog. The button carries the guild id, so
the reader is checked as that server's member (channel view, age restriction) even in DMs,
and the read is recorded in the same progress as reading in the server. The answer is a new
message with the usual Back / Next / Chapters buttons, which then work in DMs on that progress.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import NotFound
from bot.reading.service import Reader
from cogs.common import chapterbot
from cogs.reading.messages import page_message
from cogs.reading.roles import member_roles
from cogs.reading.views import _age_restricted, _member_sees, send_public, service_of


async def open_as_member(
    interaction: discord.Interaction, guild_id: int, story_id: int, chapter: int
) -> None:
    """Answer with page 1 of `chapter`, read as the clicking user's membership of `guild_id`."""
    bot = chapterbot(interaction)
    guild = bot.get_guild(guild_id)
    member = None if guild is None else await _member(guild, interaction.user.id)
    if guild is None or member is None:
        raise NotFound("That story is not available any more.")
    story = await bot.services.stories.in_guild(guild_id, story_id)

    async def can_view(channel_id: int) -> bool:
        return await _member_sees(guild, member, channel_id)

    # A Mature/Explicit story is only ever posted to an age-restricted channel.
    channel: Any = guild.get_channel_or_thread(story.channel_id) if story.channel_id else None
    reader = Reader(
        member.id,
        guild.id,
        can_view,
        age_ok=_age_restricted(channel),
        holds_role=member_roles(member),
    )
    service = service_of(interaction)
    page = await service.read_at(reader, story_id, chapter, 1, record=False)
    await send_public(interaction, page_message(page))
    await service.record_read(reader, page)  # once delivered, like every reader's page
    await service.flush()  # Back / Next in DMs find the reader's progress row


async def _member(guild: discord.Guild, user_id: int) -> discord.Member | None:
    """A member from the cache, else from Discord (the bot has no members intent)."""
    member = guild.get_member(user_id)
    if member is not None:
        return member
    try:
        return await guild.fetch_member(user_id)
    except discord.NotFound:
        return None
