"""Channel edits, threads (from a message, standalone, forum posts), thread lists and membership."""

from __future__ import annotations

from typing import Any

from .checks import get_channel, get_message, require, require_send
from .ids import iso
from .messaging import new_message, post_message
from .model import CHANNEL_FLAG_REQUIRE_TAG, Channel, ChannelType
from .payloads import channel_payload, message_payload, thread_member_payload, thread_payload
from .permissions import P
from .rest_base import ApiError, RestRequest, Router, bad_request, unknown

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def _new_thread(req: RestRequest, parent: Channel, body: dict[str, Any], type_: int) -> Channel:
    name = str(body.get("name") or "").strip()
    if not name:
        raise bad_request("Invalid Form Body")
    thread = req.emu.world.add_thread(parent, name, req.emu.world.bot.id, type_)
    duration = int(body.get("auto_archive_duration") or 1440)
    thread.auto_archive_duration = duration if duration in ARCHIVE_DURATIONS else 1440
    thread.invitable = bool(body.get("invitable", True))
    return thread


def _announce(req: RestRequest, thread: Channel) -> dict[str, Any]:
    data = thread_payload(req.emu.world, thread, member_for=req.emu.world.bot.id)
    created = {**data, "newly_created": True}
    req.emu.gateway.dispatch("THREAD_CREATE", created, intent=1, guild_id=thread.guild_id)
    return data


async def thread_from_message(req: RestRequest) -> Any:
    """POST /channels/{channel_id}/messages/{message_id}/threads."""
    emu = req.emu
    channel = get_channel(req)
    if channel.type not in (ChannelType.TEXT, ChannelType.ANNOUNCEMENT):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(emu, channel, P.CREATE_PUBLIC_THREADS, P.READ_MESSAGE_HISTORY)
    msg = get_message(req, channel)
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    type_ = 10 if channel.type == ChannelType.ANNOUNCEMENT else 11
    thread = _new_thread(req, channel, req.json(), type_)
    # Discord gives a thread started from a message the message's id.
    emu.world.channels.pop(thread.id)
    emu.world.channel_messages.pop(thread.id)
    thread.id = msg.id
    emu.world.channels[thread.id] = thread
    emu.world.channel_messages[thread.id] = []
    msg.thread_id = thread.id
    return _announce(req, thread)


def _forum_post(req: RestRequest, forum: Channel, body: dict[str, Any]) -> Any:
    emu = req.emu
    require(emu, forum, P.SEND_MESSAGES)
    first = body.get("message")
    if not isinstance(first, dict):
        raise bad_request("Invalid Form Body")
    tags = [int(t) for t in body.get("applied_tags") or []]
    known = {int(t["id"]) for t in forum.available_tags}
    if any(t not in known for t in tags):
        raise bad_request("Invalid Form Body")
    if forum.flags & CHANNEL_FLAG_REQUIRE_TAG and not tags:
        raise ApiError(400, 40067, "A tag is required to create a forum post in this channel")
    if req.files:
        require(emu, forum, P.ATTACH_FILES)
    thread = _new_thread(req, forum, body, ChannelType.PUBLIC_THREAD)
    thread.applied_tags = tags
    data = _announce(req, thread)
    msg = new_message(emu, thread, emu.world.bot.id, first, req.files)
    msg.id = thread.id  # the starter message shares the post's id
    post_message(emu, msg)
    data = thread_payload(emu.world, thread, member_for=emu.world.bot.id)
    return {**data, "message": message_payload(emu.world, msg)}


async def create_thread(req: RestRequest) -> Any:
    """POST /channels/{channel_id}/threads (standalone thread or forum post)."""
    channel = get_channel(req)
    body = req.json()
    if channel.type == ChannelType.FORUM:
        return _forum_post(req, channel, body)
    if channel.type not in (ChannelType.TEXT, ChannelType.ANNOUNCEMENT):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    type_ = int(body.get("type") or ChannelType.PRIVATE_THREAD)
    if channel.type == ChannelType.ANNOUNCEMENT:
        type_ = ChannelType.ANNOUNCEMENT_THREAD
    needed = (
        P.CREATE_PRIVATE_THREADS if type_ == ChannelType.PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS
    )
    require(req.emu, channel, needed)
    return _announce(req, _new_thread(req, channel, body, type_))


def _edit_thread(req: RestRequest, thread: Channel, body: dict[str, Any]) -> None:
    emu = req.emu
    have = require(emu, thread)
    manage = bool(have & P.MANAGE_THREADS)
    owner = thread.owner_id == emu.world.bot.id
    if "locked" in body and not manage:
        raise ApiError(403, 50013, "Missing Permissions")
    if thread.locked and not manage:
        raise ApiError(403, 50013, "Missing Permissions")
    if set(body) - {"archived", "locked"} and not (manage or owner):
        raise ApiError(403, 50013, "Missing Permissions")
    if "archived" in body and not (manage or owner or not body["archived"]):
        raise ApiError(403, 50013, "Missing Permissions")
    if "archived" in body and bool(body["archived"]) != thread.archived:
        thread.archived = bool(body["archived"])
        thread.archive_timestamp = iso()
    if "locked" in body:
        thread.locked = bool(body["locked"])
    if body.get("name"):
        thread.name = str(body["name"])
    if "applied_tags" in body:
        thread.applied_tags = [int(t) for t in body["applied_tags"] or []]
    if body.get("auto_archive_duration") in ARCHIVE_DURATIONS:
        thread.auto_archive_duration = int(body["auto_archive_duration"])


def _edit_channel(req: RestRequest, channel: Channel, body: dict[str, Any]) -> None:
    require(req.emu, channel, P.MANAGE_CHANNELS)
    for key in ("name", "topic", "nsfw", "position"):
        if key in body:
            setattr(channel, key, body[key])
    if "available_tags" in body and channel.type == ChannelType.FORUM:
        channel.available_tags = [
            {
                "id": str(t.get("id") or req.emu.world.ids.next()),
                "name": t["name"],
                "moderated": False,
            }
            for t in body["available_tags"]
        ]
    if "flags" in body:
        channel.flags = int(body["flags"] or 0)


async def edit_channel(req: RestRequest) -> Any:
    """PATCH /channels/{channel_id}: threads (archived/locked/name/tags) and guild channels."""
    channel = get_channel(req)
    body = req.json()
    if channel.is_thread:
        _edit_thread(req, channel, body)
        req.emu.dispatch_channel("THREAD_UPDATE", channel)
    else:
        _edit_channel(req, channel, body)
        req.emu.dispatch_channel("CHANNEL_UPDATE", channel)
    return channel_payload(req.emu.world, channel)


def _thread_list(req: RestRequest, threads: list[Channel], *, has_more: bool | None) -> Any:
    world = req.emu.world
    bot = world.bot.id
    data: dict[str, Any] = {
        "threads": [thread_payload(world, t) for t in threads],
        "members": [thread_member_payload(t, bot) for t in threads if bot in t.thread_member_ids],
    }
    if has_more is not None:
        data["has_more"] = has_more
    return data


async def archived_public(req: RestRequest) -> Any:
    """GET /channels/{channel_id}/threads/archived/public."""
    channel = get_channel(req)
    require(req.emu, channel, P.READ_MESSAGE_HISTORY)
    threads = [
        t
        for t in req.emu.world.channels.values()
        if t.parent_id == channel.id and t.archived and t.type in (10, 11)
    ]
    threads.sort(key=lambda t: t.archive_timestamp, reverse=True)
    before = req.query.get("before")
    if before:
        threads = [t for t in threads if t.archive_timestamp < before]
    limit = int(req.query.get("limit", 50))
    return _thread_list(req, threads[:limit], has_more=len(threads) > limit)


async def active_threads(req: RestRequest) -> Any:
    """GET /guilds/{guild_id}/threads/active."""
    guild_id = req.snowflake("guild_id")
    if guild_id not in req.emu.world.guilds:
        raise unknown("Guild", 10004)
    threads = [
        t
        for t in req.emu.world.channels.values()
        if t.is_thread and t.guild_id == guild_id and not t.archived
    ]
    return _thread_list(req, threads, has_more=False)


async def join_thread(req: RestRequest) -> Any:
    """PUT /channels/{channel_id}/thread-members/@me."""
    thread = get_channel(req)
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(req.emu, thread)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    bot = req.emu.world.bot.id
    if bot not in thread.thread_member_ids:
        thread.thread_member_ids.append(bot)
        member = {**thread_member_payload(thread, bot), "guild_id": str(thread.guild_id)}
        req.emu.gateway.dispatch("THREAD_MEMBER_UPDATE", member, intent=1, guild_id=thread.guild_id)
    return None


async def leave_thread(req: RestRequest) -> Any:
    """DELETE /channels/{channel_id}/thread-members/@me."""
    thread = get_channel(req)
    bot = req.emu.world.bot.id
    if bot in thread.thread_member_ids:
        thread.thread_member_ids.remove(bot)
    return None


async def send_typing(req: RestRequest) -> Any:
    """POST /channels/{channel_id}/typing."""
    require_send(req.emu, get_channel(req))
    return None


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("PATCH", "/channels/{channel_id}", edit_channel)
    router.add("POST", "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message)
    router.add("POST", "/channels/{channel_id}/threads", create_thread)
    router.add("GET", "/channels/{channel_id}/threads/archived/public", archived_public)
    router.add("GET", "/guilds/{guild_id}/threads/active", active_threads)
    router.add("PUT", "/channels/{channel_id}/thread-members/@me", join_thread)
    router.add("DELETE", "/channels/{channel_id}/thread-members/@me", leave_thread)
    router.add("POST", "/channels/{channel_id}/typing", send_typing)


__all__ = ["get_message", "register"]
