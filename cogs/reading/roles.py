"""Whether a reader holds a role in a server, answered from Discord for `Reader.holds_role`.

In a server the interaction's member carries their roles. In DMs there are none: the server's
member is looked up (the cache, else Discord: the bot has no members intent, so a fetched member
has the roles as they are now). Only the plain answer goes to the use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.reading.model import RoleCheck

if TYPE_CHECKING:
    from bot.client import ChapterBot


def member_roles(member: discord.Member) -> RoleCheck:
    """The role check of a known member: only their own server counts."""

    async def holds(guild_id: int, role_id: int) -> bool:
        return member.guild.id == guild_id and member.get_role(role_id) is not None

    return holds


def roles_in_dms(bot: ChapterBot, user_id: int) -> RoleCheck:
    """The role check of a user reading in DMs: asks the server the story belongs to."""
    known: dict[int, discord.Member | None] = {}

    async def holds(guild_id: int, role_id: int) -> bool:
        guild = bot.get_guild(guild_id)
        if guild is None:
            return False
        if guild_id not in known:
            try:
                known[guild_id] = await guild.fetch_member(user_id)
            except discord.HTTPException:  # left the server, or Discord can't say now
                known[guild_id] = None
        member = known[guild_id]
        return member is not None and member.get_role(role_id) is not None

    return holds
