"""Login, application, gateway discovery, application commands and guild/user reads."""

from __future__ import annotations

import copy
from typing import Any

from .checks import require
from .payloads import (
    application_payload,
    channel_payload,
    member_payload,
    role_payload,
    user_payload,
)
from .rest_base import ApiError, RestRequest, Router, bad_request, unknown


async def get_me(req: RestRequest) -> Any:
    """GET /users/@me."""
    return {
        **user_payload(req.emu.world.bot),
        "verified": True,
        "mfa_enabled": False,
        "locale": "en-US",
        "email": None,
    }


async def get_user(req: RestRequest) -> Any:
    """GET /users/{user_id}."""
    user = req.emu.world.users.get(req.snowflake("user_id"))
    if user is None:
        raise unknown("User", 10013)
    return user_payload(user)


async def get_application(req: RestRequest) -> Any:
    """GET /oauth2/applications/@me and /applications/@me."""
    return application_payload(req.emu.world, flags=req.emu.application_flags)


async def get_gateway(req: RestRequest) -> Any:
    """GET /gateway."""
    return {"url": req.emu.gateway_url}


async def get_gateway_bot(req: RestRequest) -> Any:
    """GET /gateway/bot."""
    limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
    return {
        "url": req.emu.gateway_url,
        "shards": req.emu.shard_count,
        "session_start_limit": limit,
    }


def _check_app(req: RestRequest) -> None:
    if req.snowflake("application_id") != req.emu.application_id:
        raise ApiError(403, 50001, "Missing Access")


def _store_command(req: RestRequest, guild_id: int | None, raw: dict[str, Any], old: dict) -> dict:
    emu = req.emu
    cmd = copy.deepcopy(raw)
    key = (raw.get("name"), int(raw.get("type", 1)))
    previous = old.get(key)
    cmd_id = previous["id"] if previous else str(emu.world.ids.next())
    cmd.update(
        id=cmd_id,
        application_id=str(emu.application_id),
        version=str(emu.world.ids.next()),
        type=int(raw.get("type", 1)),
        description=raw.get("description", ""),
        default_member_permissions=raw.get("default_member_permissions"),
        nsfw=bool(raw.get("nsfw", False)),
    )
    cmd.setdefault("options", [])
    if guild_id is not None:
        cmd["guild_id"] = str(guild_id)
    # Discord fills in the defaults the bot left null.
    if cmd.get("integration_types") is None:
        cmd["integration_types"] = [0]
    cmd.setdefault("contexts", None)
    return cmd


def _overwrite(req: RestRequest, guild_id: int | None) -> Any:
    _check_app(req)
    body = req.body
    if not isinstance(body, list):
        raise bad_request("Invalid Form Body")
    if len(body) > 100:
        raise bad_request("Maximum number of application commands reached (100)", 30032)
    names = [(c.get("name"), c.get("type", 1)) for c in body]
    if len(set(names)) != len(names):
        raise bad_request("Application command names must be unique", 50035)
    old = {(c["name"], c["type"]): c for c in req.emu.app_commands.get(guild_id, [])}
    stored = [_store_command(req, guild_id, raw, old) for raw in body]
    req.emu.app_commands[guild_id] = stored
    where = f"guild {guild_id}" if guild_id else "global"
    req.emu.timeline.add("cmds", f"{len(stored)} {where} command(s): {[c['name'] for c in stored]}")
    return stored


async def put_global_commands(req: RestRequest) -> Any:
    """PUT /applications/{application_id}/commands (bulk overwrite)."""
    return _overwrite(req, None)


async def put_guild_commands(req: RestRequest) -> Any:
    """PUT /applications/{application_id}/guilds/{guild_id}/commands (bulk overwrite)."""
    guild_id = req.snowflake("guild_id")
    if guild_id not in req.emu.world.guilds:
        raise unknown("Guild", 10004)
    return _overwrite(req, guild_id)


async def get_global_commands(req: RestRequest) -> Any:
    """GET /applications/{application_id}/commands."""
    _check_app(req)
    return req.emu.app_commands.get(None, [])


async def get_guild_commands(req: RestRequest) -> Any:
    """GET /applications/{application_id}/guilds/{guild_id}/commands."""
    _check_app(req)
    return req.emu.app_commands.get(req.snowflake("guild_id"), [])


def _guild(req: RestRequest) -> Any:
    guild = req.emu.world.guilds.get(req.snowflake("guild_id"))
    if guild is None or req.emu.world.bot.id not in guild.members:
        raise unknown("Guild", 10004)
    return guild


async def get_guild(req: RestRequest) -> Any:
    """GET /guilds/{guild_id}."""
    from .payloads import guild_payload

    data = guild_payload(req.emu.world, _guild(req), all_members=False)
    for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
        data.pop(key, None)
    return data


async def get_guild_channels(req: RestRequest) -> Any:
    """GET /guilds/{guild_id}/channels."""
    guild = _guild(req)
    return [channel_payload(req.emu.world, req.emu.world.channels[c]) for c in guild.channel_ids]


async def get_guild_roles(req: RestRequest) -> Any:
    """GET /guilds/{guild_id}/roles."""
    return [role_payload(r) for r in _guild(req).roles.values()]


async def get_member(req: RestRequest) -> Any:
    """GET /guilds/{guild_id}/members/{user_id}."""
    guild = _guild(req)
    user_id = req.snowflake("user_id")
    if user_id not in guild.members:
        raise unknown("Member", 10007)
    return member_payload(req.emu.world, guild, user_id)


async def create_dm(req: RestRequest) -> Any:
    """POST /users/@me/channels."""
    world = req.emu.world
    try:
        user = world.users[int(req.json().get("recipient_id"))]
    except (KeyError, TypeError, ValueError):
        raise unknown("User", 10013) from None
    return channel_payload(world, world.dm_channel(user))


async def get_channel(req: RestRequest) -> Any:
    """GET /channels/{channel_id}."""
    from .checks import get_channel as lookup

    channel = lookup(req)
    if channel.guild_id:
        require(req.emu, channel)
    return channel_payload(req.emu.world, channel)


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("GET", "/users/@me", get_me)
    router.add("POST", "/users/@me/channels", create_dm)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/oauth2/applications/@me", get_application)
    router.add("GET", "/applications/@me", get_application)
    router.add("GET", "/gateway", get_gateway, auth=False)
    router.add("GET", "/gateway/bot", get_gateway_bot)
    router.add("PUT", "/applications/{application_id}/commands", put_global_commands)
    router.add("GET", "/applications/{application_id}/commands", get_global_commands)
    router.add(
        "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_guild_commands
    )
    router.add(
        "GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_guild_commands
    )
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/channels", get_guild_channels)
    router.add("GET", "/guilds/{guild_id}/roles", get_guild_roles)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    router.add("GET", "/channels/{channel_id}", get_channel)
