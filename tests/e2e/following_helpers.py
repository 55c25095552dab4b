"""Helpers for the following e2e tests: DMs the bot sent, buttons on messages."""

from __future__ import annotations

from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message, User


def dms_to(emu: DiscordEmulator, user: User) -> list[Message]:
    """Every message the bot itself sent to `user` by DM (not replies to their clicks)."""
    channel = emu.world.dm_channel(user)
    return [
        m
        for m in emu.messages(channel)
        if m.author_id == emu.bot_user.id and m.interaction_metadata is None
    ]


def button_id(message: Message, label_part: str) -> str:
    """The custom_id of the button whose label contains `label_part`."""
    for row in message.components:
        for item in row.get("components", []):
            if label_part in str(item.get("label", "")):
                return str(item["custom_id"])
    raise AssertionError(f"no {label_part!r} button on the message: {message.components}")
