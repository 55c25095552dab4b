"""Reactions: the bot's REST routes and the gateway events of anyone's reactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .checks import get_channel, get_message, require, thread_archived_error
from .model import Message
from .payloads import member_payload, user_payload
from .permissions import P
from .rest_base import ApiError, RestRequest, Router

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

INTENT_GUILD_REACTIONS = 1 << 10
INTENT_DM_REACTIONS = 1 << 13


def parse_emoji(raw: str) -> tuple[str, dict[str, Any]]:
    """Key and PartialEmoji payload of a route's emoji: unicode, ``name:id`` or ``a:name:id``."""
    parts = raw.split(":")
    if len(parts) >= 2 and parts[-1].isdigit():
        name, emoji_id = parts[-2], parts[-1]
        animated = len(parts) == 3 and parts[0] == "a"
        return f"{name}:{emoji_id}", {"id": emoji_id, "name": name, "animated": animated}
    if not raw or raw.isascii():
        raise ApiError(400, 10014, "Unknown Emoji")
    return raw, {"id": None, "name": raw}


def add_reaction(emu: DiscordEmulator, msg: Message, user_id: int, raw_emoji: str) -> bool:
    """Record a reaction and dispatch MESSAGE_REACTION_ADD; False if it already existed."""
    key, emoji = parse_emoji(raw_emoji)
    users = msg.reactions.setdefault(key, [])
    msg.reaction_emoji[key] = emoji
    if user_id in users:
        return False
    users.append(user_id)
    data = _event(emu, msg, user_id, emoji)
    channel = emu.world.channels[msg.channel_id]
    guild = emu.world.guild_of(channel)
    if guild is not None and user_id in guild.members:
        data["member"] = member_payload(emu.world, guild, user_id)
    data["message_author_id"] = str(msg.author_id)
    data["burst_colors"] = []
    emu.gateway.dispatch(
        "MESSAGE_REACTION_ADD", data, intent=_intent(emu, msg), guild_id=msg.guild_id
    )
    return True


def remove_reaction(emu: DiscordEmulator, msg: Message, user_id: int, raw_emoji: str) -> bool:
    """Remove a reaction and dispatch MESSAGE_REACTION_REMOVE; False if there was none."""
    key, emoji = parse_emoji(raw_emoji)
    users = msg.reactions.get(key, [])
    if user_id not in users:
        return False
    users.remove(user_id)
    data = _event(emu, msg, user_id, emoji)
    emu.gateway.dispatch(
        "MESSAGE_REACTION_REMOVE", data, intent=_intent(emu, msg), guild_id=msg.guild_id
    )
    return True


def _intent(emu: DiscordEmulator, msg: Message) -> int:
    return INTENT_GUILD_REACTIONS if msg.guild_id else INTENT_DM_REACTIONS


def _event(emu: DiscordEmulator, msg: Message, user_id: int, emoji: dict) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "channel_id": str(msg.channel_id),
        "message_id": str(msg.id),
        "emoji": emoji,
        "burst": False,
        "type": 0,
    }
    if msg.guild_id:
        data["guild_id"] = str(msg.guild_id)
    return data


def _target(req: RestRequest) -> tuple[Any, Message]:
    channel = get_channel(req)
    if channel.guild_id:
        require(req.emu, channel, P.READ_MESSAGE_HISTORY)
    msg = get_message(req, channel)
    if channel.is_thread and channel.archived:
        raise thread_archived_error()
    return channel, msg


async def put_own(req: RestRequest) -> Any:
    """PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me."""
    channel, msg = _target(req)
    key, _ = parse_emoji(req.params["emoji"])
    if channel.guild_id and not msg.reactions.get(key):
        require(req.emu, channel, P.ADD_REACTIONS)  # only the first reaction of an emoji needs it
    add_reaction(req.emu, msg, req.emu.world.bot.id, req.params["emoji"])
    return None


async def delete_own(req: RestRequest) -> Any:
    """DELETE /channels/{c}/messages/{m}/reactions/{emoji}/@me."""
    _, msg = _target(req)
    remove_reaction(req.emu, msg, req.emu.world.bot.id, req.params["emoji"])
    return None


async def delete_user(req: RestRequest) -> Any:
    """DELETE /channels/{c}/messages/{m}/reactions/{emoji}/{user_id}."""
    channel, msg = _target(req)
    require(req.emu, channel, P.MANAGE_MESSAGES)
    remove_reaction(req.emu, msg, req.snowflake("user_id"), req.params["emoji"])
    return None


async def list_users(req: RestRequest) -> Any:
    """GET /channels/{c}/messages/{m}/reactions/{emoji}."""
    channel = get_channel(req)
    msg = get_message(req, channel)
    key, _ = parse_emoji(req.params["emoji"])
    users = msg.reactions.get(key, [])
    after = int(req.query.get("after", 0))
    limit = max(1, min(100, int(req.query.get("limit", 25))))
    chosen = [u for u in sorted(users) if u > after][:limit]
    return [user_payload(req.emu.world.users[u]) for u in chosen]


async def clear_all(req: RestRequest) -> Any:
    """DELETE /channels/{c}/messages/{m}/reactions."""
    channel, msg = _target(req)
    require(req.emu, channel, P.MANAGE_MESSAGES)
    msg.reactions.clear()
    data = {"channel_id": str(msg.channel_id), "message_id": str(msg.id)}
    if msg.guild_id:
        data["guild_id"] = str(msg.guild_id)
    req.emu.gateway.dispatch(
        "MESSAGE_REACTION_REMOVE_ALL", data, intent=_intent(req.emu, msg), guild_id=msg.guild_id
    )
    return None


def register(router: Router) -> None:
    """Add this module's routes."""
    base = "/channels/{channel_id}/messages/{message_id}/reactions"
    router.add("PUT", base + "/{emoji}/@me", put_own)
    router.add("DELETE", base + "/{emoji}/@me", delete_own)
    router.add("DELETE", base + "/{emoji}/{user_id}", delete_user)
    router.add("GET", base + "/{emoji}", list_users)
    router.add("DELETE", base, clear_all)
