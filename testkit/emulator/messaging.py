"""Creating, editing and dispatching messages: attachments, mentions, embeds, intents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .components import normalize_components
from .ids import iso
from .model import (
    FLAG_EPHEMERAL,
    FLAG_IS_COMPONENTS_V2,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    Attachment,
    Channel,
    ChannelType,
    Message,
    Pings,
)
from .payloads import message_payload
from .permissions import P
from .rest_base import UploadedFile, bad_request

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .gateway import GatewaySession

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)")
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
SETTABLE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2


def compute_pings(
    emu: DiscordEmulator,
    channel: Channel,
    author_id: int,
    content: str,
    allowed: dict[str, Any] | None,
    flags: int,
    replied_author: int | None = None,
) -> tuple[Pings, list[int]]:
    """Who a message pings, honouring allowed_mentions, role mentionability and Mention Everyone."""
    world = emu.world
    parse = ["users", "roles", "everyone"] if allowed is None else list(allowed.get("parse") or [])
    allow_users = {int(u) for u in (allowed or {}).get("users") or []}
    allow_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    can_everyone = bool(world.permissions(channel, author_id) & P.MENTION_EVERYONE)
    guild = world.guild_of(channel)
    users = [
        uid
        for uid in dict.fromkeys(int(m) for m in USER_MENTION.findall(content))
        if uid in world.users and ("users" in parse or uid in allow_users)
    ]
    roles: list[int] = []
    for rid in dict.fromkeys(int(m) for m in ROLE_MENTION.findall(content)):
        role = guild.roles.get(rid) if guild else None
        if role is None or not ("roles" in parse or rid in allow_roles):
            continue
        if role.mentionable or can_everyone:
            roles.append(rid)
    everyone = bool(EVERYONE_MENTION.search(content)) and "everyone" in parse and can_everyone
    replied = allowed is None or bool((allowed or {}).get("replied_user"))
    if replied_author is not None and replied and replied_author not in users:
        users.append(replied_author)
    silent = bool(flags & FLAG_SUPPRESS_NOTIFICATIONS)
    return Pings(users, roles, everyone, silent), list(users)


def make_attachments(
    emu: DiscordEmulator,
    channel_id: int,
    meta: list[dict[str, Any]] | None,
    files: list[UploadedFile],
    existing: list[Attachment] | None = None,
) -> list[Attachment]:
    """Attachments of a create/edit: ``files[n]`` parts matched to ``attachments[].id == n``."""
    by_field = {f.field: f for f in files}
    kept = {a.id: a for a in existing or []}
    result: list[Attachment] = []
    used: set[str] = set()
    for item in meta or []:
        att_id = str(item.get("id"))
        upload = by_field.get(f"files[{att_id}]")
        if upload is not None:
            used.add(upload.field)
            result.append(_store(emu, channel_id, upload, item))
        elif att_id.isdigit() and int(att_id) in kept:
            result.append(kept[int(att_id)])
    for upload in files:
        if upload.field not in used:
            result.append(_store(emu, channel_id, upload, {}))
    if meta is None and existing:
        result = list(existing) + result
    return result


def _store(
    emu: DiscordEmulator, channel_id: int, upload: UploadedFile, meta: dict[str, Any]
) -> Attachment:
    att_id = emu.world.ids.next()
    filename = meta.get("filename") or upload.filename
    att = Attachment(att_id, filename, upload.data, upload.content_type, meta.get("description"))
    att.url = f"{emu.cdn_base}/attachments/{channel_id}/{att_id}/{filename}"
    emu.world.attachments[att_id] = att
    return att


def new_message(
    emu: DiscordEmulator,
    channel: Channel,
    author_id: int,
    body: dict[str, Any],
    files: list[UploadedFile],
    *,
    check_embeds: bool = True,
    extra_flags: int = 0,
) -> Message:
    """Build (not store) a message from a create body."""
    world = emu.world
    flags = (int(body.get("flags") or 0) & SETTABLE_FLAGS) | extra_flags
    embeds = list(body.get("embeds") or [])
    if check_embeds and not world.permissions(channel, author_id) & P.EMBED_LINKS:
        embeds = []  # Discord drops them silently rather than failing the request.
    reference = body.get("message_reference")
    replied = _replied_author(emu, reference)
    msg = Message(world.ids.next(), channel.id, author_id, body.get("content") or "")
    msg.guild_id, msg.embeds, msg.flags = channel.guild_id, embeds, flags
    msg.components = normalize_components(list(body.get("components") or []))
    msg.tts = bool(body.get("tts"))
    msg.nonce = body.get("nonce")
    msg.allowed_mentions = body.get("allowed_mentions")
    msg.timestamp = iso()
    if reference:
        msg.type = 19
        msg.message_reference = {
            "type": 0,
            "channel_id": str(reference.get("channel_id") or channel.id),
            "message_id": str(reference.get("message_id")),
            **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
        }
    msg.pings, msg.mentioned_user_ids = compute_pings(
        emu, channel, author_id, msg.content, msg.allowed_mentions, flags, replied
    )
    msg.attachments = make_attachments(emu, channel.id, body.get("attachments"), files)
    return msg


def _replied_author(emu: DiscordEmulator, reference: dict[str, Any] | None) -> int | None:
    if not reference or not reference.get("message_id"):
        return None
    target = emu.world.messages.get(int(reference["message_id"]))
    if target is None:
        if reference.get("fail_if_not_exists", True):
            raise bad_request("Invalid Form Body: Unknown message", 50035)
        return None
    return target.author_id


def apply_edit(
    emu: DiscordEmulator, msg: Message, body: dict[str, Any], files: list[UploadedFile]
) -> None:
    """Apply a PATCH body to a stored message."""
    if "content" in body:
        msg.content = body["content"] or ""
    if "embeds" in body:
        msg.embeds = list(body["embeds"] or [])
    if "components" in body:
        msg.components = normalize_components(list(body["components"] or []))
    if "flags" in body and body["flags"] is not None:
        keep = msg.flags & (FLAG_EPHEMERAL | FLAG_IS_COMPONENTS_V2)
        msg.flags = keep | (int(body["flags"]) & SETTABLE_FLAGS)
    if "allowed_mentions" in body:
        msg.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body or files:
        msg.attachments = make_attachments(
            emu, msg.channel_id, body.get("attachments"), files, msg.attachments
        )
    msg.flags &= ~FLAG_LOADING
    msg.edited_timestamp = iso()


def _message_intent(channel: Channel) -> int:
    return INTENT_DIRECT_MESSAGES if channel.type == ChannelType.DM else INTENT_GUILD_MESSAGES


def dispatch_message(emu: DiscordEmulator, event: str, msg: Message) -> None:
    """MESSAGE_CREATE/UPDATE, blanked for sessions without message_content like Discord does."""
    if msg.visible_to is not None:
        return  # Ephemeral messages never reach the gateway.
    world = emu.world
    channel = world.channels[msg.channel_id]
    bot_id = world.bot.id

    def build(session: GatewaySession) -> dict[str, Any]:
        exempt = (
            msg.author_id == bot_id
            or bot_id in msg.mentioned_user_ids
            or channel.type == ChannelType.DM
        )
        redact = not exempt and not session.intents & INTENT_MESSAGE_CONTENT
        return message_payload(world, msg, gateway=True, redact=redact)

    emu.gateway.dispatch(event, build, intent=_message_intent(channel), guild_id=channel.guild_id)


def dispatch_delete(emu: DiscordEmulator, msg: Message) -> None:
    """MESSAGE_DELETE for a removed message."""
    if msg.visible_to is not None:
        return
    channel = emu.world.channels[msg.channel_id]
    data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
    if channel.guild_id:
        data["guild_id"] = str(channel.guild_id)
    emu.gateway.dispatch(
        "MESSAGE_DELETE", data, intent=_message_intent(channel), guild_id=channel.guild_id
    )


def post_message(emu: DiscordEmulator, msg: Message) -> Message:
    """Store and dispatch a new message."""
    emu.world.store_message(msg)
    dispatch_message(emu, "MESSAGE_CREATE", msg)
    return msg
