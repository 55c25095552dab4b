"""Lookups and permission checks shared by the REST handlers, answering like Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Channel, Message
from .permissions import P
from .rest_base import ApiError, missing_access, missing_permissions, unknown

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .rest_base import RestRequest


def get_channel(req: RestRequest, name: str = "channel_id") -> Channel:
    """The channel named by a path parameter, or 404 10003."""
    try:
        channel_id = int(req.params[name])
    except ValueError:
        raise unknown("Channel", 10003) from None
    channel = req.emu.world.channels.get(channel_id)
    if channel is None:
        raise unknown("Channel", 10003)
    return channel


def get_message(req: RestRequest, channel: Channel, name: str = "message_id") -> Message:
    """A live, non-ephemeral message of ``channel``, or 404 10008."""
    try:
        message = req.emu.world.messages.get(int(req.params[name]))
    except ValueError:
        message = None
    if message is None or message.deleted or message.channel_id != channel.id:
        raise unknown("Message", 10008)
    if message.visible_to is not None:
        raise unknown("Message", 10008)
    return message


def require(emu: DiscordEmulator, channel: Channel, *perms: int) -> int:
    """The bot's permissions in ``channel``; 50001 without View Channel, 50013 if any is missing."""
    have = emu.world.permissions(channel, emu.world.bot.id)
    if not have & P.VIEW_CHANNEL:
        raise missing_access()
    for perm in perms:
        if not have & perm:
            emu.timeline.add("perm", f"bot lacks {P(perm).name} in #{channel.name or channel.id}")
            raise missing_permissions()
    return have


def require_send(emu: DiscordEmulator, channel: Channel) -> int:
    """Checks for posting in a channel or thread (Send Messages vs Send Messages in Threads)."""
    send = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
    return require(emu, channel, send)


def thread_archived_error() -> ApiError:
    """400 50083."""
    return ApiError(400, 50083, "Thread is archived")
