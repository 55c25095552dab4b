"""What Discord says about a member and a story's channel, as plain facts for the use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.following.policy import ChannelFacts
from bot.stories.records import StoryRecord


def _channel(guild: discord.Guild, channel_id: int | None) -> Any:
    """The story's channel; a thread or forum post counts as its parent."""
    if channel_id is None:
        return None
    channel: Any = guild.get_channel_or_thread(channel_id)
    if isinstance(channel, discord.Thread):
        channel = channel.parent or guild.get_channel(channel.parent_id)
    return channel


def channel_facts(
    guild: discord.Guild, member: discord.Member, story: StoryRecord, channel_id: int | None = None
) -> ChannelFacts:
    """Whether `member` can view the story's channel (`channel_id`, else the story's own) and
    whether that channel is age-restricted. A story with no channel yet is visible to all."""
    wanted = channel_id if channel_id is not None else story.channel_id
    if wanted is None:
        return ChannelFacts(can_view=True, age_restricted=False)
    channel = _channel(guild, wanted)
    if channel is None:
        return ChannelFacts(can_view=False, age_restricted=False)
    nsfw = getattr(channel, "is_nsfw", None)
    return ChannelFacts(
        can_view=bool(channel.permissions_for(member).view_channel),
        age_restricted=bool(nsfw()) if callable(nsfw) else False,
    )


async def member_of(
    guild: discord.Guild, user_id: int, pace: Callable[[], Awaitable[None]] | None = None
) -> discord.Member | None:
    """A member from the cache, else from Discord (the bot has no members intent); `pace` is
    awaited before asking Discord, so the lookups share the DMs' request budget."""
    member = guild.get_member(user_id)
    if member is not None:
        return member
    if pace is not None:
        await pace()
    try:
        return await guild.fetch_member(user_id)
    except discord.NotFound:
        return None
