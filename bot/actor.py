"""Who is asking: the one value every feature's policy decides on (discord-free)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is asking: a member of a guild, with what the cogs read off Discord."""

    user_id: int
    guild_id: int
    manage_guild: bool = False
    role_ids: frozenset[int] = frozenset()
