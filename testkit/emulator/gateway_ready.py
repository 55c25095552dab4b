"""Payloads of the gateway's session start: READY, GUILD_CREATE and GUILD_MEMBERS_CHUNK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .payloads import guild_payload, member_payload, user_payload

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .gateway import GatewaySession

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8


def ready_payload(emu: DiscordEmulator, session: GatewaySession) -> dict[str, Any]:
    """READY (discord.types.gateway.ReadyEvent): guilds start out unavailable."""
    world = emu.world
    data: dict[str, Any] = {
        "v": 10,
        "user": {**user_payload(world.bot), "verified": True, "mfa_enabled": False, "email": None},
        "guilds": [
            {"id": str(g), "unavailable": True}
            for g, guild in world.guilds.items()
            if session.wants_guild(g) and world.bot.id in guild.members
        ],
        "session_id": session.id,
        "session_type": "normal",
        "resume_gateway_url": emu.gateway_url,
        "application": {"id": str(world.application_id), "flags": emu.application_flags},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
        "guild_join_requests": [],
        "auth_session_id_hash": "",
        "_trace": ['["chapterbot-emulator",{"micros":0}]'],
    }
    if session.shard:
        data["shard"] = list(session.shard)
    return data


def guild_creates(emu: DiscordEmulator, session: GatewaySession) -> list[tuple[int, dict]]:
    """GUILD_CREATE payloads; members beyond the bot itself only with the members intent."""
    all_members = bool(session.intents & INTENT_GUILD_MEMBERS)
    return [
        (gid, guild_payload(emu.world, guild, all_members=all_members))
        for gid, guild in emu.world.guilds.items()
        if emu.world.bot.id in guild.members  # a bot removed from a guild no longer hears of it
    ]


def members_chunk(emu: DiscordEmulator, data: dict[str, Any]) -> dict[str, Any] | None:
    """One GUILD_MEMBERS_CHUNK answering an op 8 request (query prefix or user_ids)."""
    try:
        guild = emu.world.guilds[int(data["guild_id"])]
    except (KeyError, ValueError, TypeError):
        return None
    ids = [int(u) for u in data.get("user_ids") or []]
    query = (data.get("query") or "").lower()
    limit = int(data.get("limit") or 0)
    if ids:
        found = [u for u in ids if u in guild.members]
    else:
        found = [u for u in guild.members if emu.world.users[u].username.lower().startswith(query)]
        found = found[:limit] if limit else found
    chunk: dict[str, Any] = {
        "guild_id": str(guild.id),
        "members": [member_payload(emu.world, guild, u) for u in found],
        "chunk_index": 0,
        "chunk_count": 1,
    }
    missing = [str(u) for u in ids if u not in guild.members]
    if missing:
        chunk["not_found"] = missing
    if data.get("presences"):
        chunk["presences"] = []
    if data.get("nonce"):
        chunk["nonce"] = data["nonce"]
    return chunk
