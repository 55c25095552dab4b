"""What simulated users do: slash commands, autocomplete, clicks, modals, reactions, messages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .commands import CommandUsageError, OptionBuilder, find_command
from .interactions import InteractionRecord, InteractionResult, interaction_payload, new_record
from .messaging import new_message, post_message
from .model import Attachment, Channel, Message, User
from .payloads import message_payload
from .reactions import add_reaction, remove_reaction
from .rest_base import UploadedFile

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


class UserActions:
    """Mixin of DiscordEmulator: the test API that reads like a user's actions."""

    def _default_channel(self: DiscordEmulator, channel: Channel | None) -> Channel:
        return channel if channel is not None else self.channel("general")

    async def _run(
        self: DiscordEmulator, rec: InteractionRecord, message: Message | None = None
    ) -> InteractionResult:
        """Dispatch INTERACTION_CREATE and wait for the callback (or the ack deadline)."""
        self.timeline.add(
            "ix", f"{self.world.users[rec.user_id].username} -> {rec.name or rec.type}"
        )
        # Discord sends an interaction on the connection of its guild's shard.
        self.gateway.dispatch(
            "INTERACTION_CREATE", interaction_payload(self, rec, message), guild_id=rec.guild_id
        )
        deadline = rec.created + self.ack_deadline_s + 0.5
        while rec.callback_type is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"the bot did not acknowledge interaction {rec.name or rec.id} within "
                    f"{self.ack_deadline_s}s\n{self.timeline.dump()}"
                )
            try:
                await rec.wait_changed(remaining)
            except TimeoutError:
                continue
        return InteractionResult(self, rec)

    def _command_data(self: DiscordEmulator, cmd: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": int(cmd.get("type", 1)),
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    async def slash(
        self: DiscordEmulator,
        user: User,
        command: str,
        /,
        *,
        in_channel: Channel | None = None,
        user_locale: str = "en-US",
        **options: Any,
    ) -> InteractionResult:
        """Invoke ``/command`` (``"group sub"`` for subcommands) with options as keywords;
        ``user_locale`` is the user's Discord language (the payload's ``locale``)."""
        channel = self._default_channel(in_channel)
        name, *path = command.split()
        cmd = find_command(self, name, channel.guild_id, 1)
        builder = OptionBuilder(self, channel)
        data = self._command_data(cmd) | {"options": builder.build(cmd, path, options, None)}
        if builder.resolved:
            data["resolved"] = builder.resolved
        rec = new_record(
            self, 2, user, channel, data, name=command, command_type=1, locale=user_locale
        )
        return await self._run(rec)

    async def autocomplete(
        self: DiscordEmulator,
        user: User,
        command: str,
        /,
        *,
        focused: str,
        in_channel: Channel | None = None,
        user_locale: str = "en-US",
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused`` of ``command``; returns the bot's choices.
        ``user_locale`` is the user's Discord language (the payload's ``locale``)."""
        channel = self._default_channel(in_channel)
        name, *path = command.split()
        cmd = find_command(self, name, channel.guild_id, 1)
        options.setdefault(focused, "")
        builder = OptionBuilder(self, channel)
        data = self._command_data(cmd) | {"options": builder.build(cmd, path, options, focused)}
        rec = new_record(
            self, 4, user, channel, data, name=f"{command} (autocomplete)", locale=user_locale
        )
        result = await self._run(rec)
        return list(result.choices or [])

    async def user_command(
        self: DiscordEmulator,
        user: User,
        name: str,
        target: User,
        *,
        in_channel: Channel | None = None,
    ) -> InteractionResult:
        """Run the user context-menu command ``name`` on ``target``."""
        channel = self._default_channel(in_channel)
        cmd = find_command(self, name, channel.guild_id, 2)
        builder = OptionBuilder(self, channel)
        builder.add_user(target)
        data = self._command_data(cmd) | {"target_id": str(target.id), "resolved": builder.resolved}
        rec = new_record(self, 2, user, channel, data, name=name, command_type=2)
        return await self._run(rec)

    async def message_command(
        self: DiscordEmulator, user: User, name: str, target: Message
    ) -> InteractionResult:
        """Run the message context-menu command ``name`` on ``target``."""
        channel = self.world.channels[target.channel_id]
        cmd = find_command(self, name, channel.guild_id, 3)
        resolved = {"messages": {str(target.id): message_payload(self.world, target)}}
        data = self._command_data(cmd) | {"target_id": str(target.id), "resolved": resolved}
        rec = new_record(self, 2, user, channel, data, name=name, command_type=3)
        return await self._run(rec)

    async def click(
        self: DiscordEmulator,
        user: User,
        message: Message,
        custom_id: str,
        *,
        values: list[str] | None = None,
        user_locale: str = "en-US",
    ) -> InteractionResult:
        """Click a button (or choose ``values`` in a select menu) on ``message``;
        ``user_locale`` is the clicking user's Discord language (the payload's ``locale``)."""
        if not self.world.visible(message, user.id):
            raise CommandUsageError(f"{user.username} cannot see message {message.id}")
        component = _find_component(message.components, custom_id)
        if component is None:
            raise CommandUsageError(
                f"no component {custom_id!r} on message; has {message.custom_ids()}"
            )
        if component.get("disabled"):
            raise CommandUsageError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
        channel = self.world.channels[message.channel_id]
        rec = new_record(
            self,
            3,
            user,
            channel,
            data,
            name=f"click {custom_id}",
            source_message_id=message.id,
            locale=user_locale,
        )
        return await self._run(rec, message)

    async def submit_modal(
        self: DiscordEmulator, user: User, opened: InteractionResult, values: dict[str, Any]
    ) -> InteractionResult:
        """Fill in and submit the modal ``opened`` showed; ``values`` maps custom_id -> value."""
        modal = opened.modal
        if modal is None:
            raise CommandUsageError(f"{opened!r} did not open a modal")
        remaining = dict(values)
        components = [_fill(c, remaining) for c in modal.get("components", [])]
        if remaining:
            raise CommandUsageError(f"modal has no field(s) {sorted(remaining)}")
        parent = opened.record
        channel = self.world.channels[parent.channel_id]
        data = {"custom_id": modal["custom_id"], "components": [c for c in components if c]}
        rec = new_record(
            self,
            5,
            user,
            channel,
            data,
            name=f"modal {modal['custom_id']}",
            source_message_id=parent.source_message_id,
            parent=parent,
            locale=parent.locale,  # the same user's client: Discord sends their locale again
        )
        source = self.world.messages.get(parent.source_message_id or 0)
        return await self._run(rec, source)

    async def react(self: DiscordEmulator, user: User, message: Message, emoji: str) -> None:
        """``user`` adds a reaction (dispatched as MESSAGE_REACTION_ADD)."""
        add_reaction(self, message, user.id, emoji)
        await asyncio.sleep(0)

    async def unreact(self: DiscordEmulator, user: User, message: Message, emoji: str) -> None:
        """``user`` removes a reaction (MESSAGE_REACTION_REMOVE)."""
        remove_reaction(self, message, user.id, emoji)
        await asyncio.sleep(0)

    async def post(
        self: DiscordEmulator, user: User, channel: Channel, content: str, **fields: Any
    ) -> Message:
        """``user`` sends a message (dispatched as MESSAGE_CREATE, blanked per intents)."""
        body = {"content": content, **fields}
        msg = post_message(self, new_message(self, channel, user.id, body, []))
        await asyncio.sleep(0)
        return msg

    async def wait_until(
        self: DiscordEmulator, condition: Callable[[], Any], *, timeout: float = 5.0, what: str = ""
    ) -> Any:
        """Poll ``condition`` until it is truthy and return its value; fail with the timeline."""
        deadline = time.monotonic() + timeout
        while not (value := condition()):
            if time.monotonic() > deadline:
                waited = what or condition
                raise AssertionError(
                    f"timed out after {timeout}s: {waited}\n{self.timeline.dump()}"
                )
            await asyncio.sleep(0.02)
        return value

    async def wait_for_message(
        self: DiscordEmulator,
        channel: Channel | int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> Message:
        """The first (oldest) message in ``channel`` matching ``predicate``, waiting for it."""

        def find() -> Message | None:
            return next(
                (m for m in self.messages(channel) if predicate is None or predicate(m)), None
            )

        return await self.wait_until(find, timeout=timeout, what=f"a message in {channel}")

    def upload(
        self: DiscordEmulator, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        """An uploaded file to pass as an attachment option."""
        att_id = self.world.ids.next()
        att = Attachment(att_id, filename, data, content_type, ephemeral=True)
        att.url = f"{self.cdn_base}/attachments/0/{att_id}/{filename}"
        self.world.attachments[att_id] = att
        return att

    def uploaded_file(
        self: DiscordEmulator, field: str, filename: str, data: bytes
    ) -> UploadedFile:
        """A multipart file part, for tests that drive handlers directly."""
        return UploadedFile(field, filename, data, None)


def _find_component(items: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for item in items:
        if item.get("custom_id") == custom_id:
            return item
        nested = list(item.get("components", []))
        if isinstance(item.get("accessory"), dict):
            nested.append(item["accessory"])
        if isinstance(item.get("component"), dict):
            nested.append(item["component"])
        found = _find_component(nested, custom_id)
        if found is not None:
            return found
    return None


def _fill(component: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | None:
    """The submitted form of one modal component (action row, label, text input, select)."""
    kind = component.get("type")
    if kind == 1:
        return {
            "type": 1,
            "components": [_fill(c, values) for c in component.get("components", [])],
        }
    if kind == 18:
        inner = _fill(component["component"], values)
        return {"type": 18, "id": component.get("id", 0), "component": inner}
    if kind == 10:
        return None
    custom_id = component.get("custom_id", "")
    if kind == 4:
        value = str(values.pop(custom_id, component.get("value") or ""))
        if component.get("required", True) and not value:
            raise CommandUsageError(f"modal field {custom_id!r} is required")
        lo, hi = component.get("min_length", 0), component.get("max_length", 4000)
        if value and not lo <= len(value) <= hi:
            raise CommandUsageError(f"modal field {custom_id!r}: length must be {lo}..{hi}")
        return {"type": 4, "custom_id": custom_id, "value": value}
    chosen = values.pop(custom_id, [])
    return {"type": kind, "custom_id": custom_id, "values": list(chosen)}
