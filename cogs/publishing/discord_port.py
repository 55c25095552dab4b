"""`DiscordPort`: the publishing port (`bot.publishing.port.PublishPort`) with discord.py."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord

from bot.publishing.notes import (
    CONNECTION_LOST,
    CREATE_POST,
    CROSSPOST,
    DISCORD_ANSWERED,
    DISCORD_GONE,
    DISCORD_REFUSED,
    FIND_CHANNEL,
    POST_IN,
    READ_CROSSPOSTED,
    READ_HISTORY,
    START_THREAD,
    note,
)
from bot.publishing.port import ForumPost, PageSend, PostingError, SentMessage, TargetInfo
from cogs.decorations import ChapterDecorations
from cogs.i18n import guild_speaker, relabel

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES = 10080  # a week: readers come back to chapters for days
THREAD_ALREADY_CREATED = 160004

# What the bot needs in a target, per posting mode (discord.py permission attribute names).
_NEEDS: dict[str, tuple[str, ...]] = {
    "messages": ("view_channel", "send_messages", "read_message_history"),
    "thread": (
        "view_channel",
        "send_messages",
        "read_message_history",
        "create_public_threads",
        "send_messages_in_threads",
    ),
    "forum": ("view_channel", "send_messages", "read_message_history", "send_messages_in_threads"),
}


def permission_name(attribute: str) -> str:
    """`send_messages` -> `Send Messages`, as Discord's settings name it."""
    return attribute.replace("_", " ").title()


def _kind(channel: Any) -> str:
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    if isinstance(channel, discord.TextChannel):
        return "announcement" if channel.is_news() else "text"
    return "other"


def _text_of(message: discord.Message) -> str:
    """A message's page text: its content, or its first embed's description (embed style)."""
    if message.content:
        return message.content
    if message.embeds and message.embeds[0].description:
        return message.embeds[0].description
    return ""


def _failure(error: discord.HTTPException, action: str) -> PostingError:
    """A Discord error as a history-friendly `PostingError` (`action`: a `notes` phrase)."""
    if isinstance(error, discord.Forbidden):
        reason = error.text or "Forbidden"
        return PostingError(note(DISCORD_REFUSED, action=action, reason=reason), permanent=True)
    if isinstance(error, discord.NotFound):
        return PostingError(note(DISCORD_GONE, action=action), permanent=True)
    answer = note(DISCORD_ANSWERED, action=action, status=error.status, reason=error.text)
    return PostingError(answer)


class DiscordPort:
    """Posts through the bot's discord.py client; every story message has no allowed mentions.

    A chapter's last page carries the views other features registered in `decorations`.
    """

    def __init__(self, client: discord.Client, decorations: ChapterDecorations) -> None:
        self.client = client
        self.decorations = decorations

    async def _channel(self, channel_id: int) -> Any:
        channel = self.client.get_channel(channel_id)
        if channel is not None:
            return channel
        try:
            return await self.client.fetch_channel(channel_id)
        except discord.HTTPException as exc:
            raise _failure(exc, note(FIND_CHANNEL, channel=channel_id)) from exc

    async def target(self, channel_id: int, mode: str, style: str) -> TargetInfo:
        """Describe a channel and the permissions the bot lacks there."""
        channel = self.client.get_channel(channel_id)
        if channel is None:
            # Not in cache is not gone: after a restart the cache is cold, and another
            # process may have seen the channel. Only Discord's answer says it is missing.
            try:
                channel = await self.client.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                return TargetInfo(channel_id, "missing")
            except discord.HTTPException as exc:
                raise _failure(exc, note(FIND_CHANNEL, channel=channel_id)) from exc
        if not isinstance(channel, discord.abc.GuildChannel):
            return TargetInfo(channel_id, "missing")
        kind = _kind(channel)
        me = getattr(channel.guild, "me", None)
        if me is None:  # the guild is not cached here: permissions show when posting
            return TargetInfo(channel_id, kind, name=channel.name)  # type: ignore[arg-type]
        perms = channel.permissions_for(me)
        needs = _NEEDS.get(mode, _NEEDS["messages"])
        if style == "embed":
            needs += ("embed_links",)
        missing = tuple(permission_name(n) for n in needs if not getattr(perms, n))
        tags: tuple[tuple[int, str], ...] = ()
        requires_tag = False
        if isinstance(channel, discord.ForumChannel):
            tags = tuple((tag.id, tag.name) for tag in channel.available_tags)
            requires_tag = channel.flags.require_tag
        return TargetInfo(
            channel_id,
            kind,  # type: ignore[arg-type]
            name=channel.name,
            nsfw=bool(getattr(channel, "nsfw", False)),
            requires_tag=requires_tag,
            tags=tags,
            bot_missing=missing,
        )

    async def _message_kwargs(
        self, message: PageSend, guild: discord.Guild | None
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"silent": message.silent}
        if message.style == "embed":
            kwargs["embed"] = discord.Embed(description=message.text)
        else:
            kwargs["content"] = message.text
        if message.role_id is not None:
            # The announcement line may ping the story's notify role, and nothing else.
            kwargs["allowed_mentions"] = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(message.role_id)]
            )
        if message.buttons_for is not None:
            view = self.decorations.view(*message.buttons_for)
            if view is not None:
                # The buttons under a chapter are public: they speak the server's language.
                catalogs = getattr(self.client, "catalogs", None)
                if catalogs is not None:
                    override = None
                    if guild is not None:
                        override = await self.client.server_languages.get(guild.id)  # type: ignore[attr-defined]
                    relabel(view, guild_speaker(catalogs, guild, override))
                kwargs["view"] = view
        return kwargs

    async def send(self, channel_id: int, message: PageSend) -> int:
        """Create a message; discord.py sends the nonce with `enforce_nonce`."""
        channel = await self._channel(channel_id)
        kwargs = await self._message_kwargs(message, getattr(channel, "guild", None))
        if message.nonce is not None:
            kwargs["nonce"] = message.nonce
        where = note(POST_IN, channel=f"#{getattr(channel, 'name', channel_id)}")
        for attempt in range(2):
            try:
                sent = await channel.send(**kwargs)
            except discord.HTTPException as exc:
                raise _failure(exc, where) from exc
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                # The message may exist. Resending at once with the same nonce is safe (Discord
                # answers with the first message); after that the runner reads the history.
                if attempt == 0 and message.nonce is not None:
                    continue
                lost = note(CONNECTION_LOST, action=where, reason=repr(exc))
                raise PostingError(lost) from exc
            return sent.id
        raise AssertionError("unreachable")

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """Start a public thread from a message; a repeat answers with the existing thread."""
        channel = await self._channel(channel_id)
        try:
            thread = await channel.get_partial_message(message_id).create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_CREATED:
                return message_id  # a thread started from a message carries the message's id
            raise _failure(exc, note(START_THREAD, channel=f"#{channel.name}")) from exc
        return thread.id

    async def create_forum_post(self, forum_id: int, post: ForumPost) -> tuple[int, int]:
        """Create a forum post whose first message is a page."""
        forum = await self._channel(forum_id)
        kwargs = await self._message_kwargs(post.first, getattr(forum, "guild", None))
        tag = forum.get_tag(post.tag_id) if post.tag_id is not None else None
        if tag is not None:
            kwargs["applied_tags"] = [tag]
        try:
            created = await forum.create_thread(
                name=post.name, auto_archive_duration=THREAD_ARCHIVE_MINUTES, **kwargs
            )
        except discord.HTTPException as exc:
            raise _failure(exc, note(CREATE_POST, channel=f"#{forum.name}")) from exc
        return created.thread.id, created.message.id

    async def crosspost(self, channel_id: int, message_id: int) -> None:
        """Publish an announcement-channel message to following servers."""
        channel = await self._channel(channel_id)
        try:
            await channel.get_partial_message(message_id).publish()
        except discord.HTTPException as exc:
            raise _failure(exc, note(CROSSPOST)) from exc

    async def is_crossposted(self, channel_id: int, message_id: int) -> bool:
        """Whether a message has been crossposted (read from Discord, not the cache)."""
        channel = await self._channel(channel_id)
        try:
            message = await channel.fetch_message(message_id)
        except discord.HTTPException as exc:
            raise _failure(exc, note(READ_CROSSPOSTED)) from exc
        return bool(message.flags.crossposted)

    async def recent_bot_messages(
        self, channel_id: int, after_id: int | None, limit: int = 100
    ) -> list[SentMessage]:
        """The bot's messages after `after_id` (or among the latest `limit`), oldest first."""
        channel = await self._channel(channel_id)
        me = self.client.user.id if self.client.user else 0
        try:
            if after_id is None:
                found = [m async for m in channel.history(limit=limit)]
                found.reverse()
            else:
                after = discord.Object(after_id)
                found = [m async for m in channel.history(limit=limit, after=after)]
        except discord.HTTPException as exc:
            raise _failure(exc, note(READ_HISTORY)) from exc
        return [SentMessage(m.id, _text_of(m)) for m in found if m.author.id == me]

    async def find_thread(self, parent_id: int, name: str) -> int | None:
        """A thread or post of the bot under `parent_id` named `name`, active or archived."""
        parent = await self._channel(parent_id)
        me = self.client.user.id if self.client.user else 0
        for thread in getattr(parent, "threads", []):
            if thread.name == name and thread.owner_id == me:
                return thread.id
        try:
            async for thread in parent.archived_threads(limit=100):
                if thread.name == name and thread.owner_id == me:
                    return thread.id
        except discord.HTTPException as exc:
            log.warning("could not list archived threads of %s: %s", parent_id, exc)
        return None
