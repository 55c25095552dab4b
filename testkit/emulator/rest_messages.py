"""Channel message routes: create (JSON/multipart, nonce), history, get, edit, delete, crosspost."""

from __future__ import annotations

import time
from typing import Any

from .checks import get_channel, get_message, require, require_send, thread_archived_error
from .messaging import apply_edit, dispatch_delete, dispatch_message, new_message, post_message
from .model import FLAG_CROSSPOSTED, Channel, ChannelType, Message
from .payloads import message_payload
from .permissions import P
from .rest_base import ApiError, RestRequest, Router, bad_request

CONTENT_KEYS = ("content", "embeds", "sticker_ids", "components", "poll")


def reopen_if_archived(req: RestRequest, channel: Channel) -> None:
    """Sending into an archived thread: refused when locked, otherwise it unarchives it."""
    if not channel.is_thread or not channel.archived:
        return
    if channel.locked:
        raise thread_archived_error()
    channel.archived = False
    req.emu.dispatch_channel("THREAD_UPDATE", channel)


def _check_dm(req: RestRequest, channel: Channel) -> None:
    user = req.emu.world.users[channel.recipient_ids[0]]
    if not user.dms_open:
        raise ApiError(403, 50007, "Cannot send messages to this user")


def _check_target(req: RestRequest, channel: Channel) -> None:
    if channel.type == ChannelType.DM:
        _check_dm(req, channel)
        return
    if channel.type in (ChannelType.CATEGORY, ChannelType.FORUM):
        require(req.emu, channel)
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    require_send(req.emu, channel)


def _dedupe(req: RestRequest, channel: Channel, body: dict[str, Any]) -> Message | None:
    """With enforce_nonce, a repeated nonce within the window returns the first message."""
    nonce = body.get("nonce")
    if nonce is None or not body.get("enforce_nonce"):
        return None
    key = (channel.id, req.emu.world.bot.id, str(nonce))
    seen = req.emu.nonces.get(key)
    if seen is None or time.monotonic() - seen[1] > req.emu.nonce_window_s:
        return None
    first = req.emu.world.messages.get(seen[0])
    return first if first is not None and not first.deleted else None


async def create_message(req: RestRequest) -> Any:
    """POST /channels/{channel_id}/messages."""
    emu, body = req.emu, req.json()
    channel = get_channel(req)
    _check_target(req, channel)
    if req.files:
        require(emu, channel, P.ATTACH_FILES)
    if body.get("message_reference"):
        require(emu, channel, P.READ_MESSAGE_HISTORY)
    if not req.files and not any(body.get(k) for k in CONTENT_KEYS):
        raise bad_request("Cannot send an empty message", 50006)
    first = _dedupe(req, channel, body)
    if first is not None:
        emu.timeline.add("rest", f"  nonce {body.get('nonce')!r} repeats message {first.id}")
        return message_payload(emu.world, first)
    reopen_if_archived(req, channel)
    msg = new_message(emu, channel, emu.world.bot.id, body, req.files)
    post_message(emu, msg)
    if body.get("nonce") is not None and body.get("enforce_nonce"):
        emu.nonces[(channel.id, emu.world.bot.id, str(body["nonce"]))] = (msg.id, time.monotonic())
    return message_payload(emu.world, msg)


def _window(history: list[Message], query: dict[str, str]) -> list[Message]:
    limit = max(1, min(100, int(query.get("limit", 50))))
    if "around" in query:
        pivot = int(query["around"])
        older = [m for m in history if m.id <= pivot][-((limit + 1) // 2) :]
        newer = [m for m in history if m.id > pivot][: limit // 2]
        return older + newer
    if "after" in query:
        return [m for m in history if m.id > int(query["after"])][:limit]
    if "before" in query:
        history = [m for m in history if m.id < int(query["before"])]
    return history[-limit:]


async def get_messages(req: RestRequest) -> Any:
    """GET /channels/{channel_id}/messages (newest first, like Discord)."""
    emu = req.emu
    channel = get_channel(req)
    if channel.guild_id:
        have = require(emu, channel)
        if not have & P.READ_MESSAGE_HISTORY:
            return []
    history = [m for m in emu.world.history(channel.id) if m.visible_to is None]
    try:
        page = _window(history, req.query)
    except ValueError:
        raise bad_request("Invalid Form Body") from None
    return [message_payload(emu.world, m) for m in reversed(page)]


async def get_one(req: RestRequest) -> Any:
    """GET /channels/{channel_id}/messages/{message_id}."""
    channel = get_channel(req)
    if channel.guild_id:
        require(req.emu, channel, P.READ_MESSAGE_HISTORY)
    return message_payload(req.emu.world, get_message(req, channel))


async def edit_message(req: RestRequest) -> Any:
    """PATCH /channels/{channel_id}/messages/{message_id}."""
    emu = req.emu
    channel = get_channel(req)
    if channel.guild_id:
        require(emu, channel)
    msg = get_message(req, channel)
    if msg.author_id != emu.world.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    if channel.is_thread and channel.archived:
        raise thread_archived_error()
    body = dict(req.json())
    can_embed = emu.world.permissions(channel, emu.world.bot.id) & P.EMBED_LINKS
    if body.get("embeds") and channel.guild_id and not can_embed:
        body["embeds"] = []
    apply_edit(emu, msg, body, req.files)
    dispatch_message(emu, "MESSAGE_UPDATE", msg)
    return message_payload(emu.world, msg)


async def delete_message(req: RestRequest) -> Any:
    """DELETE /channels/{channel_id}/messages/{message_id}."""
    emu = req.emu
    channel = get_channel(req)
    msg = get_message(req, channel)
    if channel.guild_id:
        require(emu, channel)
        if msg.author_id != emu.world.bot.id:
            require(emu, channel, P.MANAGE_MESSAGES)
    if channel.is_thread and channel.archived:
        raise thread_archived_error()
    msg.deleted = True
    dispatch_delete(emu, msg)
    return None


async def crosspost(req: RestRequest) -> Any:
    """POST /channels/{channel_id}/messages/{message_id}/crosspost (announcement channels)."""
    emu = req.emu
    channel = get_channel(req)
    require(emu, channel, P.SEND_MESSAGES)
    msg = get_message(req, channel)
    if channel.type != ChannelType.ANNOUNCEMENT:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    if msg.author_id != emu.world.bot.id:
        require(emu, channel, P.MANAGE_MESSAGES)
    if msg.flags & FLAG_CROSSPOSTED:
        raise ApiError(400, 40033, "This message has already been crossposted.")
    msg.flags |= FLAG_CROSSPOSTED
    dispatch_message(emu, "MESSAGE_UPDATE", msg)
    return message_payload(emu.world, msg)


def register(router: Router) -> None:
    """Add this module's routes."""
    base = "/channels/{channel_id}/messages"
    router.add("POST", base, create_message)
    router.add("GET", base, get_messages)
    router.add("GET", base + "/{message_id}", get_one)
    router.add("PATCH", base + "/{message_id}", edit_message)
    router.add("DELETE", base + "/{message_id}", delete_message)
    router.add("POST", base + "/{message_id}/crosspost", crosspost)
