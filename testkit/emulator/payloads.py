"""JSON payloads in the shapes of discord.py's ``discord/types`` and the spec's response schemas."""

from __future__ import annotations

from typing import Any

from .ids import snowflake_time
from .model import Attachment, Channel, ChannelType, Guild, Message, Role, User
from .world import World


def user_payload(user: User) -> dict[str, Any]:
    """UserResponse / discord.types.user.User."""
    data: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
        "avatar_decoration_data": None,
        "collectibles": None,
    }
    if user.bot:
        data["bot"] = True
    return data


def role_payload(role: Role) -> dict[str, Any]:
    """GuildRoleResponse / discord.types.role.Role."""
    data: dict[str, Any] = {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": str(role.bot_id)}
    return data


def member_payload(
    world: World,
    guild: Guild,
    user_id: int,
    *,
    with_user: bool = True,
    permissions: int | None = None,
) -> dict[str, Any]:
    """GuildMemberResponse; ``permissions`` is added the way interaction payloads carry it."""
    member = guild.members[user_id]
    data: dict[str, Any] = {
        "roles": [str(r) for r in member.roles],
        "joined_at": member.joined_at,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_payload(world.users[user_id])
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def _overwrites(channel: Channel) -> list[dict[str, Any]]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in channel.overwrites.values()
    ]


def thread_metadata(thread: Channel) -> dict[str, Any]:
    """ThreadMetadata."""
    return {
        "archived": thread.archived,
        "auto_archive_duration": thread.auto_archive_duration,
        "archive_timestamp": thread.archive_timestamp,
        "locked": thread.locked,
        "invitable": thread.invitable,
        "create_timestamp": thread.create_timestamp,
    }


def thread_payload(
    world: World, thread: Channel, *, member_for: int | None = None
) -> dict[str, Any]:
    """ThreadResponse / discord.types.threads.Thread; ``member_for`` adds that user's membership."""
    data: dict[str, Any] = {
        "id": str(thread.id),
        "type": thread.type,
        "guild_id": str(thread.guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "flags": thread.flags,
        "nsfw": thread.nsfw,
        "last_message_id": str(thread.last_message_id) if thread.last_message_id else None,
        "rate_limit_per_user": 0,
        "message_count": thread.message_count,
        "member_count": len(thread.thread_member_ids),
        "total_message_sent": thread.total_message_sent,
        "thread_metadata": thread_metadata(thread),
        "applied_tags": [str(t) for t in thread.applied_tags],
    }
    if member_for is not None and member_for in thread.thread_member_ids:
        data["member"] = thread_member_payload(thread, member_for)
    return data


def thread_member_payload(thread: Channel, user_id: int) -> dict[str, Any]:
    """ThreadMember."""
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": thread.create_timestamp,
        "flags": 1,
    }


def channel_payload(world: World, channel: Channel) -> dict[str, Any]:
    """GuildChannelResponse / ThreadResponse / PrivateChannelResponse, by channel type."""
    if channel.is_thread:
        return thread_payload(world, channel, member_for=world.bot.id)
    if channel.type == ChannelType.DM:
        return {
            "id": str(channel.id),
            "type": 1,
            "flags": 0,
            "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
            "recipients": [user_payload(world.users[u]) for u in channel.recipient_ids],
        }
    data: dict[str, Any] = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "flags": channel.flags,
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "nsfw": channel.nsfw,
        "permission_overwrites": _overwrites(channel),
    }
    if channel.type != ChannelType.CATEGORY:
        data |= {
            "topic": channel.topic,
            "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
            "rate_limit_per_user": 0,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
        }
    if channel.type == ChannelType.FORUM:
        data |= {
            "available_tags": [
                {"emoji_id": None, "emoji_name": None, **t} for t in channel.available_tags
            ],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }
    return data


def interaction_channel_payload(world: World, channel: Channel, permissions: int) -> dict[str, Any]:
    """The partial channel an interaction carries (discord.types.interactions.PartialChannel)."""
    data = channel_payload(world, channel)
    data["permissions"] = str(permissions)
    data.setdefault("nsfw", channel.nsfw)
    data.setdefault("name", channel.name)
    data.setdefault("position", channel.position)
    return data


def guild_payload(world: World, guild: Guild, *, all_members: bool) -> dict[str, Any]:
    """GUILD_CREATE payload (discord.types.guild.Guild with channels, threads, members)."""
    channels = [world.channels[c] for c in guild.channel_ids]
    threads = [
        c
        for c in world.channels.values()
        if c.is_thread and c.guild_id == guild.id and not c.archived
    ]
    member_ids = list(guild.members) if all_members else [world.bot.id]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": guild.locale,
        "features": ["NEWS", "COMMUNITY"],
        "incidents_data": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "joined_at": guild.members[world.bot.id].joined_at,
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "voice_states": [],
        "presences": [],
        "members": [member_payload(world, guild, u) for u in member_ids],
        "channels": [channel_payload(world, c) for c in channels],
        "threads": [thread_payload(world, t, member_for=world.bot.id) for t in threads],
    }


def attachment_payload(att: Attachment) -> dict[str, Any]:
    """MessageAttachmentResponse."""
    data: dict[str, Any] = {
        "id": str(att.id),
        "filename": att.filename,
        "size": att.size,
        "url": att.url,
        "proxy_url": att.url,
    }
    if att.content_type:
        data["content_type"] = att.content_type
    if att.description:
        data["description"] = att.description
    if att.ephemeral:
        data["ephemeral"] = True
    return data


def _reactions(world: World, message: Message, viewer: int) -> list[dict[str, Any]]:
    out = []
    for key, users in message.reactions.items():
        if users:
            out.append(
                {
                    "emoji": message.reaction_emoji[key],
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "burst_colors": [],
                    "me_burst": False,
                    "burst_me": False,
                    "burst_count": 0,
                    "me": viewer in users,
                }
            )
    return out


def message_payload(
    world: World, message: Message, *, gateway: bool = False, redact: bool = False
) -> dict[str, Any]:
    """MessageResponse; ``redact`` blanks what the message_content intent would have shown."""
    author = world.users[message.author_id]
    data: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "author": user_payload(author),
        "content": "" if redact else message.content,
        "timestamp": message.timestamp or snowflake_time(message.id).isoformat(),
        "edited_timestamp": message.edited_timestamp,
        "tts": message.tts,
        "mention_everyone": message.pings.everyone,
        "mentions": [user_payload(world.users[u]) for u in message.mentioned_user_ids],
        "mention_roles": [str(r) for r in message.pings.roles],
        "attachments": [] if redact else [attachment_payload(a) for a in message.attachments],
        "embeds": [] if redact else [{"type": "rich", **e} for e in message.embeds],
        "components": [] if redact else message.components,
        "pinned": message.pinned,
        "flags": message.flags,
        "reactions": _reactions(world, message, world.bot.id),
    }
    if message.nonce is not None:
        data["nonce"] = message.nonce
    if message.message_reference:
        data["message_reference"] = message.message_reference
    if message.webhook_id:
        data["webhook_id"] = str(message.webhook_id)
    if message.application_id:
        data["application_id"] = str(message.application_id)
    if message.interaction_metadata:
        data["interaction_metadata"] = message.interaction_metadata
    if message.thread_id and message.thread_id in world.channels:
        data["thread"] = thread_payload(world, world.channels[message.thread_id])
    channel = world.channels.get(message.channel_id)
    if gateway and channel is not None and channel.guild_id:
        data["guild_id"] = str(channel.guild_id)
        guild = world.guilds[channel.guild_id]
        if message.author_id in guild.members:
            data["member"] = member_payload(world, guild, message.author_id, with_user=False)
    return data


def application_payload(world: World, *, flags: int) -> dict[str, Any]:
    """PrivateApplicationResponse for GET /oauth2/applications/@me."""
    return {
        "id": str(world.application_id),
        "name": world.bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": user_payload(world.bot),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": flags,
        "flags_new": str(flags),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": user_payload(world.owner),
        "approximate_guild_count": len(world.guilds),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": None,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "integration_types_config": {"0": {}},
    }
