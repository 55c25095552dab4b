"""Things that go away under a bot: the bot removed from a guild (or the guild in an outage),
and the guild coming back. Dispatched as Discord does: GUILD_DELETE, GUILD_CREATE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .payloads import guild_payload

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .model import Channel, Guild, Message

INTENT_GUILDS = 1
THREAD_TYPES = (10, 11, 12)  # announcement, public and private threads


class ServerEvents:
    """Mixin of DiscordEmulator: guild removal, outage and return; channels deleted."""

    def remove_bot(self: DiscordEmulator, guild: Guild | None = None) -> None:
        """Kick the bot: it stops being a member and gets GUILD_DELETE without `unavailable`."""
        target = guild or self.guild
        member = target.members.pop(self.world.bot.id, None)
        if member is not None:
            self._removed_bot_members[target.id] = member
        self.timeline.add("world", f"bot removed from guild {target.id}")
        self.gateway.dispatch(
            "GUILD_DELETE", {"id": str(target.id)}, intent=INTENT_GUILDS, guild_id=target.id
        )

    def guild_outage(self: DiscordEmulator, guild: Guild | None = None) -> None:
        """The guild becomes unavailable (an outage): GUILD_DELETE with `unavailable: true`."""
        target = guild or self.guild
        self.timeline.add("world", f"guild {target.id} unavailable")
        data = {"id": str(target.id), "unavailable": True}
        self.gateway.dispatch("GUILD_DELETE", data, intent=INTENT_GUILDS, guild_id=target.id)

    def add_bot_back(self: DiscordEmulator, guild: Guild | None = None) -> None:
        """Re-invite the bot (or end an outage): it is a member again and gets GUILD_CREATE."""
        target = guild or self.guild
        member = self._removed_bot_members.pop(target.id, None)
        if member is not None:
            target.members[self.world.bot.id] = member
        self.timeline.add("world", f"bot back in guild {target.id}")

        def payload(session: object) -> dict:
            all_members = bool(getattr(session, "intents", 0) & (1 << 1))
            return guild_payload(self.world, target, all_members=all_members)

        self.gateway.dispatch("GUILD_CREATE", payload, intent=INTENT_GUILDS, guild_id=target.id)

    def delete_channel(self: DiscordEmulator, channel: Channel) -> None:
        """Delete a guild channel, forum or thread: CHANNEL_DELETE, or THREAD_DELETE for threads.

        The channel leaves the world (REST calls to it answer 404 Unknown Channel); its messages
        stay readable through `emu.messages(channel)` for assertions.
        """
        from .payloads import channel_payload

        payload = channel_payload(self.world, channel)
        self.world.channels.pop(channel.id, None)
        guild = self.world.guilds.get(channel.guild_id or 0)
        if guild is not None and channel.id in guild.channel_ids:
            guild.channel_ids.remove(channel.id)
        self.timeline.add("world", f"channel {channel.id} deleted")
        if channel.type in THREAD_TYPES:
            data = {
                "id": str(channel.id),
                "guild_id": str(channel.guild_id),
                "parent_id": str(channel.parent_id),
                "type": channel.type,
            }
            self.gateway.dispatch(
                "THREAD_DELETE", data, intent=INTENT_GUILDS, guild_id=channel.guild_id
            )
        else:
            self.gateway.dispatch(
                "CHANNEL_DELETE", payload, intent=INTENT_GUILDS, guild_id=channel.guild_id
            )

    def delete_messages(
        self: DiscordEmulator, messages: list[Message], *, bulk: bool = False
    ) -> None:
        """A moderator deletes messages: MESSAGE_DELETE each, or one MESSAGE_DELETE_BULK.

        Both carry ids only, so they need the guild messages intent, not the content intent.
        """
        from .messaging import _message_intent, dispatch_delete

        for message in messages:
            message.deleted = True
        if not bulk:
            for message in messages:
                dispatch_delete(self, message)
            return
        channel = self.world.channels[messages[0].channel_id]
        data = {
            "ids": [str(m.id) for m in messages],
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild_id),
        }
        self.gateway.dispatch(
            "MESSAGE_DELETE_BULK", data, intent=_message_intent(channel), guild_id=channel.guild_id
        )
