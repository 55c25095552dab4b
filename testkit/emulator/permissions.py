"""Discord's permission bits and its per-channel permission computation."""

from __future__ import annotations

from enum import IntFlag

from .model import Channel, Guild


class P(IntFlag):
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL = (1 << 51) - 1

EVERYONE_DEFAULT = (
    P.CREATE_INSTANT_INVITE
    | P.ADD_REACTIONS
    | P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.USE_EXTERNAL_EMOJIS
    | P.CHANGE_NICKNAME
    | P.USE_APPLICATION_COMMANDS
    | P.CREATE_PUBLIC_THREADS
    | P.SEND_MESSAGES_IN_THREADS
)

BOT_DEFAULT = (
    EVERYONE_DEFAULT
    | P.MANAGE_MESSAGES
    | P.MANAGE_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.USE_EXTERNAL_STICKERS
)

# Without Send Messages Discord also takes these away in that channel (not in its threads).
_NEEDS_SEND = P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-level permissions: owner, @everyone plus the member's roles, administrator."""
    if user_id == guild.owner_id:
        return ALL
    perms = guild.everyone.permissions
    member = guild.members.get(user_id)
    for role_id in member.roles if member else []:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    return ALL if perms & P.ADMINISTRATOR else perms


def _apply_overwrites(guild: Guild, channel: Channel, user_id: int, perms: int) -> int:
    """Apply @everyone, then the union of role, then member overwrites, in Discord's order."""
    everyone = channel.overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    member = guild.members.get(user_id)
    role_ids = set(member.roles) if member else set()
    allow = deny = 0
    for target, ow in channel.overwrites.items():
        if ow.type == 0 and target in role_ids:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = channel.overwrites.get(user_id)
    if own is not None and own.type == 1:
        perms = (perms & ~own.deny) | own.allow
    return perms


def channel_permissions(
    guild: Guild, channel: Channel, user_id: int, parent: Channel | None = None
) -> int:
    """Permissions of ``user_id`` in ``channel``; threads take their parent's (pass ``parent``)."""
    base = base_permissions(guild, user_id)
    if base & P.ADMINISTRATOR:
        return ALL
    target = parent if channel.is_thread and parent is not None else channel
    perms = _apply_overwrites(guild, target, user_id, base)
    if not perms & P.VIEW_CHANNEL:
        return 0
    if not channel.is_thread and not perms & P.SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms
