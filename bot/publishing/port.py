"""The port between publishing and Discord: what the runner needs, as a `Protocol`.

`cogs/_discord_port.py` implements it with discord.py; unit tests use a small fake. Everything
here is plain data so the domain never imports discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

TargetKind = Literal["text", "announcement", "forum", "missing", "other"]


class PostingError(Exception):
    """Discord refused or failed a request; `permanent` errors are not worth retrying soon."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class TargetInfo:
    """What the bot knows about a channel it may post into."""

    channel_id: int
    kind: TargetKind
    name: str = ""
    nsfw: bool = False
    requires_tag: bool = False
    tags: tuple[tuple[int, str], ...] = ()
    # Human names of the permissions the BOT lacks there for the given mode/style.
    bot_missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentMessage:
    """A message the bot posted, as history lookups see it (text or embed description)."""

    id: int
    text: str


@dataclass(frozen=True)
class PageSend:
    """One message to create: the stored text and how to send it."""

    text: str
    style: str = "text"
    nonce: str | None = None
    silent: bool = False
    role_id: int | None = None  # the only mention this message may ping (announcements)
    buttons_for: tuple[int, int] | None = None  # (story_id, chapter_number): reader buttons


@dataclass(frozen=True)
class ForumPost:
    """A forum post to create: its name, optional tag and first message."""

    name: str
    first: PageSend
    tag_id: int | None = None


class PublishPort(Protocol):
    """Everything posting needs from Discord."""

    async def target(self, channel_id: int, mode: str, style: str) -> TargetInfo:
        """Describe a channel and what the bot lacks there to post in `mode`/`style`."""
        ...

    async def send(self, channel_id: int, message: PageSend) -> int:
        """Create a message (with its nonce, enforced); returns the message id."""
        ...

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """Start a public thread from a message; returns the thread id."""
        ...

    async def create_forum_post(self, forum_id: int, post: ForumPost) -> tuple[int, int]:
        """Create a forum post; returns (thread id, first message id)."""
        ...

    async def crosspost(self, channel_id: int, message_id: int) -> None:
        """Publish a message of an announcement channel to following servers."""
        ...

    async def is_crossposted(self, channel_id: int, message_id: int) -> bool:
        """Whether a message of an announcement channel has been crossposted."""
        ...

    async def recent_bot_messages(
        self, channel_id: int, after_id: int | None, limit: int = 100
    ) -> list[SentMessage]:
        """The bot's own messages in a channel or thread after `after_id`, oldest first."""
        ...

    async def find_thread(self, parent_id: int, name: str) -> int | None:
        """An existing thread or forum post of `parent_id` called `name` (active or archived)."""
        ...
