"""Interactions as the emulator tracks them, the INTERACTION_CREATE payload and test results."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Channel, Message, User
from .payloads import interaction_channel_payload, member_payload, message_payload, user_payload

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass
class InteractionRecord:
    """Server-side state of one interaction: its token, callback and resulting messages."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    data: dict[str, Any]
    name: str = ""
    command_type: int | None = None
    source_message_id: int | None = None
    created: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    callback_body: dict[str, Any] | None = None
    callback_received_at: float | None = None  # the callback request's arrival (monotonic)
    response_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    edits: int = 0
    parent: InteractionRecord | None = None
    locale: str = "en-US"  # the user's client language, sent as the payload's `locale`
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def changed(self) -> None:
        """Wake everything waiting for this interaction to progress."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, timeout: float) -> None:
        """Wait for the next change (TimeoutError after ``timeout``)."""
        await asyncio.wait_for(self._changed.wait(), timeout)

    def metadata(self, emu: DiscordEmulator) -> dict[str, Any]:
        """interaction_metadata of messages answering this interaction."""
        owners = {"0": str(self.guild_id)} if self.guild_id else {"1": str(self.user_id)}
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "user": user_payload(emu.world.users[self.user_id]),
            "authorizing_integration_owners": owners,
        }
        if self.type == 2:
            data["name"] = self.name
            data["command_type"] = self.command_type or 1
        if self.type == 3 and self.source_message_id:
            data["interacted_message_id"] = str(self.source_message_id)
        if self.type == 5 and self.parent is not None:
            data["triggering_interaction_metadata"] = self.parent.metadata(emu)
        if self.response_message_id:
            data["original_response_message_id"] = str(self.response_message_id)
        return data


def new_record(
    emu: DiscordEmulator,
    type_: int,
    user: User,
    channel: Channel,
    data: dict[str, Any],
    **extra: Any,
) -> InteractionRecord:
    """Create and register an interaction."""
    token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
    rec = InteractionRecord(
        emu.world.ids.next(), token, type_, user.id, channel.id, channel.guild_id, data, **extra
    )
    emu.interactions[rec.id] = rec
    return rec


def interaction_payload(
    emu: DiscordEmulator, rec: InteractionRecord, message: Message | None = None
) -> dict[str, Any]:
    """INTERACTION_CREATE data with everything discord.py's Interaction parses."""
    world = emu.world
    channel = world.channels[rec.channel_id]
    user = world.users[rec.user_id]
    user_perms = world.permissions(channel, user.id)
    app_perms = world.permissions(channel, world.bot.id)
    guild = world.guild_of(channel)
    payload: dict[str, Any] = {
        "id": str(rec.id),
        "application_id": str(world.application_id),
        "type": rec.type,
        "data": rec.data,
        "token": rec.token,
        "version": 1,
        "channel": interaction_channel_payload(world, channel, user_perms),
        "channel_id": str(channel.id),
        "app_permissions": str(app_perms),
        "locale": rec.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": ({"0": str(guild.id)} if guild else {"1": str(user.id)}),
        "context": 0 if guild else 1,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        payload["guild_id"] = str(guild.id)
        payload["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": []}
        payload["guild_locale"] = guild.locale
        payload["member"] = member_payload(world, guild, user.id, permissions=user_perms)
    else:
        payload["user"] = user_payload(user)
    if message is not None:
        payload["message"] = message_payload(world, message, gateway=True)
    return payload


class InteractionResult:
    """What a user saw after an interaction: callback type, response, followups, modal."""

    def __init__(self, emu: DiscordEmulator, record: InteractionRecord) -> None:
        self.emu, self.record = emu, record

    def __repr__(self) -> str:
        return f"<InteractionResult type={self.type} content={self.content!r}>"

    @property
    def type(self) -> int | None:
        """Callback type: 4 message, 5/6 deferred (update), 7 update, 8 choices, 9 modal."""
        return self.record.callback_type

    @property
    def deferred(self) -> bool:
        """Whether the bot deferred (type 5 or 6)."""
        return self.type in (5, 6)

    @property
    def message(self) -> Message | None:
        """The response message (for 6/7: the component's message), current state."""
        msg_id = self.record.response_message_id
        if msg_id is None and self.type in (6, 7):
            msg_id = self.record.source_message_id
        return self.emu.world.messages.get(msg_id) if msg_id else None

    @property
    def followups(self) -> list[Message]:
        """Followup messages, oldest first."""
        return [self.emu.world.messages[i] for i in self.record.followup_ids]

    @property
    def last(self) -> Message | None:
        """The newest followup, else the response message."""
        return self.followups[-1] if self.record.followup_ids else self.message

    @property
    def content(self) -> str | None:
        """Content of :attr:`message`."""
        return self.message.content if self.message else None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Embeds of :attr:`message`."""
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        """Components of :attr:`message`."""
        return self.message.components if self.message else []

    @property
    def flags(self) -> int:
        """Flags of :attr:`message`."""
        return self.message.flags if self.message else 0

    @property
    def ephemeral(self) -> bool:
        """Whether the response is ephemeral."""
        return bool(self.message and self.message.ephemeral)

    @property
    def attachments(self) -> list[Any]:
        """Attachments of :attr:`message`."""
        return self.message.attachments if self.message else []

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (type 9)."""
        return self.record.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices (type 8)."""
        return self.record.choices

    def is_final(self) -> bool:
        """Whether the bot has produced its visible answer (deferred ones edited or followed up)."""
        if self.type in (5, 6):
            return self.record.edits > 0 or bool(self.record.followup_ids)
        return self.type is not None

    async def final(self, timeout: float = 5.0) -> InteractionResult:
        """Wait until a deferred response is edited or a followup arrives."""
        deadline = time.monotonic() + timeout
        while not self.is_final():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"interaction {self.record.name or self.record.id} not answered within "
                    f"{timeout}s (callback type {self.type})\n{self.emu.timeline.dump()}"
                )
            try:
                await self.record.wait_changed(remaining)
            except TimeoutError:
                continue
        return self

    async def next_followup(self, timeout: float = 5.0) -> Message:
        """Wait for one more followup than there is now and return it."""
        count = len(self.record.followup_ids)
        deadline = time.monotonic() + timeout
        while len(self.record.followup_ids) <= count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no new followup within {timeout}s\n{self.emu.timeline.dump()}"
                )
            try:
                await self.record.wait_changed(remaining)
            except TimeoutError:
                continue
        return self.followups[count]
