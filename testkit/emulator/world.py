"""The emulated Discord world: every stored object, lookups and the default test guild."""

from __future__ import annotations

from typing import Any

from .ids import SnowflakeFactory, iso
from .model import (
    CHANNEL_FLAG_REQUIRE_TAG,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    User,
)
from .permissions import BOT_DEFAULT, EVERYONE_DEFAULT, P, channel_permissions


class NotFoundError(LookupError):
    """A test referred to an object the world does not hold."""


class World:
    """Stores users, guilds, channels and messages and answers permission questions."""

    def __init__(self, *, bot_name: str = "chapterbot") -> None:
        self.ids = SnowflakeFactory()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channels: dict[int, int] = {}
        self.bot = self.add_user(bot_name, bot=True)
        self.application_id = self.ids.next()
        self.owner = self.add_user("app-owner")

    # -- creation -------------------------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False, dms_open: bool = True) -> User:
        """Create a user."""
        user = User(self.ids.next(), name, None if bot else name.title(), bot, dms_open)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User, *, shard: tuple[int, int] | None = None) -> Guild:
        """Create a guild with its @everyone role and its owner as a member.

        With `shard=(id, count)` the guild's id is one Discord sends on that shard
        (`(guild_id >> 22) % count == id`), to spread guilds over shard processes.
        """
        guild_id = self.ids.next()
        if shard is not None:
            wanted, count = shard
            while (guild_id >> 22) % count != wanted:
                guild_id += 1 << 22  # one millisecond later: the next shard
            self.ids.advance_past(guild_id)
        guild = Guild(guild_id, name, owner.id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", int(EVERYONE_DEFAULT))
        self.guilds[guild.id] = guild
        self.join(guild, owner)
        return guild

    def join(self, guild: Guild, user: User) -> Member:
        """Make ``user`` a member of ``guild``."""
        member = Member(user.id, [], iso())
        guild.members[user.id] = member
        return member

    def add_role(self, guild: Guild, name: str, permissions: int = 0, **kw: Any) -> Role:
        """Create a role below the existing ones."""
        position = max((r.position for r in guild.roles.values()), default=0) + 1
        role = Role(self.ids.next(), name, int(permissions), position, **kw)
        guild.roles[role.id] = role
        return role

    def add_channel(
        self,
        guild: Guild,
        name: str,
        type: int = ChannelType.TEXT,
        *,
        nsfw: bool = False,
        parent: Channel | None = None,
        require_tag: bool = False,
        tags: list[str] | tuple[str, ...] = (),
        topic: str | None = None,
    ) -> Channel:
        """Create a guild channel (text, announcement, forum or category)."""
        channel = Channel(self.ids.next(), int(type), name, guild.id, len(guild.channel_ids))
        channel.nsfw, channel.topic = nsfw, topic
        channel.parent_id = parent.id if parent else None
        channel.flags = CHANNEL_FLAG_REQUIRE_TAG if require_tag else 0
        channel.available_tags = [self._tag(t) for t in tags]
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        guild.channel_ids.append(channel.id)
        return channel

    def _tag(self, name: str) -> dict[str, Any]:
        return {"id": str(self.ids.next()), "name": name, "moderated": False}

    def add_thread(self, parent: Channel, name: str, owner_id: int, type: int) -> Channel:
        """Create a thread under ``parent``; the thread's channel id is fresh."""
        thread = Channel(self.ids.next(), type, name, parent.guild_id, 0, parent.id, parent.nsfw)
        thread.owner_id = owner_id
        thread.create_timestamp = thread.archive_timestamp = iso()
        thread.thread_member_ids = [owner_id]
        self.channels[thread.id] = thread
        self.channel_messages[thread.id] = []
        return thread

    def dm_channel(self, user: User) -> Channel:
        """The bot's DM channel with ``user``, created on first use."""
        if user.id not in self.dm_channels:
            channel = Channel(self.ids.next(), ChannelType.DM, "", recipient_ids=[user.id])
            self.channels[channel.id] = channel
            self.channel_messages[channel.id] = []
            self.dm_channels[user.id] = channel.id
        return self.channels[self.dm_channels[user.id]]

    def set_overwrite(self, channel: Channel, target: User | Role, allow: int, deny: int) -> None:
        """Replace the overwrite for a role or member on ``channel``."""
        kind = 0 if isinstance(target, Role) else 1
        channel.overwrites[target.id] = Overwrite(target.id, kind, int(allow), int(deny))

    # -- lookups --------------------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel:
        """Channel by id or NotFoundError."""
        try:
            return self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise NotFoundError(f"unknown channel {channel_id}") from None

    def guild_of(self, channel: Channel) -> Guild | None:
        """The guild a channel belongs to (None for DMs)."""
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def parent_of(self, channel: Channel) -> Channel | None:
        """A thread's parent channel."""
        return self.channels.get(channel.parent_id) if channel.parent_id else None

    def permissions(self, channel: Channel, user_id: int) -> int:
        """Permissions of ``user_id`` in ``channel`` (everything in DMs)."""
        guild = self.guild_of(channel)
        if guild is None:
            # Discord grants embeds and files in DMs too (a bot's DM embed is not dropped).
            return int(
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.READ_MESSAGE_HISTORY
                | P.ADD_REACTIONS
                | P.EMBED_LINKS
                | P.ATTACH_FILES
            )
        if user_id not in guild.members:
            return 0
        return channel_permissions(guild, channel, user_id, self.parent_of(channel))

    def visible(self, message: Message, user_id: int) -> bool:
        """Whether ``user_id`` can see ``message`` (ephemeral messages only their user)."""
        if message.deleted:
            return False
        return message.visible_to is None or message.visible_to == user_id

    def history(self, channel_id: int) -> list[Message]:
        """All live messages of a channel, oldest first."""
        ids = self.channel_messages.get(channel_id, [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    def store_message(self, message: Message) -> Message:
        """Add a message to its channel and update the channel's counters."""
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)
        channel = self.channels.get(message.channel_id)
        if channel is not None and message.visible_to is None:
            channel.last_message_id = message.id
            channel.message_count += 1
            channel.total_message_sent += 1
        return message


def build_default_world(world: World) -> Guild:
    """Create the documented default guild: channels, roles and users alice/bob/carol/dave."""
    guild = world.add_guild("Test Guild", world.owner)
    bot_role = world.add_role(guild, world.bot.username, int(BOT_DEFAULT), managed=True)
    bot_role.bot_id = world.bot.id
    world.join(guild, world.bot).roles.append(bot_role.id)
    mod = world.add_role(guild, "Mod", int(P.MANAGE_GUILD | P.MANAGE_MESSAGES), mentionable=True)
    for name in ("alice", "bob", "carol", "dave"):
        world.join(guild, world.add_user(name))
    carol = next(u for u in world.users.values() if u.username == "carol")
    guild.members[carol.id].roles.append(mod.id)
    category = world.add_channel(guild, "Stories", ChannelType.CATEGORY)
    world.add_channel(guild, "general", ChannelType.TEXT, topic="General chat")
    world.add_channel(guild, "news", ChannelType.ANNOUNCEMENT, parent=category)
    world.add_channel(
        guild, "stories", ChannelType.FORUM, parent=category, tags=("ongoing", "complete", "mature")
    )
    world.add_channel(guild, "mature", ChannelType.TEXT, nsfw=True, parent=category)
    return guild


def build_bot_guild(world: World, name: str, *, shard: tuple[int, int] | None = None) -> Guild:
    """Another guild the bot is in (owned by the world's owner): a text channel #chapters and
    the users alice and bob as members; `shard` places it on a shard (see `add_guild`)."""
    guild = world.add_guild(name, world.owner, shard=shard)
    bot_role = world.add_role(guild, world.bot.username, int(BOT_DEFAULT), managed=True)
    bot_role.bot_id = world.bot.id
    world.join(guild, world.bot).roles.append(bot_role.id)
    for user in world.users.values():
        if user.username in ("alice", "bob"):
            world.join(guild, user)
    world.add_channel(guild, "chapters", ChannelType.TEXT)
    return guild
